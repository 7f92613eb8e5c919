/* SPDX-License-Identifier: MIT */
/* store_sql.c - the store's SQLite side: schema, its version and migrations, connection settings, statements. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store_sql.h"

/* Writers queue for a lock this long before the store reports itself busy. */
#define BUSY_TIMEOUT_MS 30000

/*
 * Version 1. Times are nanoseconds since the epoch (UTC); digests are 32
 * raw bytes; a blob is named by the hex SHA-256 of its file's bytes
 * (doc/internals/STORE.md).
 */
static const char schema_v1[] =
	"CREATE TABLE hosts ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" first_seen_ns INTEGER NOT NULL,"	/* received time of the first upload */
	" last_received_ns INTEGER NOT NULL,"	/* of the latest upload, stored or seen */
	" last_taken_ns INTEGER NOT NULL,"
	" last_skew_ns INTEGER NOT NULL"	/* received - taken of the latest upload */
	");"
	"CREATE TABLE baselines ("
	" id INTEGER PRIMARY KEY,"
	" host INTEGER NOT NULL REFERENCES hosts(id),"
	" seq INTEGER NOT NULL,"		/* place in the host's history: arrival order */
	" taken_at_ns INTEGER NOT NULL,"
	" received_at_ns INTEGER NOT NULL,"
	" skew_ns INTEGER NOT NULL,"
	" clock_skew INTEGER NOT NULL,"		/* taken before its predecessor */
	" entries_digest BLOB NOT NULL,"
	" blob BLOB NOT NULL,"			/* zstd of the encoded Baseline */
	" size INTEGER NOT NULL,"		/* encoded bytes */
	" zsize INTEGER NOT NULL,"		/* compressed bytes (the blob file) */
	" nfiles INTEGER NOT NULL,"
	" npackages INTEGER NOT NULL,"
	" critical INTEGER NOT NULL,"
	" warning INTEGER NOT NULL,"
	" info INTEGER NOT NULL,"
	" evaluated INTEGER NOT NULL,"		/* some standard applied */
	" UNIQUE (host, seq)"
	");"
	"CREATE INDEX baselines_taken ON baselines (host, taken_at_ns);"
	"CREATE TABLE seen ("
	" id INTEGER PRIMARY KEY,"
	" baseline INTEGER NOT NULL REFERENCES baselines(id),"
	" taken_at_ns INTEGER NOT NULL,"
	" received_at_ns INTEGER NOT NULL"
	");"
	"CREATE INDEX seen_baseline ON seen (baseline);"
	"CREATE TABLE contents ("
	" sha BLOB PRIMARY KEY,"
	" size INTEGER NOT NULL,"
	" first_seen_ns INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE events ("
	" id INTEGER PRIMARY KEY,"
	" host INTEGER NOT NULL REFERENCES hosts(id),"
	" from_id INTEGER NOT NULL REFERENCES baselines(id),"
	" to_id INTEGER NOT NULL UNIQUE REFERENCES baselines(id),"
	" from_taken_ns INTEGER NOT NULL,"
	" to_taken_ns INTEGER NOT NULL,"
	" clock_skew INTEGER NOT NULL,"
	" nchanges INTEGER NOT NULL,"
	" truncated INTEGER NOT NULL,"		/* changes left out of the texts (STORE_EVENT_MAX) */
	" changes_json TEXT NOT NULL,"
	" findings_json TEXT NOT NULL,"
	" text TEXT NOT NULL"
	");"
	"CREATE INDEX events_host ON events (host, to_taken_ns);"
	"CREATE INDEX events_taken ON events (to_taken_ns);";

/*
 * Version 2 adds maintenance windows: a change whose "to" baseline was
 * taken in [from_ns, until_ns] of a window whose hosts glob (fnmatch)
 * matches its host is planned. Closing sets closed_at_ns and brings
 * until_ns back to the closing time. Run on a version 1 store, this is
 * the whole migration: nothing else changes.
 */
