/* SPDX-License-Identifier: MIT */
/* stddiff.h - what changed between two versions of a standard, and whether each change tightens or loosens it. */
#ifndef DRIFT_STDDIFF_H
#define DRIFT_STDDIFF_H

#include <stddef.h>
#include <stdio.h>

#include "standard.h"

/* What happened to a requirement. */
enum stddiff_kind {
	STDDIFF_ADDED,		/* a rule, check, list item or glob that was not there */
	STDDIFF_REMOVED,	/* one that is gone */
	STDDIFF_TIGHTENED,	/* a value that now demands more */
	STDDIFF_LOOSENED,	/* a value that now demands less */
	STDDIFF_CHANGED,	/* a value that differs with no clear direction */
};

/*
 * What it means for hosts held to the standard. Every change has one, so
 * an auditor can filter on it alone: ADDED is TIGHTENED (except for a
 * description or remedy, which demand nothing), REMOVED is LOOSENED.
 */
enum stddiff_direction {
	STDDIFF_DIR_TIGHTENED,
	STDDIFF_DIR_LOOSENED,
	STDDIFF_DIR_CHANGED,	/* neither: different, not stricter or laxer */
};
#define STDDIFF_NDIR 3

enum stddiff_rule_type {
	STDDIFF_METADATA,	/* the standard's own name, version, description */
	STDDIFF_APPLIES_TO,	/* applies_to.hosts / applies_to.os */
	STDDIFF_FILE,		/* a files: rule, keyed by its path */
	STDDIFF_PACKAGE,	/* a packages: rule, keyed by name (required and forbidden share it) */
};

/*
 * One change. attribute is one of "rule" (a whole rule added or removed),
 * "mode", "mode_max", "owner", "group", "type", "target", "sha256",
 * "contains", "not_contains", "matches", "absent", "severity", "version",
 * "forbidden", "required" (a package rule now forbids / now requires the
 * package), "hosts", "os", "description", "remedy", "id", "name"
 * (metadata: the standard's name).
 */
struct stddiff_change {
	enum stddiff_kind kind;
	enum stddiff_direction direction;
	enum stddiff_rule_type rule_type;
	char *subject;		/* path, package name, glob (applies_to) or standard name */
	const char *rule;	/* rule id (new one if present, else old); NULL for
				 * metadata and applies_to */
	const char *attribute;	/* static */
	char *old, *new_;	/* the values as text; NULL when there was none */
	char *message;		/* "mode of /etc/ssh/sshd_config loosened from 0600 to 0644" */
	const struct rule_origin *old_origin, *new_origin;	/* NULL when none */
};

struct stddiff {
	struct stddiff_change *v;	/* metadata, applies_to, files by path, packages by name */
	size_t n, cap;
	size_t count[STDDIFF_NDIR];	/* changes per direction */
	const struct standard *old, *new_;
};

/*
 * Compare two loaded standards (includes resolved): file rules matched by
 * path, package rules by name. d points into both; they must outlive it.
 * 0 or DRIFT_ENOMEM (d is then empty). Release d with stddiff_release.
 */
int stddiff_compare(const struct standard *old, const struct standard *new_, struct stddiff *d);
void stddiff_release(struct stddiff *d);

/* "added", "removed", "tightened", "loosened", "changed" */
const char *stddiff_kind_name(enum stddiff_kind k);
/* "tightened", "loosened", "changed" */
const char *stddiff_direction_name(enum stddiff_direction dir);
/* "metadata", "applies_to", "file", "package" */
const char *stddiff_rule_type_name(enum stddiff_rule_type t);

/*
 * "3 requirements tightened, 1 loosened, 2 changed", or "no differences".
 * Into buf (size >= 128).
 */
const char *stddiff_summary(const struct stddiff *d, char *buf, size_t size);

/* Output formats: "text" (grouped by direction), "json", "markdown" (a table). */
struct stddiff_format {
	const char *name;
	/* 0 or DRIFT_EIO when writing f failed. */
	int (*render)(FILE *f, const struct stddiff *d);
};

/* The format called name, or NULL. */
const struct stddiff_format *stddiff_format_find(const char *name);

#endif
