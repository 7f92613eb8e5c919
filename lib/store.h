/* SPDX-License-Identifier: MIT */
/* store.h - the collector's durable record: hosts, baselines, contents, change events. */
#ifndef DRIFT_STORE_H
#define DRIFT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "baseline.h"
#include "error.h"
#include "standard.h"

/*
 * A store is a directory: DIR/drift.db (SQLite, WAL, synchronous=FULL) and
 * DIR/blobs/ab/<sha256 hex> (captured contents, once per distinct content
 * across the fleet; encoded baselines, zstd). Several processes may use one
 * store at once (SQLite locking; writers wait, bounded by a busy timeout).
 *
 * A host's history is the order in which its baselines arrived (spooled
 * baselines are sent oldest first); taken_at is shown, and a baseline whose
 * taken_at is earlier than its predecessor's is flagged as clock skew, never
 * moved. HOST@TIME means the newest baseline in history whose taken_at is
 * at or before TIME. doc/internals/STORE.md has the schema and the order
 * in which things are made durable.
 *
 * A struct store is one SQLite connection: use it from one thread at a
 * time (open one per thread).
 */
struct store;

/* The on-disk schema this build creates and reads (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 3

/*
 * Largest changes_json or text of one event. A bigger change set keeps
 * the first changes that fit, in both, and counts the rest in
 * store_event.truncated (drift diff HOST@#FROM HOST@#TO shows them all).
 */
#define STORE_EVENT_MAX ((size_t)64 << 20)

/*
 * A host id the store accepts: 1 to DRIFT_HOST_ID_MAX (64) bytes of [A-Za-z0-9._-], not
 * "." or "..". Checked before a host id reaches SQL or the file system.
 */
bool store_host_id_valid(const char *host);

/*
 * Open (creating DIR, DIR/blobs and the schema when create is set).
 * DRIFT_ENOTFOUND: no store at DIR (and create not set); DRIFT_EVERSION:
 * the schema is newer than this build; DRIFT_EFORMAT: drift.db is not a
 * drift store; DRIFT_EIO: anything else.
 */
int store_open(const char *dir, bool create, struct store **out, struct drift_error *err);
/* NULL is fine. */
void store_close(struct store *s);

struct ingest_result {
	int64_t baseline_id;
	bool unchanged;		/* same entries as the host's latest: recorded as seen only */
	char host[256];
	int64_t taken_at_ns;
	size_t changes;		/* against the previous baseline (0 for the first) */
	size_t new_critical;	/* critical findings the previous baseline did not have */
};

/*
 * Make a received bundle durable, or refuse it leaving the store as it was:
 * read it under limits; when expect_host is set (the client certificate's
 * name) refuse a host_id that differs (DRIFT_EINVAL, err says both names);
 * store the baseline and its contents; diff against the host's previous
 * baseline and evaluate it against every standard in stds that applies;
 * record the event. One transaction, fsync'd before returning 0.
 * Errors: DRIFT_EFORMAT/ETOOBIG/EVERSION (bad bundle: a 4xx), DRIFT_EINVAL
 * (wrong host: 403), DRIFT_EIO (store trouble: 503), DRIFT_ENOMEM.
 *
 * "Unchanged" means the same entries (files and packages, every field)
 * as the host's latest baseline, whatever taken_at says; it is also
 * answered for an exact replay (same taken_at and entries) of any
 * earlier baseline of the host, which res->baseline_id then names, so a
 * retried upload is never stored twice. Either way a `seen` row records
 * the upload. Contents are kept when a file entry of the baseline refers
 * to them (content_captured); other bundle members are ignored. An event
 * is recorded when the diff against the previous baseline is not empty.
 * For a host's first baseline, new_critical counts all its critical
 * failures. stds may be NULL when nstds is 0. res is written only on
 * success.
 */
int store_ingest(struct store *s, const void *bundle, size_t len,
    const struct baseline_limits *limits, const char *expect_host,
    const struct standard *const *stds, size_t nstds, int64_t received_at_ns,
    struct ingest_result *res, struct drift_error *err);

/*
 * Load a baseline by reference: "HOST@latest", "HOST@TIME" (TIME as
 * parsed by time_parse in timeparse.h, relative to now), HOST@#ID, or
 * "HOST@last-good" (the newest in history with no critical finding; one
 * no standard applied to counts as good). Contents included, each checked
 * against its SHA-256. (*out)->name is ref. DRIFT_EINVAL: not a reference
 * (err says the accepted forms); DRIFT_ENOTFOUND: no such host, no baseline
 * at or before TIME (err says when the oldest was taken), no baseline #ID
 * of that host, or no good one;
 * DRIFT_EIO/EFORMAT: the store is damaged (a blob missing or altered).
 */