static const char schema_v2[] =
	"CREATE TABLE windows ("
	" id INTEGER PRIMARY KEY,"
	" hosts TEXT NOT NULL,"			/* fnmatch(3) glob */
	" from_ns INTEGER NOT NULL,"
	" until_ns INTEGER NOT NULL,"
	" reason TEXT NOT NULL,"
	" opened_at_ns INTEGER NOT NULL,"
	" closed_at_ns INTEGER"			/* NULL while open */
	");";

/*
 * Version 3 adds alerts (lib/store_alerts.c). alerts is the history of
 * what was raised and resolved, each with the JSON the sinks receive;
 * alert_state holds one row per host and cause while it fires (the
 * deduplication, kept across restarts); deliveries is the outbox, one row
 * per alert and sink, kept after delivery as the record. alert_cursor is
 * the last event the alerter has looked at: set to the newest event when
 * the table is made, so an old store's history raises nothing.
 */
static const char schema_v3[] =
	"CREATE TABLE alerts ("
	" id INTEGER PRIMARY KEY,"
	" host TEXT NOT NULL,"
	" cause TEXT NOT NULL,"			/* critical, stale, unplanned */
	" state TEXT NOT NULL,"			/* firing, resolved */
	" summary TEXT NOT NULL,"
	" command TEXT NOT NULL,"
	" at_ns INTEGER NOT NULL,"
	" json TEXT NOT NULL"
	");"
	"CREATE TABLE alert_state ("
	" host TEXT NOT NULL,"
	" cause TEXT NOT NULL,"
	" alert INTEGER NOT NULL REFERENCES alerts(id),"	/* the firing one */
	" ref INTEGER NOT NULL,"		/* unplanned: the newest unplanned baseline */
	" PRIMARY KEY (host, cause)"
	") WITHOUT ROWID;"
	"CREATE TABLE deliveries ("
	" alert INTEGER NOT NULL REFERENCES alerts(id),"
	" sink TEXT NOT NULL,"			/* "webhook URL", "exec PROGRAM" or "syslog" */
	" attempts INTEGER NOT NULL,"
	" next_ns INTEGER NOT NULL,"
	" delivered_ns INTEGER,"		/* NULL until delivered */
	" last_error TEXT,"
	" PRIMARY KEY (alert, sink)"
	");"
	"CREATE INDEX deliveries_pending ON deliveries (sink, alert) WHERE delivered_ns IS NULL;"
	"CREATE TABLE alert_cursor ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" last_event INTEGER NOT NULL"
	");"
	"INSERT INTO alert_cursor VALUES (1, (SELECT coalesce(max(id), 0) FROM events));";

/* Each version's additions, in order: a store at version v runs the ones after it. */
static const char *const schema[] = { schema_v1, schema_v2, schema_v3 };

