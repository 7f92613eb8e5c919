/* SPDX-License-Identifier: MIT */
/* restore_plan.c - drift restore-plan: a runbook, a script and the files that put a host back. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "restore.h"
#include "store.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: drift restore-plan --host HOST [--to last-good|latest|TIME|#ID] --output FILE\n"
	    "       drift restore-plan --to BASELINE --output FILE\n"
	    "\n"
	    "Write a restore plan (a .tar.gz): RUNBOOK.md, numbered steps for a person\n"
	    "on a fresh install of the same system; restore.sh, the same steps as an\n"
	    "idempotent script (bash restore.sh --dry-run | --root DIR | --packages);\n"
	    "baseline.pb; and files/, the captured contents. Content that was never\n"
	    "captured (secrets) becomes a manual step.\n"
	    "\n"
	    "  -H, --host HOST    the host, in the collector's store\n"
	    "  -t, --to WHAT      last-good (default: the newest baseline with no\n"
	    "                     critical finding), latest, a TIME, #ID, HOST@..., or\n"
	    "                     a bundle file written by 'drift-agent snapshot'\n"
	    "  -o, --output FILE  where to write the plan (- for stdout)\n"
	    "      --store DIR    the collector's store\n"
	    "  -h, --help         this help\n"
	    "\n"
	    "Exit status: 0 written, 2 error.\n");
}

int
cmd_restore_plan(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "to", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "store", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct drift_error err = { 0 };
	struct baseline *b = NULL;
	const char *host = NULL, *to = "last-good", *output = NULL;
	char *ref = NULL;
	struct stat st;
	int c, rc = CLI_EXIT_ERROR;

	while ((c = getopt_long(argc, argv, "H:t:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			host = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'o':
			output = optarg;
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
	if (argc != optind || output == NULL) {
		usage(stderr);
		return CLI_EXIT_ERROR;
	}
	if (strcmp(to, "standard") == 0) {
		fprintf(stderr, "drift: restore-plan: --to standard is not supported yet; "
		    "use --to last-good or a baseline\n");
		return CLI_EXIT_ERROR;
	}
	if (strchr(to, '@') != NULL || stat(to, &st) == 0 || strcmp(to, "-") == 0) {
		if ((ref = strdup(to)) == NULL)
			goto nomem;
	} else if (host == NULL) {
		fprintf(stderr, "drift: restore-plan: --to '%s' needs --host HOST "
		    "(or name a bundle file that exists)\n", to);
		return CLI_EXIT_ERROR;
	} else if (asprintf(&ref, "%s@%s", host, to) < 0) {
		ref = NULL;
		goto nomem;
	}
	if (cli_load_baseline(ref, &b) < 0)
		goto out;
	if (host != NULL && b->pb->host_id != NULL && b->pb->host_id[0] != '\0' &&
	    strcmp(b->pb->host_id, host) != 0) {
		fprintf(stderr, "drift: restore-plan: '%s' is a baseline of host '%s', not '%s'\n",
		    ref, b->pb->host_id, host);
		goto out;
	}
	if (restore_plan_write(b, ref, output, &err) < 0) {
		fprintf(stderr, "drift: restore-plan: %s: %s\n", strcmp(output, "-") == 0 ? ref : output,
		    drift_error_message(&err));
		goto out;
	}
	rc = 0;
	goto out;
nomem:
	fprintf(stderr, "drift: restore-plan: out of memory\n");
out:
	baseline_free(b);
	free(ref);
	return rc;
}
