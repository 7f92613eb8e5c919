/* SPDX-License-Identifier: MIT */
/* drift.c - the drift command: a table of subcommands, one file each. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "collector_config.h"
#include "store.h"

static const struct cli_command commands[] = {
	{ "show", cmd_show, "list every entry of a baseline" },
	{ "diff", cmd_diff, "what changed between two baselines" },
	{ "check", cmd_check, "hold a baseline to a standard (exit 0/1/2/3)" },
	{ "standard", cmd_standard, "compare two standards; write one from a baseline" },
	{ "hosts", cmd_hosts, "every host the collector knows: last report, changes, compliance" },
	{ "report", cmd_report, "what changed across the fleet in a time window" },
	{ "window", cmd_window, "announce maintenance: changes inside a window are planned" },
	{ "alerts", cmd_alerts, "what fires now (critical, stale, unplanned) and what is undelivered" },
	{ "ca", cmd_ca, "create the collector's CA, issue host and server certificates" },
	{ "restore-plan", cmd_restore_plan, "a runbook, script and files that put a host back" },
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

static const char *store_option;

void
cli_set_store(const char *dir)
{
	store_option = dir;
}

/*
 * The collector's own configuration, when this machine has one, tells
 * where the store is and when a host is stale; read once, quietly: a
 * broken collector.yaml is reported by drift-collector --check-config.
 */
static const struct collector_config *
collector_settings(void)
{
	static struct collector_config cc;
	static int state;	/* 0 not tried, 1 loaded, -1 none */

	if (state == 0) {
		struct drift_error err = { 0 };

		state = -1;
		if (collector_config_defaults(&cc) == 0) {
			if (collector_config_load(&cc, COLLECTOR_CONFIG_DEFAULT, &err) == 0)
				state = 1;
			else
				collector_config_release(&cc);
		}
	}
	return state == 1 ? &cc : NULL;
}

const char *
cli_store_dir(void)
{
	const char *env = getenv("DRIFT_STORE");
	const struct collector_config *cc;

	if (store_option != NULL)
		return store_option;
	if (env != NULL && env[0] != '\0')
		return env;
	if ((cc = collector_settings()) != NULL && cc->store != NULL)
		return cc->store;
	return LOCALSTATEDIR "/lib/drift/store";
}

uint64_t
cli_stale_after(void)
{
	const struct collector_config *cc = collector_settings();

	return cc != NULL && cc->stale_after > 0 ? cc->stale_after : 3 * 3600;
}

int
cli_open_store(struct store **out)
{
	struct drift_error err = { 0 };
	const char *dir = cli_store_dir();

	if (store_open(dir, false, out, &err) < 0) {
		fprintf(stderr, "drift: %s\n", drift_error_message(&err));
		if (store_option == NULL && getenv("DRIFT_STORE") == NULL)
			fprintf(stderr, "drift: (give --store DIR or set DRIFT_STORE)\n");
		return err.code < 0 ? err.code : DRIFT_EIO;
	}
	return 0;
}

/* A store reference is HOST@... naming no existing file. */
static bool
is_store_ref(const char *arg)
{
	struct stat st;

	return strchr(arg, '@') != NULL && arg[0] != '@' && stat(arg, &st) < 0;
}

int
cli_load_baseline(const char *arg, struct baseline **out)
{
	struct drift_error err = { 0 };

	if (is_store_ref(arg)) {
		struct store *st;
		int r;

		if ((r = cli_open_store(&st)) < 0)
			return r;
		r = store_load(st, arg, out, &err);
		store_close(st);
		if (r < 0) {
			fprintf(stderr, "drift: %s: %s\n", arg, drift_error_message(&err));
			return r;
		}
		return 0;
	}
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
cli_render_options(int argc, char **argv, int noperands, void (*help)(FILE *),
    const struct render_ops **render)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "store", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((*render = cli_format(optarg)) == NULL)
				return CLI_EXIT_ERROR;
			break;
		case 'S':
			cli_set_store(optarg);
			break;
		case 'h':
			help(stdout);
			return 1;
		default:
			help(stderr);
			return CLI_EXIT_ERROR;
		}
	}
	if (argc - optind != noperands) {
		help(stderr);
		return CLI_EXIT_ERROR;
	}
	return 0;
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
