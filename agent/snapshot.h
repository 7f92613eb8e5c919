/* SPDX-License-Identifier: MIT */
/* snapshot.h - observing a host: walk, hash, capture, package state, into a bundle. */
#ifndef DRIFT_AGENT_SNAPSHOT_H
#define DRIFT_AGENT_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "agent_config.h"
#include "error.h"

struct snapshot_options {
	const char *root;	/* "/" for the live system, or a directory scanned as if it were / */
	const struct agent_config *cfg;
	unsigned jobs;		/* hashing threads; 0 = one per core */
	bool progress;		/* report progress on stderr (a terminal) */
	const char *host_id;	/* NULL: cfg->host_id, else the hostname */
};

struct snapshot_stats {
	size_t entries;		/* everything recorded */
	size_t regular;		/* regular files hashed or tried */
	size_t errors;		/* entries recorded with a reason they are incomplete */
	size_t captured;	/* contents kept */
	size_t packages;
	uint64_t bytes_hashed;
};

struct snapshot;

/*
 * Observe the host. Per-file problems (vanished, unreadable, changed while
 * being read) are recorded in the entry and never abort; only an unusable
 * root, a corrupt package database or running out of memory fail.
 */
int snapshot_take(const struct snapshot_options *o, struct snapshot **out, struct drift_error *err);

/* Write the bundle (baseline.pb + captured contents) to path, "-" = stdout. */
int snapshot_write_bundle(struct snapshot *s, const char *path, struct drift_error *err);

void snapshot_get_stats(const struct snapshot *s, struct snapshot_stats *st);
void snapshot_free(struct snapshot *s);

#endif
