/* SPDX-License-Identifier: MIT */
/* diff.c - drift diff: what changed between two baselines. */
#include "config.h"

#include <getopt.h>
#include <pthread.h>
#include <stdio.h>

#include "cli.h"
#include "diff.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: drift diff OLD NEW [--format text|json]\n"
	    "\n"
	    "Show what changed from baseline OLD to baseline NEW: packages installed,\n"
	    "removed, upgraded or downgraded (dpkg/rpm version ordering), then files\n"
	    "added, removed or modified, with the attributes that changed and a\n"
	    "unified diff of captured config file contents. OLD and NEW are bundle\n"
	    "files or store references: HOST@latest, HOST@TIME, HOST@#ID.\n"
	    "\n"
	    "  -f, --format FMT   text (default) or json\n"
	    "      --store DIR    the collector's store, for HOST@TIME references\n"
	    "  -h, --help         this help\n"
	    "\n"
	    "Exit status: 0 no changes, 1 changes, 2 error.\n");
}

struct load {
	const char *arg;
	struct baseline *b;
	int r;
};

static void *
load_thread(void *arg)
{
	struct load *l = arg;

	l->r = cli_load_baseline(l->arg, &l->b);
	return NULL;
}

/* Decoding dominates a large diff, and the two baselines are independent. */
static int
load_both(const char *old, const char *new_, struct baseline **a, struct baseline **b)
{
	struct load la = { old, NULL, 0 }, lb = { new_, NULL, 0 };
	pthread_t t;
	bool threaded = pthread_create(&t, NULL, load_thread, &la) == 0;

	if (!threaded)
		load_thread(&la);
	load_thread(&lb);
	if (threaded)
		pthread_join(t, NULL);
	*a = la.b;
	*b = lb.b;
	return la.r < 0 ? la.r : lb.r;
}

int
cmd_diff(int argc, char **argv)
{
	const struct render_ops *render = &render_text_ops;
	struct baseline *a = NULL, *b = NULL;
	struct diff d = { 0 };
	int r, rc = CLI_EXIT_ERROR;

	if ((r = cli_render_options(argc, argv, 2, usage, &render)) != 0)
		return r == 1 ? 0 : r;
	if (load_both(argv[optind], argv[optind + 1], &a, &b) < 0)
		goto out;
	if (diff_baselines(a->pb, b->pb, &d) < 0) {
		fprintf(stderr, "drift: diff: out of memory\n");
		goto out;
	}
	if (render->diff(stdout, a, b, &d) < 0) {
		fprintf(stderr, "drift: diff: cannot write the output\n");
		goto out;
	}
	rc = d.n > 0 ? 1 : 0;
out:
	diff_release(&d);
	baseline_free(a);
	baseline_free(b);
	return rc;
}
