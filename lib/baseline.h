/* SPDX-License-Identifier: MIT */
/* baseline.h - one snapshot of one host, as read from a bundle or a .pb file. */
#ifndef DRIFT_BASELINE_H
#define DRIFT_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "digest.h"
#include "drift.pb-c.h"
#include "error.h"

/*
 * A host id: what the agent reports, the collector's certificate name, the
 * store's key. At most 64 characters, because that is all a certificate's
 * common name can carry (RFC 5280 ub-common-name).
 */
#define DRIFT_HOST_ID_MAX 64

/* The format this build writes; readers accept 1..BASELINE_FORMAT_MAX. */
#define BASELINE_FORMAT_VERSION 1
#define BASELINE_FORMAT_MAX 1

/* Limits for reading untrusted baselines and bundles. */
struct baseline_limits {
	size_t pb_max;		/* encoded baseline.pb */
	size_t content_max;	/* one captured content */
	size_t total_max;	/* everything uncompressed together */
	size_t members_max;	/* number of bundle members */
};

/* Defaults for local files: 1 GiB baseline, 64 MiB content, 4 GiB total. */
extern const struct baseline_limits baseline_default_limits;

struct content {
	uint8_t sha256[DIGEST_LEN];
	const char *data;	/* in the baseline's arena */
	size_t len;
};

struct baseline {
	Drift__Baseline *pb;	/* decoded, in arena; never NULL once loaded */
	struct arena arena;	/* owns pb and contents */
	struct content *contents;	/* open-addressed table, ncontents_cap slots */
	size_t ncontents, ncontents_cap;
	char *name;		/* where it came from, for messages */
};

/*
 * Read a bundle (tar, any compression libarchive knows) or a bare encoded
 * baseline from path ("-" = stdin). Every size is bounded by limits (NULL:
 * defaults); content members are checked against their SHA-256 names; the
 * baseline is validated (format version, absolute paths without NUL bytes,
 * digests of 32 bytes, known types, entries sorted without duplicates,
 * unknown fields kept only when their field number can be written back).
 * On failure err says "<why>" (the caller prefixes the file name).
 */
int baseline_read_file(const char *path, const struct baseline_limits *limits,
    struct baseline **out, struct drift_error *err);

/* The same from memory (what the collector receives). */
int baseline_read_memory(const char *name, const void *data, size_t len,
    const struct baseline_limits *limits, struct baseline **out, struct drift_error *err);

void baseline_free(struct baseline *b);

/* Captured content by digest; NULL when the bundle does not hold it. */
const struct content *baseline_content(const struct baseline *b, const uint8_t sha256[DIGEST_LEN]);

/* Content of a file entry if captured and present, else NULL. */
const struct content *baseline_file_content(const struct baseline *b, const Drift__FileEntry *f);

/*
 * Internal to the readers: decode an encoded Baseline into b->arena and
 * validate it; add a content blob (copied into the arena).
 */
int baseline_decode_into(struct baseline *b, const void *data, size_t len, struct drift_error *err);
int baseline_add_content(struct baseline *b, const uint8_t sha256[DIGEST_LEN],
    const void *data, size_t len);
struct baseline *baseline_new(const char *name);

/* Names: "regular", "directory", "symlink", "fifo", "socket", "char", "block", "unknown". */
const char *file_type_name(Drift__FileType t);
/* ls-style type letter: '-', 'd', 'l', 'p', 's', 'c', 'b', '?'. */
char file_type_char(Drift__FileType t);

/* "2026-11-22T10:00:00Z", with ".123456789" before Z when ns are not 0. buf >= 40. */
char *format_time_ns(int64_t ns, char *buf, size_t size);

/* Order of entries: files by path bytes; packages by name, arch, manager. */
int file_entry_cmp(const Drift__FileEntry *a, const Drift__FileEntry *b);
int package_entry_cmp(const Drift__PackageEntry *a, const Drift__PackageEntry *b);

/* Byte-wise comparison of two paths (shorter prefix first). */
int path_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

#endif
