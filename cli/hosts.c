/* SPDX-License-Identifier: MIT */
/* hosts.c - drift hosts: every host the collector knows, stale ones standing out. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "json.h"
#include "store.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: drift hosts [--format text|json] [--stale-after DURATION] [--store DIR]\n"
	    "\n"
	    "List every host that reported to the collector: when it last reported,\n"
	    "how many baselines and changes it has, and whether its latest baseline\n"
	    "complies with the standards that apply to it. Hosts that have not\n"
	    "reported for longer than --stale-after are marked STALE and\n"
	    "listed first (default: stale_after of the collector's configuration,\n"
	    "else 3h).\n"
	    "\n"
	    "  -f, --format FMT        text (default) or json\n"
	    "      --stale-after DUR   e.g. 90m, 3h, 1d\n"
	    "      --store DIR         the collector's store (default: $DRIFT_STORE)\n"
	    "  -h, --help              this help\n"
	    "\n"
	    "Exit status: 0 listed (even when some hosts are stale), 2 error.\n");
}

static int
parse_duration(const char *s, int64_t *out)
{
	char *end;
	double v = strtod(s, &end);
	int64_t mul = 1;

	if (end == s || v < 0)
		return -1;
	if (strcmp(end, "") == 0 || strcmp(end, "s") == 0)
		mul = 1;
	else if (strcmp(end, "m") == 0)
		mul = 60;
	else if (strcmp(end, "h") == 0)
		mul = 3600;
	else if (strcmp(end, "d") == 0)
		mul = 86400;
	else
		return -1;
	*out = (int64_t)(v * (double)mul);
	return 0;
}

static void
ago(int64_t secs, char *buf, size_t size)
{
	if (secs < 120)
		snprintf(buf, size, "%llds", (long long)secs);
	else if (secs < 7200)
		snprintf(buf, size, "%lldm", (long long)(secs / 60));
	else if (secs < 2 * 86400)
		snprintf(buf, size, "%lldh", (long long)(secs / 3600));
	else
		snprintf(buf, size, "%lldd", (long long)(secs / 86400));
}

static int
cmp_stale_first(const void *a, const void *b, void *ctx)
{
	const struct store_host *x = a, *y = b;
	int64_t cutoff = *(int64_t *)ctx;
	bool sx = x->last_report_ns < cutoff, sy = y->last_report_ns < cutoff;

	if (sx != sy)
		return sx ? -1 : 1;
	return strcmp(x->host, y->host);
}

int
cmd_hosts(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "stale-after", required_argument, NULL, 'a' },
		{ "store", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct drift_error err = { 0 };
	struct store_host *v = NULL;
	struct store *st = NULL;
	const char *format = "text";
	int64_t stale_after = (int64_t)cli_stale_after(), now, cutoff;
	struct timespec ts;
	size_t n = 0, i, nstale = 0;
	int c, rc = CLI_EXIT_ERROR;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 'a':
			if (parse_duration(optarg, &stale_after) < 0) {
				fprintf(stderr, "drift: --stale-after '%s': expected a duration like 90m, 3h or 1d\n", optarg);
				return CLI_EXIT_ERROR;
			}
			break;
		case 'S': cli_set_store(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return CLI_EXIT_ERROR;
		}
	}
	if (optind != argc || (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)) {
		usage(stderr);
		return CLI_EXIT_ERROR;
	}
	if (cli_open_store(&st) < 0)
		return CLI_EXIT_ERROR;
	if (store_hosts(st, &v, &n, &err) < 0) {
		fprintf(stderr, "drift: hosts: %s\n", drift_error_message(&err));
		goto out;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	cutoff = now - stale_after * 1000000000;
	qsort_r(v, n, sizeof(*v), cmp_stale_first, &cutoff);
	if (strcmp(format, "json") == 0) {
		fputs("{\"hosts\": [", stdout);
		for (i = 0; i < n; i++) {
			char t[48];

			fputs(i ? ",\n  " : "\n  ", stdout);
			fputs("{\"host\": ", stdout);
			json_cstr(stdout, v[i].host);
			printf(", \"last_report\": \"%s\", \"baselines\": %zu, \"compliant\": ",
			    format_time_ns(v[i].last_report_ns, t, sizeof(t)), v[i].baselines);
			if (!v[i].evaluated)
				fputs("null", stdout);
			else
				fputs(v[i].critical + v[i].warning == 0 ? "true" : "false", stdout);
			printf(", \"stale\": %s, \"changes\": %zu, \"critical\": %zu, \"warning\": %zu, "
			    "\"last_taken\": \"%s\", \"clock_skew_s\": %lld}",
			    v[i].last_report_ns < cutoff ? "true" : "false", v[i].changes,
			    v[i].critical, v[i].warning, format_time_ns(v[i].last_taken_ns, t, sizeof(t)),
			    (long long)(v[i].skew_ns / 1000000000));
		}
		fputs("]}\n", stdout);
	} else {
		if (n == 0)
			printf("no host has reported to this collector yet (store %s)\n", cli_store_dir());
		else
			printf("%-28s %-21s %9s %8s  %-22s %s\n", "HOST", "LAST REPORT", "BASELINES",
			    "CHANGES", "COMPLIANCE", "STATE");
		for (i = 0; i < n; i++) {
			char t[48], comp[64], a[32];
			bool stale = v[i].last_report_ns < cutoff;

			format_time_ns(v[i].last_report_ns - v[i].last_report_ns % 1000000000, t, sizeof(t));
			if (!v[i].evaluated)
				snprintf(comp, sizeof(comp), "no standard applies");
			else if (v[i].critical + v[i].warning == 0)
				snprintf(comp, sizeof(comp), "compliant");
			else
				snprintf(comp, sizeof(comp), "%zu critical, %zu warning", v[i].critical, v[i].warning);
			ago((now - v[i].last_report_ns) / 1000000000, a, sizeof(a));
			nstale += stale;
			printf("%-28s %-21s %9zu %8zu  %-22s %s%s%s\n", v[i].host, t, v[i].baselines,
			    v[i].changes, comp, stale ? "STALE: no report for " : "ok",
			    stale ? a : "", stale ? "" : "");
		}
		if (nstale > 0)
			printf("\n%zu of %zu hosts have not reported for more than %llds: check that their agent "
			    "timer runs and that they can reach the collector\n", nstale, n, (long long)stale_after);
	}
	rc = fflush(stdout) == 0 ? 0 : CLI_EXIT_ERROR;
out:
	store_hosts_free(v, n);
	store_close(st);
	return rc;
}
