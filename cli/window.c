/* SPDX-License-Identifier: MIT */
/* window.c - drift window: announce maintenance, so the changes made during it are reported as planned. */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "store.h"
#include "timeparse.h"

/* The longest window one command opens: ten years. */
#define WINDOW_MAX_SECONDS ((uint64_t)3650 * 86400)

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: drift window open --hosts GLOB --duration DUR --reason TEXT [--store DIR]\n"
	    "       drift window close ID [--store DIR]\n"
	    "       drift window list [--format text|json] [--store DIR]\n"
	    "\n"
	    "Announce maintenance. A change is planned when the snapshot that first\n"
	    "shows it was taken inside a window whose glob matches its host; drift\n"
	    "report lists unplanned changes first. A window starts now and ends after\n"
	    "DUR or when closed; closing it never unplans changes already made.\n"
	    "\n"
	    "  -H, --hosts GLOB     hosts the window covers (fnmatch, e.g. 'web*')\n"
	    "  -d, --duration DUR   how long: 90m, 2h, 1d, 1h30m (units s, m, h, d, w)\n"
	    "  -r, --reason TEXT    why (shown beside every planned change)\n"
	    "  -f, --format FMT     list as text (default) or json\n"
	    "      --store DIR      the collector's store (default: $DRIFT_STORE)\n"
	    "  -h, --help           this help\n"
	    "\n"
	    "open prints the new window's id. Exit status: 0 done, 2 error.\n");
}

/*
 * A duration: one or more number-unit pairs, units s, m, h, d, w ("90m",
 * "2h", "1d", "1h30m"). A bare number is refused: minutes or hours?
 */
static int
parse_duration(const char *s, uint64_t *out)
{
	uint64_t total = 0;
	const char *p = s;

	if (*p == '\0')
		return -1;
	while (*p != '\0') {
		uint64_t v = 0, mul;
		const char *start = p;

		for (; *p >= '0' && *p <= '9'; p++) {
			if (v > WINDOW_MAX_SECONDS)
				return -2;
			v = v * 10 + (uint64_t)(*p - '0');
		}
		if (p == start)
			return -1;
		switch (*p) {
		case 's': mul = 1; break;
		case 'm': mul = 60; break;
		case 'h': mul = 3600; break;
		case 'd': mul = 86400; break;
		case 'w': mul = 7 * 86400; break;
		default: return -1;
		}
		p++;
		if (v > WINDOW_MAX_SECONDS / mul)
			return -2;
		total += v * mul;
		if (total > WINDOW_MAX_SECONDS)
			return -2;
	}
	*out = total;
	return 0;
}

