/* SPDX-License-Identifier: MIT */
/* cli.h - what the drift subcommands share: the command table and argument helpers. */
#ifndef DRIFT_CLI_H
#define DRIFT_CLI_H

#include "baseline.h"
#include "render.h"

/* Exit codes shared by commands that read baselines. */
#define CLI_EXIT_ERROR 2

struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);	/* argv[0] is the command name */
	const char *summary;
};

int cmd_show(int argc, char **argv);
int cmd_diff(int argc, char **argv);

/*
 * Load the baseline a command argument names (a bundle or .pb file, "-"
 * for stdin). On failure prints "drift: ARG: why" and returns < 0.
 */
int cli_load_baseline(const char *arg, struct baseline **out);

/* The renderer for --format NAME; prints an error and returns NULL if unknown. */
const struct render_ops *cli_format(const char *name);

#endif