static const char *const stmt_sql[ST_COUNT] = {
	[ST_HOST_GET] = "SELECT id FROM hosts WHERE name = ?1",
	[ST_HOST_INSERT] = "INSERT INTO hosts (name, first_seen_ns, last_received_ns, last_taken_ns,"
	    " last_skew_ns) VALUES (?1, ?2, ?2, ?3, ?4)",
	[ST_HOST_UPDATE] = "UPDATE hosts SET last_received_ns = ?2, last_taken_ns = ?3,"
	    " last_skew_ns = ?4 WHERE id = ?1",
	[ST_LATEST] = "SELECT id, seq, taken_at_ns, entries_digest FROM baselines"
	    " WHERE host = ?1 ORDER BY seq DESC LIMIT 1",
	[ST_REPLAY] = "SELECT id FROM baselines WHERE host = ?1 AND taken_at_ns = ?2"
	    " AND entries_digest = ?3 ORDER BY seq DESC LIMIT 1",
	[ST_SEEN_INSERT] = "INSERT INTO seen (baseline, taken_at_ns, received_at_ns) VALUES (?1, ?2, ?3)",
	[ST_BASELINE_INSERT] = "INSERT INTO baselines (host, seq, taken_at_ns, received_at_ns, skew_ns,"
	    " clock_skew, entries_digest, blob, size, zsize, nfiles, npackages, critical, warning,"
	    " info, evaluated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
	    " ?15, ?16)",
	[ST_BASELINE_GET] = "SELECT h.name, b.blob, b.size, b.zsize FROM baselines b"
	    " JOIN hosts h ON h.id = b.host WHERE b.id = ?1",
	[ST_AT_TIME] = "SELECT id FROM baselines WHERE host = ?1 AND taken_at_ns <= ?2"
	    " ORDER BY seq DESC LIMIT 1",
	[ST_OLDEST] = "SELECT min(taken_at_ns) FROM baselines WHERE host = ?1",
	[ST_LAST_GOOD] = "SELECT id FROM baselines WHERE host = ?1 AND critical = 0"
	    " ORDER BY seq DESC LIMIT 1",
	[ST_CONTENT_GET] = "SELECT size FROM contents WHERE sha = ?1",
	[ST_CONTENT_INSERT] = "INSERT OR IGNORE INTO contents (sha, size, first_seen_ns) VALUES (?1, ?2, ?3)",
	[ST_EVENT_INSERT] = "INSERT INTO events (host, from_id, to_id, from_taken_ns, to_taken_ns,"
	    " clock_skew, nchanges, truncated, changes_json, findings_json, text)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[ST_WINDOW_INSERT] = "INSERT INTO windows (hosts, from_ns, until_ns, reason, opened_at_ns)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_WINDOW_GET] = "SELECT until_ns, closed_at_ns FROM windows WHERE id = ?1",
	[ST_WINDOW_CLOSE] = "UPDATE windows SET closed_at_ns = ?2, until_ns = min(until_ns, ?2)"
	    " WHERE id = ?1 AND closed_at_ns IS NULL",
	[ST_HOSTS] = "SELECT h.name, h.first_seen_ns, h.last_received_ns, h.last_taken_ns,"
	    " h.last_skew_ns, (SELECT count(*) FROM baselines x WHERE x.host = h.id),"
	    " (SELECT count(*) FROM events e WHERE e.host = h.id), b.critical, b.warning, b.evaluated"
	    " FROM hosts h JOIN baselines b ON b.host = h.id"
	    " AND b.seq = (SELECT max(seq) FROM baselines y WHERE y.host = h.id)"
	    " ORDER BY h.name",
	[ST_EVENTS] = "SELECT h.name, e.from_taken_ns, e.to_taken_ns, e.from_id, e.to_id, e.clock_skew,"
	    " e.changes_json, e.findings_json, e.text, e.nchanges, e.truncated"
	    " FROM events e JOIN hosts h ON h.id = e.host JOIN baselines b ON b.id = e.to_id"
	    " WHERE e.to_taken_ns BETWEEN ?1 AND ?2 ORDER BY h.name, b.seq",
	[ST_WINDOWS] = "SELECT id, hosts, from_ns, until_ns, reason, closed_at_ns FROM windows ORDER BY id",
};

/*
 * Waiting for another connection's lock. SQLite's own busy timeout sleeps
 * in steps of up to 100 ms, long beside a commit that holds the lock for
 * one fsync; short, growing sleeps keep concurrent ingests flowing.
 */
static int
busy_wait(void *ctx, int count)
{
	struct store *s = ctx;
	struct timespec ts;
	int64_t now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (count == 0)
		s->busy_since_ns = now;
	if (now - s->busy_since_ns > (int64_t)BUSY_TIMEOUT_MS * 1000000)
		return 0;
	ts.tv_sec = 0;
	ts.tv_nsec = 50000L << (count < 6 ? count : 6);	/* 50 us .. 3.2 ms */
	nanosleep(&ts, NULL);
	return 1;
}

int
store_sql_fail(struct store *s, struct drift_error *err, const char *what)
{
	int rc = s->db ? sqlite3_extended_errcode(s->db) : SQLITE_ERROR;

	if (rc == SQLITE_BUSY || (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return drift_error_set(err, DRIFT_EIO,
		    "store '%s': %s: the database stayed locked for %d s (another writer is busy; try again)",
		    s->dir, what, BUSY_TIMEOUT_MS / 1000);
	return drift_error_set(err, DRIFT_EIO, "store '%s': %s: %s", s->dir, what,
	    s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
}

int
store_sql_need(struct store *s, int version, const char *what, struct drift_error *err)
{
	if (s->schema >= version)
		return 0;
	return drift_error_set(err, DRIFT_EVERSION,
	    "store '%s' is at schema version %d and has no %s; "
	    "open it once as its owner (drift-collector) to upgrade it", s->dir, s->schema, what);
}

sqlite3_stmt *
store_sql_prepare(struct store *s, enum store_stmt id, struct drift_error *err)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db, stmt_sql[id], -1, &st, NULL) != SQLITE_OK) {
		store_sql_fail(s, err, "preparing a statement");
		return NULL;
	}
	return st;
}