static int
window_open(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "hosts", required_argument, NULL, 'H' },
		{ "duration", required_argument, NULL, 'd' },
		{ "reason", required_argument, NULL, 'r' },
		{ "store", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *hosts = NULL, *dur = NULL, *reason = NULL;
	struct drift_error err = { 0 };
	struct store *st = NULL;
	uint64_t secs = 0;
	int64_t now, id = 0;
	int c, r;

	while ((c = getopt_long(argc, argv, "H:d:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': hosts = optarg; break;
		case 'd': dur = optarg; break;
		case 'r': reason = optarg; break;
		case 'S': cli_set_store(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return CLI_EXIT_ERROR;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "drift: window open: unexpected argument '%s'\n", argv[optind]);
		return CLI_EXIT_ERROR;
	}
	if (hosts == NULL || dur == NULL || reason == NULL) {
		fprintf(stderr, "drift: window open: --%s is required (which hosts, for how long, and why)\n",
		    hosts == NULL ? "hosts" : dur == NULL ? "duration" : "reason");
		return CLI_EXIT_ERROR;
	}
	if ((r = parse_duration(dur, &secs)) < 0 || secs == 0) {
		if (r == -2)
			fprintf(stderr, "drift: --duration '%s': longer than ten years\n", dur);
		else
			fprintf(stderr, "drift: --duration '%s': expected a duration like 90m, 2h, 1d or 1h30m\n",
			    dur);
		return CLI_EXIT_ERROR;
	}
	if (cli_open_store(&st) < 0)
		return CLI_EXIT_ERROR;
	now = time_now_ns();
	if (store_window_open(st, hosts, now, now + (int64_t)secs * 1000000000, reason, &id, &err) < 0) {
		fprintf(stderr, "drift: %s\n", drift_error_message(&err));
		store_close(st);
		return CLI_EXIT_ERROR;
	}
	store_close(st);
	printf("%" PRId64 "\n", id);
	return fflush(stdout) == 0 ? 0 : CLI_EXIT_ERROR;
}

static int
window_close(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "store", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct drift_error err = { 0 };
	struct store *st = NULL;
	const char *p;
	int64_t id = 0;
	int c, r;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'S': cli_set_store(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return CLI_EXIT_ERROR;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "drift: window close: expected one window id (see 'drift window list')\n");
		return CLI_EXIT_ERROR;
	}
	for (p = argv[optind]; *p >= '0' && *p <= '9' && id <= (INT64_MAX - 9) / 10; p++)
		id = id * 10 + (*p - '0');
	if (p == argv[optind] || *p != '\0' || id == 0) {
		fprintf(stderr, "drift: window close: '%s' is not a window id (a number, as 'drift window list' shows)\n",
		    argv[optind]);
		return CLI_EXIT_ERROR;
	}
	if (cli_open_store(&st) < 0)
		return CLI_EXIT_ERROR;
	r = store_window_close(st, id, time_now_ns(), &err);
	store_close(st);
	if (r < 0) {
		fprintf(stderr, "drift: %s\n", drift_error_message(&err));
		return CLI_EXIT_ERROR;
	}
	return 0;
}

static void
list_json(const struct store_window *w, size_t n)
{
	char a[48], b[48], t[48];
	size_t i;

	fputs("{\"windows\": [", stdout);
	for (i = 0; i < n; i++) {
		printf("%s{\"id\": %" PRId64 ", \"hosts\": ", i ? ",\n  " : "\n  ", w[i].id);
		json_cstr(stdout, w[i].hosts);
		printf(", \"from\": \"%s\", \"until\": \"%s\", \"reason\": ",
		    format_time_ns(w[i].from_ns, a, sizeof(a)), format_time_ns(w[i].until_ns, b, sizeof(b)));
		json_cstr(stdout, w[i].reason);
		if (w[i].closed)
			printf(", \"closed\": true, \"closed_at\": \"%s\"}",
			    format_time_ns(w[i].closed_ns, t, sizeof(t)));
		else
			fputs(", \"closed\": false, \"closed_at\": null}", stdout);
	}
	fputs(n ? "\n]}\n" : "]}\n", stdout);
}

static void
list_text(const struct store_window *w, size_t n, int64_t now)
{
	char a[48], b[48];
	size_t i;

	if (n == 0) {
		printf("no maintenance windows (open one with 'drift window open')\n");
		return;
	}
	printf("%-5s %-12s %-30s %-30s %-7s %s\n", "ID", "HOSTS", "FROM", "UNTIL", "STATE", "REASON");
	for (i = 0; i < n; i++)
		printf("%-5" PRId64 " %-12s %-30s %-30s %-7s %s\n", w[i].id, w[i].hosts,
		    format_time_ns(w[i].from_ns, a, sizeof(a)), format_time_ns(w[i].until_ns, b, sizeof(b)),
		    w[i].closed ? "closed" : w[i].until_ns < now ? "over" : w[i].from_ns > now ? "future" : "open",
		    w[i].reason);
}

static int
window_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "store", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "text";
	struct drift_error err = { 0 };
	struct store_window *w = NULL;
	struct store *st = NULL;
	size_t n = 0;
	int c, r;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 'S': cli_set_store(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return CLI_EXIT_ERROR;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "drift: window list: unexpected argument '%s'\n", argv[optind]);
		return CLI_EXIT_ERROR;
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
		fprintf(stderr, "drift: --format '%s': expected text or json\n", format);
		return CLI_EXIT_ERROR;
	}
	if (cli_open_store(&st) < 0)
		return CLI_EXIT_ERROR;
	r = store_windows(st, &w, &n, &err);
	store_close(st);
	if (r < 0) {
		fprintf(stderr, "drift: %s\n", drift_error_message(&err));
		return CLI_EXIT_ERROR;
	}
	if (strcmp(format, "json") == 0)
		list_json(w, n);
	else
		list_text(w, n, time_now_ns());
	store_windows_free(w, n);
	return fflush(stdout) == 0 ? 0 : CLI_EXIT_ERROR;
}

int
cmd_window(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_ERROR;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "open") == 0)
		return window_open(argc - 1, argv + 1);
	if (strcmp(argv[1], "close") == 0)
		return window_close(argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return window_list(argc - 1, argv + 1);
	fprintf(stderr, "drift: window: unknown action '%s' (expected open, close or list)\n", argv[1]);
	return CLI_EXIT_ERROR;
}
