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
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "store", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct render_ops *render = &render_text_ops;
	struct baseline *b = NULL;
	int c, rc = CLI_EXIT_ERROR;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((render = cli_format(optarg)) == NULL)
				return CLI_EXIT_ERROR;
			break;
		case 'S':
			cli_set_store(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return CLI_EXIT_ERROR;
		}
	}
	if (argc - optind != 1) {
		usage(stderr);
		return CLI_EXIT_ERROR;
	}
	if (cli_load_baseline(argv[optind], &b) < 0)
		return CLI_EXIT_ERROR;
	if (render->show(stdout, b) < 0)
		fprintf(stderr, "drift: show: cannot write the output\n");
	else
		rc = 0;
	baseline_free(b);
	return rc;
}
