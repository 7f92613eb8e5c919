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
#include "standard.h"
#include "store.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: drift restore-plan --host HOST [--to last-good|latest|TIME|#ID] --output FILE\n"
	    "       drift restore-plan --to BASELINE --output FILE\n"
	    "       drift restore-plan --host HOST --to standard --standard FILE... --output FILE\n"
	    "\n"
	    "Write a restore plan (a .tar.gz): RUNBOOK.md, numbered steps for a person\n"
	    "on a fresh install of the same system; restore.sh, the same steps as an\n"
	    "idempotent script (bash restore.sh --dry-run | --root DIR | --packages);\n"
	    "baseline.pb; and files/, the captured contents. Content that was never\n"
	    "captured (secrets) becomes a manual step.\n"
	    "\n"
	    "With --to standard the plan brings the host's latest stored baseline into\n"
	    "line with the standards that apply to it instead: packages installed or\n"
	    "removed, owner, group and mode fixed, missing directories and links made,\n"
	    "files that must be absent removed, and a file a sha256 rule names written\n"
	    "when the store holds that content from any host. Content rules, rules\n"
	    "that could not be checked and anything drift would have to invent are\n"
	    "manual steps; the runbook ends with drift check against the same files.\n"
	    "\n"
	    "  -H, --host HOST      the host, in the collector's store\n"
	    "  -t, --to WHAT        last-good (default: the newest baseline with no\n"
	    "                       critical finding), latest, a TIME, #ID, HOST@..., a\n"
	    "                       bundle file written by 'drift-agent snapshot', or\n"
	    "                       standard\n"
	    "  -s, --standard FILE  with --to standard: a standard to hold the host to\n"
	    "                       (again for more; one whose applies_to does not\n"
	    "                       cover the host is skipped)\n"
	    "  -o, --output FILE    where to write the plan (- for stdout)\n"
	    "      --store DIR      the collector's store\n"
	    "  -h, --help           this help\n"
	    "\n"
	    "Exit status: 0 written, 2 error.\n");
}

/* --to standard: HOST@latest held to the standards given. */
static int
plan_standard(const char *host, char **paths, size_t npaths, const char *output)
{
	struct drift_error err = { 0 };
	struct standard **stds = NULL;
	struct baseline *b = NULL;
	struct store *st = NULL;
	char *ref = NULL;
	size_t i, n = 0;
	int rc = CLI_EXIT_ERROR;

	if (host == NULL || npaths == 0) {
		fprintf(stderr, "drift: restore-plan: --to standard needs --host HOST and at least one "
		    "--standard FILE\n");
		return CLI_EXIT_ERROR;
	}
	if ((stds = calloc(npaths, sizeof(*stds))) == NULL || asprintf(&ref, "%s@latest", host) < 0) {
		ref = NULL;
		fprintf(stderr, "drift: restore-plan: out of memory\n");
		goto out;
	}
	for (n = 0; n < npaths; n++) {
		if (standard_load(paths[n], &stds[n], &err) < 0) {
			fprintf(stderr, "drift: %s\n", drift_error_message(&err));
			goto out;
		}
	}
	if (cli_open_store(&st) < 0)
		goto out;
	if (store_load(st, ref, &b, &err) < 0) {
		fprintf(stderr, "drift: restore-plan: %s: %s\n", ref, drift_error_message(&err));
		goto out;
	}
	for (i = 0; i < n; i++)
		if (!standard_applies(stds[i], b->pb))
			fprintf(stderr, "drift: restore-plan: note: standard '%s' (%s) does not cover host "
			    "'%s' in its applies_to; skipped\n", stds[i]->name, paths[i], host);
	if (restore_plan_standard_write(b, ref, stds, n, st, output, &err) < 0) {
		fprintf(stderr, "drift: restore-plan: %s: %s\n", strcmp(output, "-") == 0 ? ref : output,
		    drift_error_message(&err));
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < n; i++)
		standard_free(stds[i]);
	free(stds);
	baseline_free(b);
	store_close(st);
	free(ref);
	return rc;
}

int
cmd_restore_plan(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "to", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "standard", required_argument, NULL, 's' },
		{ "store", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct drift_error err = { 0 };
	struct baseline *b = NULL;
	const char *host = NULL, *to = "last-good", *output = NULL;
	char *ref = NULL, **stdpaths = NULL;
	size_t nstd = 0;
	struct stat st;
	int c, rc = CLI_EXIT_ERROR;

	if ((stdpaths = calloc((size_t)argc + 1, sizeof(*stdpaths))) == NULL)
		goto nomem;
	while ((c = getopt_long(argc, argv, "H:t:s:o:h", opts, NULL)) != -1) {
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
		case 's':
			stdpaths[nstd++] = optarg;
			break;
		case 'S':
			cli_set_store(optarg);
			break;
		case 'h':
			usage(stdout);
			rc = 0;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (argc != optind || output == NULL) {
		usage(stderr);
		goto out;
	}
	if (strcmp(to, "standard") == 0) {
		rc = plan_standard(host, stdpaths, nstd, output);
		goto out;
	}
	if (nstd > 0) {
		fprintf(stderr, "drift: restore-plan: --standard goes with --to standard\n");
		goto out;
	}
	if (strchr(to, '@') != NULL || stat(to, &st) == 0 || strcmp(to, "-") == 0) {
		if ((ref = strdup(to)) == NULL)
			goto nomem;
	} else if (host == NULL) {
		fprintf(stderr, "drift: restore-plan: --to '%s' needs --host HOST "
		    "(or name a bundle file that exists)\n", to);
		goto out;
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
	free(stdpaths);
	return rc;
}
