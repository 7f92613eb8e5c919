/* SPDX-License-Identifier: MIT */
/* stdgen.h - writing a standard (drift-standard(5) YAML) that holds hosts to a known-good baseline. */
#ifndef DRIFT_STDGEN_H
#define DRIFT_STDGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "baseline.h"
#include "buf.h"

/* The largest standard file the loader reads; a bigger one would be useless. */
#define STDGEN_MAX ((size_t)4 << 20)

struct stdgen_options {
	const char *const *paths;	/* globs (glob.h) selecting files; none: "/etc/" "**" */
	size_t npaths;
	bool hashes;		/* add sha256 checks for regular files */
	const char *name;	/* `standard:`; NULL: "baseline-<host>" */
	const char *source;	/* the baseline's file name, for the header comment */
	time_t now;		/* when it was generated, for the header comment */
};

struct stdgen_stats {
	size_t files;		/* file rules written */
	size_t packages;	/* package rules written */
	size_t skipped;		/* paths (or package names) left out: not UTF-8 or control characters */
};

/*
 * Append to out a standard for baseline b: every installed package (status
 * not config-files) required at ">= its version"; every file matching
 * o->paths with its owner, group, mode (not for symlinks), type (when not
 * regular), symlink target and, with o->hashes, sha256. Every scalar is a
 * double-quoted YAML string. Entries YAML cannot carry exactly (a path or
 * name that is not valid UTF-8 or holds control characters) are left out
 * with a comment saying so and counted in st->skipped; checks that cannot
 * be written for a kept entry (an odd owner name or symlink target) are
 * left out with a comment. An owner or group with no name on the host is
 * written as its number, which is how drift check compares it. out is limited by its max
 * (STDGEN_MAX makes sure the standard loads): DRIFT_ETOOBIG when it would
 * not fit, DRIFT_ENOMEM; out is restored on failure. st may be NULL.
 */
int stdgen_write(struct buf *out, const struct baseline *b, const struct stdgen_options *o,
    struct stdgen_stats *st);

/*
 * Can s[0..len) be written as a YAML double-quoted scalar that reads back
 * as exactly these bytes without escapes? Valid UTF-8 without C0/C1
 * control characters, DEL, or the YAML line breaks U+2028/U+2029, and no
 * U+FEFF, U+FFFE, U+FFFF.
 */
bool stdgen_yaml_safe(const void *s, size_t len);

#endif
