/* SPDX-License-Identifier: MIT */
/* drift.c - the drift command: a table of subcommands, one file each. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cli_command commands[] = {
	{ "show", cmd_show, "list every entry of a baseline" },
	{ "diff", cmd_diff, "what changed between two baselines" },
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: drift COMMAND [options] [arguments]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
	    "\nRun 'drift COMMAND --help' for a command's options; see drift(1).\n"
	    "  -h, --help       this help\n"
	    "  -V, --version    print the version\n");
}

int
cli_load_baseline(const char *arg, struct baseline **out)
{
	struct drift_error err = { 0 };

	if (baseline_read_file(arg, NULL, out, &err) < 0) {
		fprintf(stderr, "drift: %s: %s\n", arg, drift_error_message(&err));
		return err.code < 0 ? err.code : DRIFT_EFORMAT;
	}
	return 0;
}

const struct render_ops *
cli_format(const char *name)
{
	const struct render_ops *r = render_find(name);

	if (r == NULL)
		fprintf(stderr, "drift: --format '%s': expected text or json\n", name);
	return r;
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_ERROR;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("drift %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "drift: unknown command '%s' (try 'drift --help')\n", argv[1]);
	return CLI_EXIT_ERROR;
}
