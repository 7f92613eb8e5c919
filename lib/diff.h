/* SPDX-License-Identifier: MIT */
/* diff.h - what changed between two baselines of a host. */
#ifndef DRIFT_DIFF_H
#define DRIFT_DIFF_H

#include <stddef.h>

#include "baseline.h"

enum change_kind {
	CHANGE_FILE_ADDED,
	CHANGE_FILE_REMOVED,
	CHANGE_FILE_MODIFIED,
	CHANGE_PKG_INSTALLED,
	CHANGE_PKG_REMOVED,
	CHANGE_PKG_UPGRADED,
	CHANGE_PKG_DOWNGRADED,
	CHANGE_PKG_CHANGED,	/* same version, other status (e.g. hold, config-files) */
};

/* Attributes of a modified file, in the order they are reported. */
enum {
	ATTR_TYPE = 1 << 0,
	ATTR_MODE = 1 << 1,
	ATTR_UID = 1 << 2,
	ATTR_GID = 1 << 3,
	ATTR_OWNER = 1 << 4,	/* name only (uid unchanged) */
	ATTR_GROUP = 1 << 5,
	ATTR_SIZE = 1 << 6,
	ATTR_MTIME = 1 << 7,
	ATTR_SHA256 = 1 << 8,
	ATTR_TARGET = 1 << 9,
	ATTR_RDEV = 1 << 10,
	ATTR_ERROR = 1 << 11,	/* readable then, unreadable now, or the reverse */
	ATTR_XATTRS = 1 << 12,
	ATTR_SELINUX = 1 << 13,
};
#define ATTR_COUNT 14

/* The JSON/text name of attribute bit i (0..ATTR_COUNT-1). */
const char *diff_attr_name(int i);

struct change {
	enum change_kind kind;
	unsigned attrs;		/* ATTR_* for CHANGE_FILE_MODIFIED */
	const Drift__FileEntry *old_file, *new_file;
	const Drift__PackageEntry *old_pkg, *new_pkg;
};

struct diff {
	struct change *v;	/* packages first, then files, each sorted */
	size_t n, cap;
	size_t count[CHANGE_PKG_CHANGED + 1];
	size_t npkg;		/* v[0..npkg) are package changes */
};

/*
 * Compare old and new (both validated, so sorted) in one linear merge.
 * Entries point into the baselines, which must outlive d.
 * 0 or DRIFT_ENOMEM (d is then empty).
 */
int diff_baselines(const Drift__Baseline *old, const Drift__Baseline *new_, struct diff *d);
void diff_release(struct diff *d);

/*
 * One-line summary: "2 packages upgraded, 1 installed; 3 files modified,
 * 1 added", or "no changes". Written into buf (size >= 256).
 */
const char *diff_summary(const struct diff *d, char *buf, size_t size);

/* "added", "removed", "modified", "installed", "upgraded", ... */
const char *change_kind_name(enum change_kind k);

#endif
