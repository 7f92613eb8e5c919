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
	    "host, oldest first. Each change is placed between the two snapshots that\n"
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

struct report {
	enum fmt fmt;
	const char *host;	/* host of the previous event, to group */
	char *last_host;
	size_t hosts, events, changes;
	FILE *out;
};

static void
html_escape(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: putc(*s, f);
		}
	}
}

static void
close_host(struct report *r)
{
	if (r->last_host == NULL)
		return;
	if (r->fmt == FMT_JSON)
		fputs("]}", r->out);
	else if (r->fmt == FMT_HTML)
		fputs("</section>\n", r->out);
}

static int
on_event(void *ctx, const struct store_event *ev)
{
	struct report *r = ctx;
	char from[48], to[48];

	format_time_ns(ev->from_taken_ns, from, sizeof(from));
	format_time_ns(ev->to_taken_ns, to, sizeof(to));
	if (r->last_host == NULL || strcmp(r->last_host, ev->host) != 0) {
		close_host(r);
		free(r->last_host);
		r->last_host = strdup(ev->host);
		if (r->fmt == FMT_JSON) {
			fputs(r->hosts ? ",\n  {\"host\": " : "\n  {\"host\": ", r->out);
			json_cstr(r->out, ev->host);
			fputs(", \"events\": [", r->out);
		} else if (r->fmt == FMT_HTML) {
			fputs("<section><h2>", r->out);
			html_escape(r->out, ev->host);
			fputs("</h2>\n", r->out);
		} else {
			fprintf(r->out, "\n== %s\n", ev->host);
		}
		r->hosts++;
		r->events = 0;
	}
	if (r->fmt == FMT_JSON) {
		fprintf(r->out, "%s{\"from\": \"%s\", \"to\": \"%s\", \"planned\": false, \"reason\": null, "
		    "\"clock_skew\": %s, \"from_baseline\": %lld, \"to_baseline\": %lld,\n     \"changes\": %s,\n"
		    "     \"findings\": %s}", r->events ? ",\n    " : "\n    ", from, to,
		    ev->clock_skew ? "true" : "false", (long long)ev->from_id, (long long)ev->to_id,
		    ev->changes_json, ev->findings_json);
	} else if (r->fmt == FMT_HTML) {
		fprintf(r->out, "<h3>%s &rarr; %s%s</h3>\n<pre>", from, to,
		    ev->clock_skew ? " (the host's clock went backwards)" : "");
		html_escape(r->out, ev->text);
		fputs("</pre>\n", r->out);
	} else {
		fprintf(r->out, "-- between %s and %s%s\n", from, to,
		    ev->clock_skew ? " (the host's clock went backwards)" : "");
		fputs(ev->text, r->out);
		if (ev->text[0] != '\0' && ev->text[strlen(ev->text) - 1] != '\n')
			putc('\n', r->out);
	}
	r->events++;
	r->changes += ev->nchanges;
	return 0;
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
	int c, rc = CLI_EXIT_ERROR;

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
	format_time_ns(since, a, sizeof(a));
	format_time_ns(until, b, sizeof(b));
	if (r.fmt == FMT_JSON) {
		printf("{\"since\": \"%s\", \"until\": \"%s\",\n \"hosts\": [", a, b);
	} else if (r.fmt == FMT_HTML) {
		printf("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		    "<title>drift report %s to %s</title>\n<style>body{font-family:sans-serif;margin:2em}"
		    "pre{background:#f6f6f6;padding:1em;overflow-x:auto}h2{border-bottom:1px solid #ccc}"
		    "</style></head><body>\n<h1>What changed from %s to %s</h1>\n", a, b, a, b);
	} else {
		printf("drift report: %s to %s%s%s\n", a, b, host ? ", hosts matching " : "", host ? host : "");
	}
	if (store_events(st, host, since, until, on_event, &r, &err) < 0) {
		fprintf(stderr, "drift: report: %s\n", drift_error_message(&err));
		goto out;
	}
	close_host(&r);
	if (r.fmt == FMT_JSON) {
		fputs("]}\n", stdout);
	} else if (r.fmt == FMT_HTML) {
		if (r.hosts == 0)
			fputs("<p>No host changed in this window.</p>\n", stdout);
		fputs("</body></html>\n", stdout);
	} else if (r.hosts == 0) {
		printf("no host changed in this window\n");
	} else {
		printf("\n%zu host%s changed, %zu change%s in all\n", r.hosts, r.hosts == 1 ? "" : "s",
		    r.changes, r.changes == 1 ? "" : "s");
	}
	rc = fflush(stdout) == 0 ? 0 : CLI_EXIT_ERROR;
out:
	free(r.last_host);
	store_close(st);
	return rc;
}
