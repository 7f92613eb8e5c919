/* SPDX-License-Identifier: MIT */
/* check.c - drift check: hold a baseline to a standard, monitoring-plugin style. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "standard.h"

#define CHECK_UNKNOWN 3

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: drift check BASELINE --standard FILE [--format text|json|nagios]\n"
	    "\n"
	    "Evaluate a baseline against a standard (drift-standard(5)): every finding\n"
	    "names the rule, the file or package, what was found, what the standard\n"
	    "requires, and a command that fixes it. BASELINE is a bundle file or a\n"
	    "store reference: HOST@latest, HOST@TIME, HOST@#ID.\n"
	    "\n"
	    "  -s, --standard FILE  the standard (its includes are resolved)\n"
	    "  -f, --format FMT     text (default), json, or nagios (one status line\n"
	    "                       with perfdata, for Nagios/Icinga)\n"
	    "      --store DIR      the collector's store, for HOST@TIME references\n"
	    "  -h, --help           this help\n"
	    "\n"
	    "Exit status (monitoring-plugin convention): 0 compliant, 1 warnings only,\n"
	    "2 a critical finding, 3 could not evaluate (the standard or baseline did\n"
	    "not load, or a rule could not be checked).\n");
}

int
cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "standard", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "store", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *stdpath = NULL, *format = "text";
	struct drift_error err = { 0 };
	struct standard *s = NULL;
	struct baseline *b = NULL;
	struct evaluation ev = { 0 };
	int c, rc = CHECK_UNKNOWN, r;

	while ((c = getopt_long(argc, argv, "s:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': stdpath = optarg; break;
		case 'f': format = optarg; break;
		case 'S': cli_set_store(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return CHECK_UNKNOWN;
		}
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0 && strcmp(format, "nagios") != 0) {
		fprintf(stderr, "drift: --format '%s': expected text, json or nagios\n", format);
		return CHECK_UNKNOWN;
	}
	if (argc - optind != 1 || stdpath == NULL) {
		usage(stderr);
		return CHECK_UNKNOWN;
	}
	if (standard_load(stdpath, &s, &err) < 0) {
		fprintf(stderr, "drift: %s\n", drift_error_message(&err));
		if (strcmp(format, "nagios") == 0)
			printf("DRIFT UNKNOWN - the standard could not be loaded: %s\n", drift_error_message(&err));
		goto out;
	}
	if (cli_load_baseline(argv[optind], &b) < 0) {
		if (strcmp(format, "nagios") == 0)
			printf("DRIFT UNKNOWN - the baseline '%s' could not be read\n", argv[optind]);
		goto out;
	}
	if (!standard_applies(s, b->pb))
		fprintf(stderr, "drift: note: standard '%s' does not list host '%s' in its applies_to; "
		    "evaluating it anyway\n", s->name, render_host_name(b->pb));
	if (standard_evaluate(s, b, &ev) < 0) {
		fprintf(stderr, "drift: check: out of memory\n");
		goto out;
	}
	if (strcmp(format, "json") == 0)
		r = render_check_json(stdout, b, s, &ev);
	else if (strcmp(format, "nagios") == 0)
		r = render_check_nagios(stdout, b, s, &ev);
	else
		r = render_check_text(stdout, b, s, &ev);
	if (r < 0) {
		fprintf(stderr, "drift: check: cannot write the output\n");
		goto out;
	}
	rc = evaluation_status(&ev);
out:
	evaluation_release(&ev);
	baseline_free(b);
	standard_free(s);
	return rc;
}
