/* SPDX-License-Identifier: MIT */
/* alerts.c - drift alerts: what fires now, what the collector could not deliver yet, the history. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "alerts.h"
#include "baseline.h"
#include "cli.h"
#include "json.h"
#include "store.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: drift alerts [--all] [--format text|json] [--store DIR]\n"
	    "\n"
	    "Show the alerts the collector raised: by default those firing now (a\n"
	    "host with a critical finding, a host gone stale, a change outside every\n"
	    "change window), each with the drift report command that shows the\n"
	    "detail; then every delivery to a webhook, program or syslog that has\n"
	    "not succeeded yet, with its last error. An alert fires once per host\n"
	    "and cause, and a \"resolved\" alert follows when the cause clears.\n"
	    "\n"
	    "  -a, --all          every alert ever raised, oldest first, not only those firing\n"
	    "  -f, --format FMT   text (default) or json\n"
	    "      --store DIR    the collector's store (default: $DRIFT_STORE)\n"
	    "  -h, --help         this help\n"
	    "\n"
	    "Exit status: 0 nothing fires and nothing waits for delivery, 1 some alert\n"
	    "fires or waits, 2 error.\n");
}

struct out {
	bool json;
	size_t n;		/* alerts shown */
	size_t firing;
	size_t pending;
};

static int
show_alert(void *ctx, const struct alert_info *a)
{
	struct out *o = ctx;
	char t[48];

	o->firing += a->firing;
	if (o->json) {
		fputs(o->n++ ? ",\n  " : "\n  ", stdout);
		/* the JSON the sinks received, and whether it fires now */
		printf("{\"alert\": %s, \"firing\": %s}", a->json, a->firing ? "true" : "false");
		return 0;
	}
	if (o->n++ == 0)
		printf("%-20s %-28s %-9s %-8s %s\n", "AT", "HOST", "CAUSE", "STATE", "SUMMARY");
	format_time_ns(a->at_ns - a->at_ns % 1000000000, t, sizeof(t));
	printf("%-20s %-28s %-9s %-8s %s\n", t, a->host, a->cause,
	    a->firing ? "FIRING" : a->state, a->summary);
	printf("%-20s %-28s %-9s %-8s details: %s\n", "", "", "", "", a->command);
	return 0;
}

static int
show_pending(void *ctx, const struct alert_pending *p)
{
	struct out *o = ctx;
	char t[48], sink[256];

	format_time_ns(p->next_ns - p->next_ns % 1000000000, t, sizeof(t));
	alerts_sink_display(p->sink, sink, sizeof(sink));
	if (o->json) {
		fputs(o->pending++ ? ",\n  " : "\n  ", stdout);
		printf("{\"alert\": %lld, \"sink\": ", (long long)p->alert);
		json_cstr(stdout, sink);
		fputs(", \"host\": ", stdout);
		json_cstr(stdout, p->host);
		printf(", \"cause\": \"%s\", \"state\": \"%s\", \"attempts\": %u, \"next_try\": \"%s\", "
		    "\"last_error\": ", p->cause, p->state, p->attempts, t);
		if (p->last_error != NULL)
			json_cstr(stdout, p->last_error);
		else
			fputs("null", stdout);
		putchar('}');
		return 0;
	}
	if (o->pending++ == 0)
		printf("\nnot delivered yet:\n");
	printf("  alert %lld (%s %s %s) to %s: ", (long long)p->alert, p->host, p->cause, p->state, sink);
	if (p->attempts == 0)
		printf("not tried yet\n");
	else
		printf("%u attempt%s failed, last: %s; next try at %s\n", p->attempts,
		    p->attempts == 1 ? "" : "s", p->last_error ? p->last_error : "?", t);
	return 0;
}

int
cmd_alerts(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "store", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct drift_error err = { 0 };
	struct store *st = NULL;
	const char *format = "text";
	struct out o;
	bool all = false;
	int c, rc = CLI_EXIT_ERROR;

	while ((c = getopt_long(argc, argv, "af:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a': all = true; break;
		case 'f': format = optarg; break;
		case 'S': cli_set_store(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return CLI_EXIT_ERROR;
		}
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
		fprintf(stderr, "drift: alerts: --format '%s': expected text or json\n", format);
		return CLI_EXIT_ERROR;
	}
	if (optind != argc) {
		usage(stderr);
		return CLI_EXIT_ERROR;
	}
	memset(&o, 0, sizeof(o));
	o.json = strcmp(format, "json") == 0;
	if (cli_open_store(&st) < 0)
		return CLI_EXIT_ERROR;
	if (o.json)
		fputs("{\"alerts\": [", stdout);
	if (alerts_walk(st, all, show_alert, &o, &err) < 0)
		goto fail;
	if (o.json)
		fputs(o.n ? "\n],\n\"undelivered\": [" : "],\n\"undelivered\": [", stdout);
	else if (o.n == 0)
		printf(all ? "no alert has been raised (store %s)\n" : "no alert fires (store %s)\n",
		    cli_store_dir());
	if (alerts_walk_pending(st, show_pending, &o, &err) < 0)
		goto fail;
	if (o.json)
		fputs(o.pending ? "\n]}\n" : "]}\n", stdout);
	rc = fflush(stdout) != 0 ? CLI_EXIT_ERROR : o.firing + o.pending > 0 ? 1 : 0;
	goto out;
fail:
	fflush(stdout);
	fprintf(stderr, "drift: alerts: %s\n", drift_error_message(&err));
out:
	store_close(st);
	return rc;
}
