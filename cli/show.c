/* SPDX-License-Identifier: MIT */
/* show.c - drift show: every entry of one baseline. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: drift show BASELINE [--format text|json]\n"
	    "\n"
	    "List the host facts, packages and files of a baseline (a bundle written\n"
	    "by 'drift-agent snapshot', or - for stdin), or of a stored one named\n"
	    "HOST@latest, HOST@TIME (the newest taken at or before TIME: ISO 8601\n"
	    "like 2026-11-22T10:00Z, or '2 hours ago') or HOST@#ID.\n"
	    "\n"
	    "  -f, --format FMT   text (default) or json\n"
	    "      --store DIR    the collector's store, for HOST@TIME references\n"
	    "  -h, --help         this help\n"
	    "\n"
	    "Exit status: 0 shown, 2 the baseline could not be read.\n");
}

int
cmd_show(int argc, char **argv)
{
	const struct render_ops *render = &render_text_ops;
	struct baseline *b = NULL;
	int r, rc = CLI_EXIT_ERROR;

	if ((r = cli_render_options(argc, argv, 1, usage, &render)) != 0)
		return r == 1 ? 0 : r;
	if (cli_load_baseline(argv[optind], &b) < 0)
		return CLI_EXIT_ERROR;
	if (render->show(stdout, b) < 0)
		fprintf(stderr, "drift: show: cannot write the output\n");
	else
		rc = 0;
	baseline_free(b);
	return rc;
}
