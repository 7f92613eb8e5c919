/* SPDX-License-Identifier: MIT */
/* spool.h - the directory where bundles wait, oldest first, until the collector takes them. */
#ifndef DRIFT_AGENT_SPOOL_H
#define DRIFT_AGENT_SPOOL_H

#include <stdbool.h>
#include <stdint.h>

#include "agent_config.h"
#include "error.h"

/*
 * A spool is one directory (mode 0700) of bundles named
 *
 *     <taken_at in ns, 20 digits>-<8 random hex digits>.drift
 *
 * so that sorting the names sorts the bundles oldest first. Nothing else
 * in the directory is ever listed or sent: temporary files (".tmp-*"),
 * the lock, the refused/ directory, foreign names, and entries that are
 * not regular files (a symlink is never followed, whatever its name).
 *
 * Every change is durable before the call returns: a bundle is written
 * to a temporary name, fsync'd, renamed into place and the directory
 * fsync'd; removals and moves fsync the directories they touch.
 *
 * spool.max bounds the bytes of the queue (refused/ is bounded by count
 * instead). When a new bundle would pass it, the OLDEST bundles are
 * dropped, each with a log line: after an outage, the newest state of
 * the host is what matters most, and the collector still sees every
 * change since the last bundle it took, only with coarser steps.
 *
 * One spool is used by one process at a time: spool_open takes an
 * exclusive lock on the directory and waits for another agent to finish.
 */
struct spool;

/* Called with one line (no newline) for each bundle dropped or given up on. */
typedef void (*spool_log_fn)(void *ctx, const char *msg);

/* How many refused bundles are kept in refused/ (the newest ones). */
#define SPOOL_REFUSED_KEEP 20

/* The subdirectory refused bundles are moved to. */
#define SPOOL_REFUSED_DIR "refused"

/*
 * Open (creating it and missing parents, mode 0700) the spool at dir,
 * bounded to max bytes (> 0). Refuses a dir that is a symlink, not a
 * directory, or writable by other users. log may be NULL. Temporary
 * files a crashed run left behind are removed. On success *out is set;
 * free with spool_free.
 */
int spool_open(struct spool **out, const char *dir, uint64_t max, spool_log_fn log,
    void *log_ctx, struct drift_error *err);

/* Release the lock and free sp (NULL is fine). */
void spool_free(struct spool *sp);

/* The directory, as given to spool_open. */
const char *spool_dir(const struct spool *sp);

/*
 * writer(ctx, path, err) must write a complete bundle at path (a temporary
 * name inside the spool) and return 0, or fail with a DRIFT_E* code and
 * message (a thin wrapper around snapshot_write_bundle, say).
 */
typedef int (*spool_write_fn)(void *ctx, const char *path, struct drift_error *err);

/*
 * Add a bundle taken at taken_at_ns (ns since the epoch): call writer,
 * fsync the result and rename it into place, then drop the oldest queued
 * bundles while the queue would pass max. A bundle that
 * is larger than max on its own is DRIFT_ETOOBIG and nothing is dropped.
 * On success, *name (if not NULL) is set to the new entry's name
 * (free() it). On failure, nothing of the new bundle is left behind.
 */
int spool_add(struct spool *sp, int64_t taken_at_ns, spool_write_fn writer, void *ctx,
    char **name, struct drift_error *err);

/*
 * The queued bundles, oldest first, as names relative to the directory.
 * Entries with a bundle name that are not regular files are skipped with
 * a log line. out is filled only on success; free with strlist_clear.
 */
int spool_list(struct spool *sp, struct strlist *out, struct drift_error *err);

/*
 * Open the queued bundle name for reading (never through a symlink) and
 * return its descriptor and size. DRIFT_ENOTFOUND when it is gone,
 * DRIFT_EINVAL for a name that is not a bundle name or an entry that is
 * not a regular file.
 */
int spool_open_bundle(struct spool *sp, const char *name, int *fd, uint64_t *size,
    struct drift_error *err);

/* Remove the queued bundle name (the collector has it). */
int spool_remove(struct spool *sp, const char *name, struct drift_error *err);

/*
 * Move the queued bundle name to refused/ (created 0700), then remove
 * the oldest refused bundles beyond SPOOL_REFUSED_KEEP, each with a log
 * line.
 */
int spool_refuse(struct spool *sp, const char *name, struct drift_error *err);

/* The refused bundles, oldest first (for tests and operators). */
int spool_list_refused(struct spool *sp, struct strlist *out, struct drift_error *err);

/* True when name has the form of a spooled bundle's name. */
bool spool_name_valid(const char *name);

#endif
