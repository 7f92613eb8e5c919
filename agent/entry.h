/* SPDX-License-Identifier: MIT */
/* entry.h - the agent's compact in-memory record of one file, before encoding. */
#ifndef DRIFT_AGENT_ENTRY_H
#define DRIFT_AGENT_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "agent_config.h"
#include "digest.h"
#include "error.h"

/*
 * Kept small on purpose: 200k of these must fit the agent's 64 MiB budget,
 * so strings live in an arena and the protobuf message is built one entry
 * at a time while writing.
 */
struct wentry {
	char *path;		/* as recorded ("/etc/passwd"), arena */
	char *target;		/* symlink target, arena */
	const char *error;	/* why incomplete: static or arena string */
	char *content;		/* captured content (malloc), NULL if none */
	uint64_t size, ino, dev, rdev;
	int64_t mtime_ns, ctime_ns;
	uint32_t pathlen, targetlen;
	uint32_t mode, uid, gid, nlink;	/* names come from the idmap when encoding */
	uint32_t content_len;
	uint8_t type;		/* Drift__FileType */
	bool capture;		/* content wanted (globs and size allow it) */
	bool hashed;
	uint8_t sha256[DIGEST_LEN];
};

/* Growable list of entries in fixed blocks, so pointers stay valid. */
#define WLIST_BLOCK 4096
struct wlist {
	struct wentry **blocks;
	size_t nblocks, n;
	struct arena arena;	/* paths, targets, error strings */
};

void wlist_init(struct wlist *l);
void wlist_release(struct wlist *l);
/* A zeroed entry at the end; NULL when out of memory. */
struct wentry *wlist_push(struct wlist *l);
static inline struct wentry *
wlist_at(const struct wlist *l, size_t i)
{
	return &l->blocks[i / WLIST_BLOCK][i % WLIST_BLOCK];
}

/* uid/gid -> name, from ROOT/etc/passwd|group for a --root scan, NSS for "/". */
struct idmap;
int idmap_new(const char *root, struct idmap **out);
const char *idmap_user(struct idmap *m, uint32_t uid);
const char *idmap_group(struct idmap *m, uint32_t gid);
void idmap_free(struct idmap *m);

struct walk_options {
	const char *root;	/* "/" or a directory */
	const struct agent_config *cfg;
	struct idmap *ids;
	void (*progress)(void *ctx, size_t entries);
	void (*missing)(void *ctx, const char *path);	/* a configured path is absent */
	void *progress_ctx;	/* passed to both */
};

/*
 * Walk every configured path under root, appending entries (unsorted).
 * Never follows symlinks, never opens anything but directories, does not
 * cross into other filesystems unless cfg->cross_mounts.
 * Fails only on out-of-memory or an unusable root.
 */
int walk_paths(const struct walk_options *o, struct wlist *out, struct drift_error *err);

struct hash_stats {
	uint64_t bytes;
	size_t done, total;
};

/*
 * Hash (and capture where e->capture) every regular file of the list with
 * `jobs` threads, filling sha256/hashed/content or error. Progress is
 * polled through st while it runs when poll is given.
 */
int hash_entries(const char *root, struct wlist *l, unsigned jobs,
    void (*poll)(void *ctx, const struct hash_stats *st), void *ctx, struct drift_error *err);

/* True when content looks like a secret that must never be stored. */
bool content_is_secret(const char *data, size_t len);

#endif
