/* SPDX-License-Identifier: MIT */
/* restore_int.h - inside plans to standards: what restore_std.c decides and restore_std_out.c writes (not public). */
#ifndef DRIFT_RESTORE_INT_H
#define DRIFT_RESTORE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "baseline.h"
#include "digest.h"
#include "standard.h"

struct buf;
struct store;

/* What restore.sh does for one finding. */
enum restore_how { HOW_SCRIPT, HOW_PACKAGE, HOW_MANUAL, HOW_UNEVALUATED };

/* What restore.sh does to one path. */
enum restore_wkind { W_NONE, W_KEEP, W_DIR, W_LINK, W_FILE, W_ABSENT };

/* One path with failed findings, and what every rule that matches it asks. */
struct restore_want {
	const char *path;	/* the subject of its first finding (NUL-free) */
	size_t len;
	const Drift__FileEntry *e;	/* as the baseline has it; NULL: missing */
	enum restore_wkind kind;
	const char *owner, *group, *type, *target;
	int mode, mode_max;	/* -1: not required */
	bool has_sha, absent, exact;	/* exact: an exact-path rule requires it to exist */
	uint8_t sha[DIGEST_LEN];
	const void *data;	/* the approved content (kind W_FILE) */
	size_t dlen;
	char *why;		/* kind W_NONE: why restore.sh leaves the path alone */
	char *kind_why;		/* kind W_KEEP: why it fixes only the attributes */
	bool fixes;		/* a finding of the path is HOW_SCRIPT */
	size_t order;		/* where it was first found, while sorting */
};

/* One finding of one standard, with its rule and what the plan does about it. */
struct restore_item {
	const struct finding *f;
	const struct file_rule *fr;
	const struct package_rule *pr;
	size_t want;		/* index into wants (file findings that are not content checks) */
	enum restore_how how;
	const char *why;	/* HOW_MANUAL: why; owned by the want or static */
	char *cmd;		/* HOW_PACKAGE: the command, words quoted for the shell */
	char **argv;		/* the same as words, for restore.sh */
	size_t argc;
};

/* A plan to standards in the making: its findings, its paths and the text written so far. */
struct restore_splan {
	const struct baseline *b;
	const char *source;
	struct store *store;
	struct standard *const *stds;
	size_t nstds;
	struct evaluation *evs;	/* per standard; zeroed for one that does not apply */
	bool *applies;
	const char *manager;	/* "dpkg" or "rpm" */
	struct restore_item *items;
	size_t nitems;
	struct restore_want *wants;
	size_t nwants;
	struct buf *loaded;	/* contents read from the store */
	size_t nloaded;
	FILE *sh, *md;
	char *shbuf, *mdbuf;
	size_t shlen, mdlen;
	size_t step;
	bool oom;		/* a manual step's text could not be made */
};
/* Whether check is a content rule's (contains, not_contains, matches): never fixed by a plan. */
bool restore_is_content_check(const char *check);
/* Whether the baseline has e (NULL: it has no entry) as a t. */
bool restore_is_type(const Drift__FileEntry *e, Drift__FileType t);

/* restore.sh into pl->sh; a manual step whose text could not be made sets pl->oom. */
void restore_std_write_script(struct restore_splan *pl);
/* RUNBOOK.md into pl->md. */
void restore_std_write_runbook(struct restore_splan *pl);

#endif
