/* SPDX-License-Identifier: MIT */
/* report.c - drift report: the fleet's changes in a time window, per host, oldest first. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "json.h"
#include "report.h"
#include "store.h"
#include "timeparse.h"

enum fmt { FMT_TEXT, FMT_JSON, FMT_HTML };

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: drift report [--since TIME] [--until TIME] [--host GLOB]\n"
	    "                    [--format text|json|html] [--store DIR]\n"
	    "\n"
	    "After an outage: every change the collector recorded in the window, per\n"
	    "host, oldest first; the text report lists unplanned changes first, then\n"
	    "those made inside a maintenance window (drift window). Each change is placed between the two snapshots that\n"
	    "bound it, with packages, files, the content diff of captured config files\n"
	    "(what it looked like before) and any new standard findings.\n"
	    "\n"
	    "  -s, --since TIME   start (default: 24 hours ago); ISO 8601 such as\n"
	    "                     2026-11-22T10:00Z, or relative such as '2 hours ago'\n"
	    "  -u, --until TIME   end (default: now)\n"
	    "  -H, --host GLOB    only hosts matching GLOB (e.g. 'web*')\n"
	    "  -f, --format FMT   text (default), json, or html (one self-contained page)\n"
	    "      --store DIR    the collector's store (default: $DRIFT_STORE)\n"
	    "  -h, --help         this help\n"
	    "\n"
	    "Exit status: 0 report written (with or without changes), 2 error.\n");
}

/* The text report prints unplanned changes first: each kind is gathered here, then printed. */
struct section {
	FILE *f;		/* an open_memstream */
	char *buf;
	size_t len;
	char *last_host;	/* host of the section's previous event, to group */
	size_t hosts, changes;
};

struct report {
	enum fmt fmt;
	char *last_host;	/* host of the previous event, to group */
	size_t hosts, events, changes;
	FILE *out;
	struct section text[2];	/* unplanned, planned */
	struct report_html *html;	/* --format html: the page, written at the end */
};

static void
close_host(struct report *r)
{
	if (r->last_host == NULL)
		return;
	if (r->fmt == FMT_JSON)
		fputs("]}", r->out);
}

/* A change in the text report: under its host in the unplanned or the planned section. */
static int
text_event(struct report *r, const struct store_event *ev, const char *from, const char *to)
{
	struct section *sec = &r->text[ev->planned ? 1 : 0];
	FILE *f = sec->f;

	if (sec->last_host == NULL || strcmp(sec->last_host, ev->host) != 0) {
		free(sec->last_host);
		if ((sec->last_host = strdup(ev->host)) == NULL)
			return 1;	/* out of memory */
		fprintf(f, "\n== %s\n", ev->host);
		sec->hosts++;
	}
	fprintf(f, "-- between %s and %s%s", from, to,
	    ev->clock_skew ? " (the host's clock went backwards)" : "");
	if (ev->planned)
		fprintf(f, " (planned: %s)", ev->reason);
	putc('\n', f);
	fputs(ev->text, f);
	if (ev->text[0] != '\0' && ev->text[strlen(ev->text) - 1] != '\n')
		putc('\n', f);
	sec->changes += ev->nchanges;
	return 0;
}

static int
on_event(void *ctx, const struct store_event *ev)
{
	struct report *r = ctx;
	char from[48], to[48];

	if (r->fmt == FMT_HTML)
		return report_html_add(r->html, ev) < 0 ? 1 : 0;	/* only for want of memory */
	format_time_ns(ev->from_taken_ns, from, sizeof(from));
	format_time_ns(ev->to_taken_ns, to, sizeof(to));
	if (r->last_host == NULL || strcmp(r->last_host, ev->host) != 0) {
		close_host(r);
		free(r->last_host);
		if ((r->last_host = strdup(ev->host)) == NULL)
			return 1;	/* out of memory */
		if (r->fmt == FMT_JSON) {
			fputs(r->hosts ? ",\n  {\"host\": " : "\n  {\"host\": ", r->out);
			json_cstr(r->out, ev->host);
			fputs(", \"events\": [", r->out);
		}
		r->hosts++;
		r->events = 0;
	}
	if (r->fmt == FMT_JSON) {
		fprintf(r->out, "%s{\"from\": \"%s\", \"to\": \"%s\", \"planned\": %s, \"reason\": ",
		    r->events ? ",\n    " : "\n    ", from, to, ev->planned ? "true" : "false");
		if (ev->planned)
			json_cstr(r->out, ev->reason);
		else
			fputs("null", r->out);
		if (ev->planned)
			fprintf(r->out, ", \"window\": %lld", (long long)ev->window_id);
		else
			fputs(", \"window\": null", r->out);
		fprintf(r->out, ", \"clock_skew\": %s, \"from_baseline\": %lld, \"to_baseline\": %lld,\n"
		    "     \"changes\": %s,\n     \"findings\": %s}",
		    ev->clock_skew ? "true" : "false", (long long)ev->from_id, (long long)ev->to_id,
		    ev->changes_json, ev->findings_json);
	} else if (text_event(r, ev, from, to) != 0) {
		return 1;
	}
	r->events++;
	r->changes += ev->nchanges;
	return 0;
}

