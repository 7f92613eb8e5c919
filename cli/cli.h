/* SPDX-License-Identifier: MIT */
/* cli.h - what the drift subcommands share: the command table and argument helpers. */
#ifndef DRIFT_CLI_H
#define DRIFT_CLI_H

#include <stdint.h>

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
int cmd_check(int argc, char **argv);
int cmd_standard(int argc, char **argv);
int cmd_ca(int argc, char **argv);
int cmd_restore_plan(int argc, char **argv);

/*
 * Load the baseline a command argument names: a bundle or .pb file ("-" for
 * stdin), or a store reference HOST@latest, HOST@TIME, HOST@#ID (when no
 * file of that name exists). On failure prints "drift: ARG: why" and
 * returns < 0.
 */
int cli_load_baseline(const char *arg, struct baseline **out);

/*
 * The store directory commands read: --store DIR (cli_set_store), else
 * $DRIFT_STORE, else the `store` of the collector configuration, else the
 * built-in default. Never NULL.
 */
void cli_set_store(const char *dir);
const char *cli_store_dir(void);

/* Seconds without a report before a host is stale: collector.yaml's stale_after, else 3h. */
uint64_t cli_stale_after(void);

/* Open the store read-only-ish (no create); prints the error on failure. */
struct store;
int cli_open_store(struct store **out);

int cmd_hosts(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_window(int argc, char **argv);
int cmd_alerts(int argc, char **argv);

/* The renderer for --format NAME; prints an error and returns NULL if unknown. */
const struct render_ops *cli_format(const char *name);

/*
 * The options of a command that reads baselines and renders them
 * (drift show, drift diff): -f/--format FMT into *render (left as it is
 * without one), --store DIR, -h/--help, then exactly noperands operands
 * from argv[optind]. help prints the command's usage. Returns 0 to go on,
 * 1 when --help was shown on stdout (exit 0), or CLI_EXIT_ERROR after
 * printing why (a bad option or operand count gets the usage on stderr).
 */
int cli_render_options(int argc, char **argv, int noperands, void (*help)(FILE *),
    const struct render_ops **render);

#endif
