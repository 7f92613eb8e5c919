/* SPDX-License-Identifier: MIT */
/* store_sql.h - inside the store: the SQLite schema, cached statements, transactions (not public). */
#ifndef DRIFT_STORE_SQL_H
#define DRIFT_STORE_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "error.h"

/* Every statement the store runs, prepared once per connection (store_sql.c holds the text). */
enum store_stmt {
	ST_HOST_GET,		/* name -> id */
	ST_HOST_INSERT,
	ST_HOST_UPDATE,
	ST_LATEST,		/* host -> id, seq, taken_at_ns, entries_digest of the newest in history */
	ST_REPLAY,		/* host, taken_at_ns, entries_digest -> id */
	ST_SEEN_INSERT,
	ST_BASELINE_INSERT,
	ST_BASELINE_GET,	/* id -> host name, blob, size, zsize */
	ST_AT_TIME,		/* host, time -> id */
	ST_OLDEST,		/* host -> min taken_at_ns */
	ST_LAST_GOOD,		/* host -> id of the newest in history without a critical finding */
	ST_CONTENT_GET,		/* sha -> size */
	ST_CONTENT_INSERT,
	ST_EVENT_INSERT,
	ST_WINDOW_INSERT,
	ST_WINDOW_GET,		/* id -> until_ns, closed_at_ns */
	ST_WINDOW_CLOSE,	/* id, now */
	ST_CACHED,		/* the ones above are cached; the ones below prepared per call */
	ST_HOSTS = ST_CACHED,	/* every host with its counts, by name */
	ST_EVENTS,		/* since, until -> events by host name, then history */
	ST_WINDOWS,		/* every window, by id */
	ST_COUNT
};

struct store {
	sqlite3 *db;
	char *dir;		/* as given, for messages */
	int dirfd;		/* the store directory */
	int blobsfd;		/* DIR/blobs */
	sqlite3_stmt *stmt[ST_CACHED];
	int64_t busy_since_ns;	/* when the current wait for a lock began */
	int schema;		/* the version in use: 1 when a read-only store could not be migrated */
};

/* The schema version this build writes and reads (PRAGMA user_version). */
#define STORE_SQL_SCHEMA_VERSION 3

/*
 * Open DIR/drift.db, set the connection up (WAL, synchronous=FULL, busy
 * timeout, foreign keys) and create or check the schema, migrating an
 * older one in place (keeping its data; a store this process may not
 * write stays at its version, readable, with s->schema saying which).
 * s->dir and the directory descriptors are set by the caller.
 */
int store_sql_open(struct store *s, bool create, struct drift_error *err);
void store_sql_close(struct store *s);

/* A cached statement (id < ST_CACHED), reset and with its bindings cleared; NULL with err set. */
sqlite3_stmt *store_sql_stmt(struct store *s, enum store_stmt id, struct drift_error *err);
/* A statement of its own (sqlite3_finalize it), so a callback may use the cached ones. */
sqlite3_stmt *store_sql_prepare(struct store *s, enum store_stmt id, struct drift_error *err);

/*
 * 0 when the store's schema is at least version; else DRIFT_EVERSION
 * saying the store has no WHAT (a store this process could not migrate).
 */
int store_sql_need(struct store *s, int version, const char *what, struct drift_error *err);

/* DRIFT_EIO with "store 'DIR': WHAT: <sqlite's message>". */
int store_sql_fail(struct store *s, struct drift_error *err, const char *what);

/*
 * Transactions. store_sql_begin starts one unless one is open already
 * (then *began is false and end/rollback do nothing), so a read inside a
 * store_events callback joins the callback's snapshot. write = BEGIN
 * IMMEDIATE: writers queue on the busy timeout instead of failing late.
 */
int store_sql_begin(struct store *s, bool write, bool *began, struct drift_error *err);
int store_sql_commit(struct store *s, bool began, struct drift_error *err);
void store_sql_rollback(struct store *s, bool began);

struct store_window;
/* Every window (none before schema version 2), in the current transaction if any. */
int store_load_windows(struct store *s, struct store_window **out, size_t *n, struct drift_error *err);
/* The first window (by id) that plans a change on host shown by a baseline taken at taken_ns. */
const struct store_window *store_planned_by(const struct store_window *w, size_t n, const char *host,
    int64_t taken_ns);

#endif