/* The first line of the text report: how much was not announced, on how many hosts. */
static void
text_summary(const struct report *r)
{
	const struct section *u = &r->text[0], *p = &r->text[1];

	printf("%zu unplanned change%s on %zu host%s, %zu planned\n", u->changes,
	    u->changes == 1 ? "" : "s", u->hosts, u->hosts == 1 ? "" : "s", p->changes);
}

int
cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "host", required_argument, NULL, 'H' },
		{ "format", required_argument, NULL, 'f' },
		{ "store", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *since_s = "24 hours ago", *until_s = "now", *host = NULL, *format = "text";
	struct report r = { .out = stdout };
	struct drift_error err = { 0 };
	struct store *st = NULL;
	int64_t now, since, until;
	struct timespec ts;
	char a[48], b[48];
	int c, i, rc = CLI_EXIT_ERROR;

	while ((c = getopt_long(argc, argv, "s:u:H:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': since_s = optarg; break;
		case 'u': until_s = optarg; break;
		case 'H': host = optarg; break;
		case 'f': format = optarg; break;
		case 'S': cli_set_store(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return CLI_EXIT_ERROR;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return CLI_EXIT_ERROR;
	}
	if (strcmp(format, "text") == 0)
		r.fmt = FMT_TEXT;
	else if (strcmp(format, "json") == 0)
		r.fmt = FMT_JSON;
	else if (strcmp(format, "html") == 0)
		r.fmt = FMT_HTML;
	else {
		fprintf(stderr, "drift: --format '%s': expected text, json or html\n", format);
		return CLI_EXIT_ERROR;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (time_parse(since_s, now, &since, &err) < 0 || time_parse(until_s, now, &until, &err) < 0) {
		fprintf(stderr, "drift: %s\n", drift_error_message(&err));
		return CLI_EXIT_ERROR;
	}
	if (since > until) {
		fprintf(stderr, "drift: --since is after --until: nothing can fall in that window\n");
		return CLI_EXIT_ERROR;
	}
	if (cli_open_store(&st) < 0)
		return CLI_EXIT_ERROR;
	for (i = 0; r.fmt == FMT_TEXT && i < 2; i++) {
		if ((r.text[i].f = open_memstream(&r.text[i].buf, &r.text[i].len)) == NULL) {
			fprintf(stderr, "drift: report: out of memory\n");
			goto out;
		}
	}
	format_time_ns(since, a, sizeof(a));
	format_time_ns(until, b, sizeof(b));
	if (r.fmt == FMT_JSON) {
		printf("{\"since\": \"%s\", \"until\": \"%s\",\n \"hosts\": [", a, b);
	} else if (r.fmt == FMT_HTML && report_html_new(&r.html) < 0) {
		fprintf(stderr, "drift: report: out of memory\n");
		goto out;
	}
	if ((c = store_events(st, host, since, until, on_event, &r, &err)) != 0) {
		fprintf(stderr, "drift: report: %s\n", c > 0 ? "out of memory" : drift_error_message(&err));
		goto out;
	}
	close_host(&r);
	if (r.fmt == FMT_TEXT) {
		if (fflush(r.text[0].f) != 0 || fflush(r.text[1].f) != 0) {
			fprintf(stderr, "drift: report: out of memory\n");
			goto out;
		}
		text_summary(&r);
		printf("drift report: %s to %s%s%s\n", a, b, host ? ", hosts matching " : "", host ? host : "");
		if (r.text[0].hosts != 0)
			printf("\nUnplanned changes\n");
		fwrite(r.text[0].buf, 1, r.text[0].len, stdout);
		if (r.text[1].hosts != 0)
			printf("\nPlanned changes (inside a maintenance window)\n");
		fwrite(r.text[1].buf, 1, r.text[1].len, stdout);
	}
	if (r.fmt == FMT_JSON) {
		fputs("]}\n", stdout);
	} else if (r.fmt == FMT_HTML) {
		if ((c = report_html_write(r.html, stdout, since, until, host)) < 0) {
			fprintf(stderr, "drift: report: %s\n", c == DRIFT_ENOMEM ? "out of memory" :
			    "cannot write to standard output");
			goto out;
		}
	} else if (r.hosts == 0) {
		printf("no host changed in this window\n");
	} else {
		printf("\n%zu host%s changed, %zu change%s in all\n", r.hosts, r.hosts == 1 ? "" : "s",
		    r.changes, r.changes == 1 ? "" : "s");
	}
	rc = fflush(stdout) == 0 ? 0 : CLI_EXIT_ERROR;
out:
	for (i = 0; i < 2; i++) {
		if (r.text[i].f != NULL)
			fclose(r.text[i].f);
		free(r.text[i].buf);
		free(r.text[i].last_host);
	}
	free(r.last_host);
	report_html_free(r.html);
	store_close(st);
	return rc;
}