sqlite3_stmt *
store_sql_stmt(struct store *s, enum store_stmt id, struct drift_error *err)
{
	sqlite3_stmt *st = s->stmt[id];

	if (st == NULL) {
		if (sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
			store_sql_fail(s, err, "preparing a statement");
			return NULL;
		}
		s->stmt[id] = st;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

static int
exec(struct store *s, const char *sql, const char *what, struct drift_error *err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_sql_fail(s, err, what);
	return 0;
}

int
store_sql_begin(struct store *s, bool write, bool *began, struct drift_error *err)
{
	int r;

	*began = false;
	if (!sqlite3_get_autocommit(s->db))
		return 0;
	if ((r = exec(s, write ? "BEGIN IMMEDIATE" : "BEGIN", "starting a transaction", err)) < 0)
		return r;
	*began = true;
	return 0;
}

int
store_sql_commit(struct store *s, bool began, struct drift_error *err)
{
	int r;

	if (!began)
		return 0;
	if ((r = exec(s, "COMMIT", "committing", err)) < 0) {
		store_sql_rollback(s, began);
		return r;
	}
	return 0;
}

void
store_sql_rollback(struct store *s, bool began)
{
	int i;

	if (!began || sqlite3_get_autocommit(s->db))
		return;
	/* A statement still stepping would make ROLLBACK fail with SQLITE_BUSY. */
	for (i = 0; i < ST_CACHED; i++)
		if (s->stmt[i] != NULL)
			sqlite3_reset(s->stmt[i]);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static int
user_version(struct store *s, int *v, struct drift_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return store_sql_fail(s, err, "reading the schema version");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_sql_fail(s, err, "reading the schema version");
	return 0;
}

/* Number of tables: an empty database is not a store unless we create one. */
static int
table_count(struct store *s, int *n, struct drift_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
	    -1, &st, NULL) != SQLITE_OK)
		return store_sql_fail(s, err, "reading the schema");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_sql_fail(s, err, "reading the schema");
	return 0;
}

static int
check_version(struct store *s, int v, struct drift_error *err)
{
	if (v > STORE_SQL_SCHEMA_VERSION)
		return drift_error_set(err, DRIFT_EVERSION,
		    "store '%s' has schema version %d, newer than this drift understands (%d): "
		    "upgrade drift", s->dir, v, STORE_SQL_SCHEMA_VERSION);
	if (v < 1)
		return drift_error_set(err, DRIFT_EFORMAT,
		    "store '%s': drift.db has no drift schema (schema version %d)", s->dir, v);
	return 0;
}

static int
create_schema(struct store *s, struct drift_error *err)
{
	char pragma[64];
	bool began;
	size_t i;
	int v = 0, n = 0, r;

	if ((r = store_sql_begin(s, true, &began, err)) < 0)
		return r;
	/* Another process may have created it while we waited for the lock. */
	if ((r = user_version(s, &v, err)) < 0)
		goto out;
	if (v != 0) {
		r = check_version(s, v, err);
		goto out;
	}
	if ((r = table_count(s, &n, err)) < 0)
		goto out;
	if (n != 0) {
		r = drift_error_set(err, DRIFT_EFORMAT,
		    "store '%s': drift.db holds tables that are not drift's; refusing to touch it", s->dir);
		goto out;
	}
	for (i = 0; i < sizeof(schema) / sizeof(schema[0]); i++)
		if ((r = exec(s, schema[i], "creating the schema", err)) < 0)
			goto out;
	/* A constant, not data: PRAGMA takes no parameters. */
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", STORE_SQL_SCHEMA_VERSION);
	if ((r = exec(s, pragma, "setting the schema version", err)) < 0)
		goto out;
	r = store_sql_commit(s, began, err);
	began = false;
out:
	store_sql_rollback(s, began);
	return r;
}

static bool
readonly(struct store *s)
{
	return (sqlite3_extended_errcode(s->db) & 0xff) == SQLITE_READONLY;
}

/*
 * Bring an older store to this version in one transaction (another
 * process may have done it while we waited for the lock). A store we may
 * not write stays at its version: *v says so, and it is read as it is.
 */
static int
migrate(struct store *s, int *v, struct drift_error *err)
{
	char pragma[64], what[64];
	bool began;
	int r, from;

	if ((r = store_sql_begin(s, true, &began, err)) < 0)
		return readonly(s) ? 0 : r;
	if ((r = user_version(s, v, err)) < 0)
		goto out;
	if (*v < 1 || *v >= STORE_SQL_SCHEMA_VERSION) {
		r = 0;
		goto out;
	}
	from = *v;
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", STORE_SQL_SCHEMA_VERSION);
	snprintf(what, sizeof(what), "migrating the schema from version %d to %d", from,
	    STORE_SQL_SCHEMA_VERSION);
	for (; *v < STORE_SQL_SCHEMA_VERSION; (*v)++)
		if (sqlite3_exec(s->db, schema[*v], NULL, NULL, NULL) != SQLITE_OK)
			break;
	if (*v < STORE_SQL_SCHEMA_VERSION ||
	    sqlite3_exec(s->db, pragma, NULL, NULL, NULL) != SQLITE_OK) {
		*v = from;
		r = readonly(s) ? 0 : store_sql_fail(s, err, what);
		goto out;
	}
	r = store_sql_commit(s, began, err);
	began = false;
	if (r < 0)
		*v = from;
out:
	store_sql_rollback(s, began);
	return r;
}

int
store_sql_open(struct store *s, bool create, struct drift_error *err)
{
	char path[4096];
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
	int v = 0, rc, r;

	if ((size_t)snprintf(path, sizeof(path), "%s/drift.db", s->dir) >= sizeof(path))
		return drift_error_set(err, DRIFT_EINVAL, "store '%s': path too long", s->dir);
	rc = sqlite3_open_v2(path, &s->db, flags, NULL);
	if (rc != SQLITE_OK) {
		if (rc == SQLITE_CANTOPEN && !create)
			r = drift_error_set(err, DRIFT_ENOTFOUND,
			    "store '%s' has no drift.db (not a drift store, or not created yet)", s->dir);
		else
			r = store_sql_fail(s, err, "opening drift.db");
		return r;
	}
	sqlite3_extended_result_codes(s->db, 1);
	if (sqlite3_busy_handler(s->db, busy_wait, s) != SQLITE_OK)
		return store_sql_fail(s, err, "setting the busy handler");
	if ((r = exec(s, "PRAGMA foreign_keys = ON", "enabling foreign keys", err)) < 0 ||
	    (r = exec(s, "PRAGMA synchronous = FULL", "setting synchronous=FULL", err)) < 0)
		return r;
	if ((r = user_version(s, &v, err)) < 0)
		return r;
	if (v == 0 && create) {
		/* WAL is a property of the file: set it once, before the schema. */
		if ((r = exec(s, "PRAGMA journal_mode = WAL", "switching to WAL", err)) < 0)
			return r;
		if ((r = create_schema(s, err)) < 0)
			return r;
		if ((r = user_version(s, &v, err)) < 0)
			return r;
	}
	if ((r = check_version(s, v, err)) < 0)
		return r;
	if (v < STORE_SQL_SCHEMA_VERSION && (r = migrate(s, &v, err)) < 0)
		return r;
	s->schema = v;
	return 0;
}

void
store_sql_close(struct store *s)
{
	int i;

	for (i = 0; i < ST_CACHED; i++) {
		sqlite3_finalize(s->stmt[i]);
		s->stmt[i] = NULL;
	}
	if (s->db != NULL)
		sqlite3_close(s->db);
	s->db = NULL;
}
