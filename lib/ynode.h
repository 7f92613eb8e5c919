/* SPDX-License-Identifier: MIT */
/* ynode.h - YAML documents as a small tree, with typed readers that report FILE:LINE:COL. */
#ifndef DRIFT_YNODE_H
#define DRIFT_YNODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/*
 * One YAML document (agent config, standards, collector config) loaded
 * whole into a tree of scalars, sequences and mappings. Everything is kept
 * as text: the typed readers below decide what a scalar means, so "yes" is
 * a string where a string is wanted and a boolean where a boolean is.
 *
 * Refused while loading, each as "FILE:LINE:COL: what went wrong":
 *   - YAML syntax errors and input that is not UTF-8/UTF-16;
 *   - anchors and aliases (no "billion laughs"), and explicit tags;
 *   - mapping keys that are not scalars, and duplicate keys;
 *   - more than one document in a stream;
 *   - nesting deeper than YDOC_MAX_DEPTH.
 * Those return DRIFT_EFORMAT; value problems found by the readers return
 * DRIFT_EINVAL.
 */

#define YDOC_MAX_DEPTH	64

enum ynode_type { YNODE_SCALAR, YNODE_SEQ, YNODE_MAP };

struct ynode {
	enum ynode_type type;
	unsigned line, col;	/* 1-based position in the file */
	char *scalar;		/* YNODE_SCALAR: NUL-terminated (may hold NULs too) */
	size_t len;		/* scalar length */
	int quoted;		/* scalar was not plain: quoted, '|' or '>' */
	struct ynode **keys;	/* YNODE_MAP: keys[i] (scalars) -> items[i] */
	struct ynode **items;	/* YNODE_SEQ items / YNODE_MAP values */
	size_t n;
};

struct ydoc {
	struct ynode *root;	/* never NULL after a successful load */
	char *file;		/* the name used in messages */
};

/*
 * Load at most max_bytes of path into doc; 0 or a negative DRIFT_E* code
 * with err filled. A missing file is DRIFT_ENOTFOUND, one larger than
 * max_bytes DRIFT_ETOOBIG, anything but a regular file DRIFT_EINVAL. A
 * stream with no document (empty, or only comments) and a bare "---" load
 * as an empty mapping. doc is written only on success; release it with
 * ydoc_release.
 */
int ydoc_load_file(struct ydoc *doc, const char *path, size_t max_bytes,
    struct drift_error *err);

/* The same from memory; name is what messages call the input. */
int ydoc_load_string(struct ydoc *doc, const char *name, const char *text,
    size_t len, struct drift_error *err);

/* Free everything doc holds; accepts a zeroed doc. */
void ydoc_release(struct ydoc *doc);

/* The value of key in map, or NULL (also when map is NULL or not a map). */
const struct ynode *ynode_get(const struct ynode *map, const char *key);

/* True for a plain "", "~", "null", "Null" or "NULL" scalar. */
bool ynode_is_null(const struct ynode *n);

/* A name for n's kind in messages: "a mapping", "a list", "a value". */
const char *ynode_kind(const struct ynode *n);

/*
 * Set err to code and "FILE:LINE:COL: " + the message, at n's position
 * (FILE alone when n is NULL); returns code.
 */
int ynode_error(const struct ydoc *doc, const struct ynode *n,
    struct drift_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * The typed readers. `what` names the setting in messages (a key such as
 * "capture_max" or a dotted path such as "spool.max"); a bad value fails
 * with DRIFT_EINVAL and "FILE:LINE:COL: WHAT: expected ..., got ...".
 * Outputs are written only on success.
 */

/*
 * Check that map is a mapping whose keys are all in the NULL-terminated
 * list known; otherwise "unknown key 'mdoe' (did you mean 'mode'?)" at the
 * key. what (NULL at the top level) prefixes the message.
 */
int ynode_check_keys(const struct ydoc *doc, const struct ynode *map,
    const char *what, const char *const *known, struct drift_error *err);

/* A non-null scalar without NUL bytes; *out is a malloc'd copy. */
int ynode_string(const struct ydoc *doc, const struct ynode *n,
    const char *what, char **out, struct drift_error *err);

/* true/false/yes/no/on/off, any case. */
int ynode_bool(const struct ydoc *doc, const struct ynode *n,
    const char *what, bool *out, struct drift_error *err);

/*
 * A scalar (a list of one) or a list of scalars, each as by ynode_string;
 * "[]" is an empty list, null is refused. *out is a malloc'd array of *n
 * malloc'd strings followed by NULL; free it with ynode_strv_free.
 */
int ynode_strlist(const struct ydoc *doc, const struct ynode *n,
    const char *what, char ***out, size_t *count, struct drift_error *err);
void ynode_strv_free(char **v);

/*
 * A byte count: "512" (bytes), "512B", decimal kB/MB/GB/TB (10^3 steps)
 * or binary KiB/MiB/GiB/TiB (2^10 steps); unit letters in any case, a
 * space allowed before the unit. Single-letter units (K, M, G, T) are
 * refused as ambiguous; so are fractions, signs and overflow.
 */
int ynode_size(const struct ydoc *doc, const struct ynode *n,
    const char *what, uint64_t *out, struct drift_error *err);

/*
 * A duration in seconds: a plain integer, or number-unit pairs with units
 * s, m, h, d, w ("90s", "15m", "2h", "1d", "1h30m"). Overflow is refused.
 */
int ynode_duration(const struct ydoc *doc, const struct ynode *n,
    const char *what, uint64_t *seconds, struct drift_error *err);

/* A decimal integer from 0 to max. */
int ynode_uint(const struct ydoc *doc, const struct ynode *n,
    const char *what, uint64_t *out, uint64_t max, struct drift_error *err);

/*
 * The candidate (from the NULL-terminated list) closest to word by edit
 * distance with transpositions, when close enough to be a likely typo
 * (distance 1, or 2 for words of five bytes or more); else NULL.
 */
const char *drift_suggest(const char *word, const char *const *candidates);

#endif