int store_load(struct store *s, const char *ref, struct baseline **out, struct drift_error *err);

/*
 * A captured content by its SHA-256, whichever host's baseline brought it
 * (the store keeps each content once across the fleet), checked against
 * the digest and read into *out, which is set up here (the caller frees it
 * with buf_release; it is left empty on failure). DRIFT_ENOTFOUND: the store
 * holds no such content; DRIFT_ETOOBIG: it is larger than max bytes;
 * DRIFT_EIO/EFORMAT: the store is damaged.
 */
struct buf;
int store_content(struct store *s, const uint8_t sha256[DIGEST_LEN], size_t max, struct buf *out,
    struct drift_error *err);

struct store_host {
	char *host;
	int64_t first_seen_ns, last_report_ns;	/* received time of the latest upload */
	int64_t last_taken_ns;
	size_t baselines;	/* distinct baselines stored */
	size_t changes;		/* events with changes */
	size_t critical, warning;	/* findings of the latest baseline */
	bool evaluated;		/* some standard applied */
	int64_t skew_ns;	/* received - taken of the latest upload */
};

/* Every host, sorted by name. Free with store_hosts_free. */
int store_hosts(struct store *s, struct store_host **out, size_t *n, struct drift_error *err);
void store_hosts_free(struct store_host *v, size_t n);

/*
 * A maintenance window: changes on hosts matching the glob whose first
 * baseline showing them was taken in [from, until] are planned.
 */
struct store_window {
	int64_t id;
	char *hosts;		/* fnmatch(3) glob */
	int64_t from_ns, until_ns;
	char *reason;
	bool closed;
	int64_t closed_ns;	/* when closed; 0 while open */
};

/* Longest hosts glob and reason a window takes, in bytes. */
#define STORE_WINDOW_HOSTS_MAX 255
#define STORE_WINDOW_REASON_MAX 1024

/*
 * Open a window for hosts matching hosts_glob over [from_ns, until_ns].
 * DRIFT_EINVAL (err says why): an empty or over-long glob or reason, one
 * with control characters, or until_ns before from_ns. DRIFT_EVERSION: a
 * read-only store still at schema version 1. *id is the new window's.
 */
int store_window_open(struct store *s, const char *hosts_glob, int64_t from_ns, int64_t until_ns,
    const char *reason, int64_t *id, struct drift_error *err);

/*
 * Close window id at now_ns: it ends at now_ns if it would have ended
 * later, so changes shown later are unplanned while those already
 * planned stay planned. DRIFT_ENOTFOUND: no such window; DRIFT_EINVAL:
 * it was closed already (err says when).
 */
int store_window_close(struct store *s, int64_t id, int64_t now_ns, struct drift_error *err);

/* Every window, oldest first (by id). Free with store_windows_free. */
int store_windows(struct store *s, struct store_window **out, size_t *n, struct drift_error *err);
void store_windows_free(struct store_window *v, size_t n);

/* One change event: two consecutive baselines of a host that differ. */
struct store_event {
	const char *host;
	int64_t from_taken_ns, to_taken_ns;
	int64_t from_id, to_id;
	bool clock_skew;
	const char *changes_json;	/* JSON array, as in drift diff's "changes" */
	const char *findings_json;	/* JSON array of findings new in "to" */
	const char *text;	/* the same for people (drift report text) */
	size_t nchanges;
	size_t truncated;	/* changes left out of changes_json and text (STORE_EVENT_MAX) */
	bool planned;		/* "to" was taken inside a window for this host */
	const char *reason;	/* that window's reason (the first opened); NULL if unplanned */
	int64_t window_id;	/* that window; 0 if unplanned */
};

/*
 * Events of hosts matching host_glob (NULL = all) whose "to" baseline was
 * taken in [since, until], per host oldest first, hosts by name. The
 * callback's event is valid during the call only; a non-zero return stops
 * and is returned. The callback may call store_load (it sees the same
 * snapshot of the store) but not store_ingest. host_glob is fnmatch(3),
 * like a standard's applies_to.hosts. Whether an event is planned is
 * decided here, against the windows as they are now (closing one only
 * moves its end to the closing time, so that never unplans an event).
 */
int store_events(struct store *s, const char *host_glob, int64_t since_ns, int64_t until_ns,
    int (*fn)(void *ctx, const struct store_event *ev), void *ctx, struct drift_error *err);

#endif
