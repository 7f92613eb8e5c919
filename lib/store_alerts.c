/* SPDX-License-Identifier: MIT */
/* store_alerts.c - alerts in the store: raising and resolving them, the outbox, listing. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "baseline.h"
#include "buf.h"
#include "json.h"
#include "store_sql.h"

#define NS	1000000000LL

/* Longest summary or command we write; hosts and reasons are bounded well below. */
#define TEXT_MAX	4096

static const char *const cause_names[ALERT_CAUSES] = {
	[ALERT_CRITICAL] = "critical",
	[ALERT_STALE] = "stale",
	[ALERT_UNPLANNED] = "unplanned",
};

const char *
alert_cause_name(enum alert_cause c)
{
	return (unsigned)c < ALERT_CAUSES ? cause_names[c] : "?";
}

/* One host and cause that fires now (a row of alert_state). */
struct firing {
	char *host;
	enum alert_cause cause;
	int64_t alert;
	int64_t ref;
	bool gone;		/* resolved during this update */
};

struct update {
	struct store *s;
	const struct alert_policy *p;
	int64_t now;
	struct firing *v;
	size_t n, cap;
	struct store_window *win;
	size_t nwin;
	size_t raised;
	struct drift_error *err;
};

static int
sql_fail(struct update *u, const char *what)
{
	return store_sql_fail(u->s, u->err, what);
}

static sqlite3_stmt *
prepare(struct store *s, const char *sql, struct drift_error *err)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_sql_fail(s, err, "preparing an alert statement");
		return NULL;
	}
	return st;
}

/* Run a statement that returns no rows, then finalize it. */
static int
run(struct store *s, sqlite3_stmt *st, const char *what, struct drift_error *err)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE) {
		store_sql_fail(s, err, what);
		sqlite3_finalize(st);
		return DRIFT_EIO;
	}
	sqlite3_finalize(st);
	return 0;
}

static struct firing *
find(struct update *u, const char *host, enum alert_cause cause)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		if (!u->v[i].gone && u->v[i].cause == cause && strcmp(u->v[i].host, host) == 0)
			return &u->v[i];
	return NULL;
}

static int
remember(struct update *u, const char *host, enum alert_cause cause, int64_t alert, int64_t ref)
{
	struct firing *nv;

	if (u->n == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 16;
		if ((nv = realloc(u->v, u->cap * sizeof(*nv))) == NULL)
			return drift_error_set(u->err, DRIFT_ENOMEM, "out of memory");
		u->v = nv;
	}
	memset(&u->v[u->n], 0, sizeof(u->v[u->n]));
	if ((u->v[u->n].host = strdup(host)) == NULL)
		return drift_error_set(u->err, DRIFT_ENOMEM, "out of memory");
	u->v[u->n].cause = cause;
	u->v[u->n].alert = alert;
	u->v[u->n].ref = ref;
	u->n++;
	return 0;
}

/* "3h 5m", "2d 4h", "45s": the two largest units that are not 0. */
static void
format_duration(int64_t ns, char *out, size_t size)
{
	static const struct { int64_t s; char unit; } units[] = {
		{ 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' },
	};
	int64_t sec = ns > 0 ? ns / NS : 0;
	size_t i, used = 0;
	int parts = 0;

	out[0] = '\0';
	for (i = 0; i < sizeof(units) / sizeof(units[0]) && parts < 2; i++) {
		int64_t q = sec / units[i].s;

		if (q == 0)
			continue;	/* "3h 5s", not "3h 0m 5s" */
		used += (size_t)snprintf(out + used, size > used ? size - used : 0, "%s%" PRId64 "%c",
		    parts > 0 ? " " : "", q, units[i].unit);
		sec -= q * units[i].s;
		parts++;
	}
	if (parts == 0)
		snprintf(out, size, "0s");
}

/* Whole seconds, UTC, as drift prints and time_parse reads them. */
static char *
format_second(int64_t ns, char *buf, size_t size)
{
	int64_t s = ns / NS - (ns % NS < 0);

	return format_time_ns(s * NS, buf, size);
}

/*
 * Add an alert for host and cause, queue it for every sink, and fire or
 * clear the host's state. since_ns: where the command's report starts.
 */
static int
add_alert(struct update *u, const char *host, enum alert_cause cause, bool firing, const char *summary,
    int64_t since_ns, int64_t ref)
{
	char since[48], at[48], *json = NULL;
	size_t jlen = 0, i;
	struct buf cmd = BUF_INIT(TEXT_MAX);
	sqlite3_stmt *st = NULL;
	int64_t id;
	FILE *f;
	int r;

	format_second(since_ns, since, sizeof(since));
	format_time_ns(u->now, at, sizeof(at));
	/* Host ids are [A-Za-z0-9._-]: nothing to quote for a shell. */
	if ((r = buf_printf(&cmd, "drift report --host %s --since '%s'", host, since)) < 0)
		goto out;
	if ((st = prepare(u->s, "INSERT INTO alerts (host, cause, state, summary, command, at_ns, json)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, '')", u->err)) == NULL) {
		r = DRIFT_EIO;
		goto out;
	}
	sqlite3_bind_text(st, 1, host, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, alert_cause_name(cause), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, firing ? "firing" : "resolved", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, summary, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, cmd.data, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, u->now);
	r = run(u->s, st, "recording an alert", u->err);
	st = NULL;
	if (r < 0)
		goto out;
	id = sqlite3_last_insert_rowid(u->s->db);

	if ((f = open_memstream(&json, &jlen)) == NULL) {
		r = drift_error_set(u->err, DRIFT_ENOMEM, "out of memory");
		goto out;
	}
	fprintf(f, "{\"id\": %" PRId64 ", \"host\": ", id);
	json_cstr(f, host);
	fprintf(f, ", \"cause\": \"%s\", \"state\": \"%s\", \"summary\": ", alert_cause_name(cause),
	    firing ? "firing" : "resolved");
	json_cstr(f, summary);
	fputs(", \"command\": ", f);
	json_cstr(f, cmd.data);
	fprintf(f, ", \"at\": \"%s\"}", at);
	if (fclose(f) != 0) {
		r = drift_error_set(u->err, DRIFT_ENOMEM, "out of memory");
		goto out;
	}
	if ((st = prepare(u->s, "UPDATE alerts SET json = ?2 WHERE id = ?1", u->err)) == NULL) {
		r = DRIFT_EIO;
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, json, (int)jlen, SQLITE_STATIC);
	r = run(u->s, st, "recording an alert", u->err);
	st = NULL;
	if (r < 0)
		goto out;

	for (i = 0; i < u->p->nsinks; i++) {
		if ((st = prepare(u->s, "INSERT INTO deliveries (alert, sink, attempts, next_ns)"
		    " VALUES (?1, ?2, 0, ?3)", u->err)) == NULL) {
			r = DRIFT_EIO;
			goto out;
		}
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, u->p->sinks[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, u->now);
		r = run(u->s, st, "queueing an alert", u->err);
		st = NULL;
		if (r < 0)
			goto out;
	}

	st = prepare(u->s, firing ?
	    "INSERT INTO alert_state (host, cause, alert, ref) VALUES (?1, ?2, ?3, ?4)" :
	    "DELETE FROM alert_state WHERE host = ?1 AND cause = ?2", u->err);
	if (st == NULL) {
		r = DRIFT_EIO;
		goto out;
	}
	sqlite3_bind_text(st, 1, host, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, alert_cause_name(cause), -1, SQLITE_STATIC);
	if (firing) {
		sqlite3_bind_int64(st, 3, id);
		sqlite3_bind_int64(st, 4, ref);
	}
	r = run(u->s, st, "recording an alert", u->err);
	st = NULL;
	if (r < 0)
		goto out;
	if (firing) {
		if ((r = remember(u, host, cause, id, ref)) < 0)
			goto out;
	} else {
		struct firing *x = find(u, host, cause);

		if (x != NULL)
			x->gone = true;
	}
	u->raised++;
out:
	sqlite3_finalize(st);
	free(json);
	buf_release(&cmd);
	return r;
}

static int
load_firing(struct update *u)
{
	sqlite3_stmt *st;
	enum alert_cause c;
	int rc, r = 0;

	if ((st = prepare(u->s, "SELECT host, cause, alert, ref FROM alert_state", u->err)) == NULL)
		return DRIFT_EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && r == 0) {
		const char *host = (const char *)sqlite3_column_text(st, 0);
		const char *cause = (const char *)sqlite3_column_text(st, 1);

		if (host == NULL || cause == NULL)
			continue;
		for (c = 0; c < ALERT_CAUSES && strcmp(cause_names[c], cause) != 0; c++)
			;
		if (c == ALERT_CAUSES)
			continue;	/* a cause of a newer drift: leave it alone */
		r = remember(u, host, c, sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3));
	}
	if (r == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		r = sql_fail(u, "reading alert states");
	sqlite3_finalize(st);
	return r;
}

/* ---------------------------------------------------------- unplanned */

struct new_event {
	int64_t id;
	char *host;
	int64_t to_id, to_taken_ns, from_taken_ns;
	int64_t nchanges;
};

static int
set_ref(struct update *u, struct firing *x, int64_t ref)
{
	sqlite3_stmt *st;

	if ((st = prepare(u->s, "UPDATE alert_state SET ref = ?3 WHERE host = ?1 AND cause = ?2",
	    u->err)) == NULL)
		return DRIFT_EIO;
	sqlite3_bind_text(st, 1, x->host, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, alert_cause_name(x->cause), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ref);
	x->ref = ref;
	return run(u->s, st, "recording an alert", u->err);
}

/* Fire "unplanned" for each event since the cursor outside every window. */
static int
unplanned_new(struct update *u)
{
	struct new_event *ev = NULL, *nv;
	size_t n = 0, cap = 0, i;
	struct buf text = BUF_INIT(TEXT_MAX);
	sqlite3_stmt *st;
	int64_t cursor = 0;
	char taken[48];
	int rc, r = 0;

	if ((st = prepare(u->s, "SELECT last_event FROM alert_cursor WHERE id = 1", u->err)) == NULL)
		return DRIFT_EIO;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		cursor = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(u, "reading the alert cursor");

	if ((st = prepare(u->s, "SELECT e.id, h.name, e.to_id, e.to_taken_ns, e.from_taken_ns, e.nchanges"
	    " FROM events e JOIN hosts h ON h.id = e.host WHERE e.id > ?1 ORDER BY e.id", u->err)) == NULL)
		return DRIFT_EIO;
	sqlite3_bind_int64(st, 1, cursor);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *host = (const char *)sqlite3_column_text(st, 1);

		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(ev, cap * sizeof(*nv))) == NULL) {
				r = drift_error_set(u->err, DRIFT_ENOMEM, "out of memory");
				break;
			}
			ev = nv;
		}
		if (host == NULL || (ev[n].host = strdup(host)) == NULL) {
			r = drift_error_set(u->err, DRIFT_ENOMEM, "out of memory");
			break;
		}
		ev[n].id = sqlite3_column_int64(st, 0);
		ev[n].to_id = sqlite3_column_int64(st, 2);
		ev[n].to_taken_ns = sqlite3_column_int64(st, 3);
		ev[n].from_taken_ns = sqlite3_column_int64(st, 4);
		ev[n].nchanges = sqlite3_column_int64(st, 5);
		n++;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = sql_fail(u, "reading new events");
	sqlite3_finalize(st);

	for (i = 0; i < n && r == 0; i++) {
		struct firing *x;

		cursor = ev[i].id;
		if (store_planned_by(u->win, u->nwin, ev[i].host, ev[i].to_taken_ns) != NULL)
			continue;
		if ((x = find(u, ev[i].host, ALERT_UNPLANNED)) != NULL) {
			r = set_ref(u, x, ev[i].to_id);	/* one alert until it clears */
			continue;
		}
		buf_reset(&text);
		format_second(ev[i].to_taken_ns, taken, sizeof(taken));
		if ((r = buf_printf(&text, "%s changed outside any change window: %" PRId64 " change%s"
		    " in the baseline taken at %s", ev[i].host, ev[i].nchanges,
		    ev[i].nchanges == 1 ? "" : "s", taken)) < 0)
			break;
		r = add_alert(u, ev[i].host, ALERT_UNPLANNED, true, text.data, ev[i].from_taken_ns + 1,
		    ev[i].to_id);
	}
	if (r == 0 && n > 0) {
		if ((st = prepare(u->s, "UPDATE alert_cursor SET last_event = ?1 WHERE id = 1", u->err)) == NULL)
			r = DRIFT_EIO;
		else {
			sqlite3_bind_int64(st, 1, cursor);
			r = run(u->s, st, "moving the alert cursor", u->err);
		}
	}
	for (i = 0; i < n; i++)
		free(ev[i].host);
	free(ev);
	buf_release(&text);
	return r;
}

/* Clear "unplanned" once the host reported again, or a window now covers the change. */
static int
unplanned_clear(struct update *u)
{
	struct buf text = BUF_INIT(TEXT_MAX);
	const struct store_window *w;
	sqlite3_stmt *st = NULL;
	size_t i, n = u->n;
	int rc, r = 0;

	for (i = 0; i < n && r == 0; i++) {
		struct firing *x = &u->v[i];
		int64_t received, taken, last;
		char at[48];

		if (x->gone || x->cause != ALERT_UNPLANNED)
			continue;
		if ((st = prepare(u->s, "SELECT b.received_at_ns, b.taken_at_ns, h.last_received_ns"
		    " FROM baselines b JOIN hosts h ON h.id = b.host WHERE b.id = ?1", u->err)) == NULL) {
			r = DRIFT_EIO;
			break;
		}
		sqlite3_bind_int64(st, 1, x->ref);
		if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
			/* its baseline is gone (never, today): nothing left to watch, clear it */
			sqlite3_finalize(st);
			st = NULL;
			buf_reset(&text);
			if ((r = buf_printf(&text, "the unplanned change on %s is no longer in the store",
			    x->host)) == 0)
				r = add_alert(u, x->host, ALERT_UNPLANNED, false, text.data, u->now, 0);
			continue;
		}
		if (rc != SQLITE_ROW) {
			r = sql_fail(u, "reading an alert's baseline");
			break;
		}
		received = sqlite3_column_int64(st, 0);
		taken = sqlite3_column_int64(st, 1);
		last = sqlite3_column_int64(st, 2);
		sqlite3_finalize(st);
		st = NULL;
		buf_reset(&text);
		if ((w = store_planned_by(u->win, u->nwin, x->host, taken)) != NULL)
			r = buf_printf(&text, "the change on %s is now covered by change window %" PRId64 " (%s)",
			    x->host, w->id, w->reason);
		else if (last > received)
			r = buf_printf(&text, "%s reported again (%s) with no further unplanned change",
			    x->host, format_second(last, at, sizeof(at)));
		else
			continue;
		if (r == 0)
			r = add_alert(u, x->host, ALERT_UNPLANNED, false, text.data, taken, 0);
	}
	sqlite3_finalize(st);
	buf_release(&text);
	return r;
}

/* ------------------------------------------------- critical and stale */

struct host_now {
	char *host;
	int64_t last_received_ns;
	int64_t baseline, taken_ns, critical;
};

/* "web01 has 2 critical findings: rule (subject), ..." from the event that brought them. */
static int
critical_summary(struct update *u, const struct host_now *h, struct buf *text)
{
	sqlite3_stmt *st;
	int rc, r, named = 0;

	if ((r = buf_printf(text, "%s has %" PRId64 " critical finding%s", h->host, h->critical,
	    h->critical == 1 ? "" : "s")) < 0)
		return r;
	if ((st = prepare(u->s, "SELECT DISTINCT json_extract(j.value, '$.rule'), json_extract(j.value, '$.subject')"
	    " FROM events e, json_each(e.findings_json) j WHERE e.to_id = ?1"
	    " AND json_extract(j.value, '$.severity') = 'critical'"
	    " AND json_extract(j.value, '$.status') = 'fail' LIMIT 4", u->err)) == NULL)
		return DRIFT_EIO;
	sqlite3_bind_int64(st, 1, h->baseline);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && r == 0) {
		const char *rule = (const char *)sqlite3_column_text(st, 0);
		const char *subject = (const char *)sqlite3_column_text(st, 1);

		if (named == 3) {
			r = buf_addstr(text, ", ...");
			break;
		}
		r = buf_printf(text, "%s%s (%.200s)", named == 0 ? ", new: " : ", ", rule ? rule : "?",
		    subject ? subject : "?");
		named++;
	}
	sqlite3_finalize(st);
	if (r == 0 && named == 0)
		r = buf_addstr(text, " against its standards");
	return r;
}

static int
hosts_now(struct update *u, struct host_now **out, size_t *nout)
{
	struct host_now *v = NULL, *nv;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	int rc, r = 0;

	if ((st = prepare(u->s, "SELECT h.name, h.last_received_ns, b.id, b.taken_at_ns, b.critical"
	    " FROM hosts h JOIN baselines b ON b.host = h.id"
	    " AND b.seq = (SELECT max(seq) FROM baselines y WHERE y.host = h.id) ORDER BY h.name",
	    u->err)) == NULL)
		return DRIFT_EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *host = (const char *)sqlite3_column_text(st, 0);

		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = realloc(v, cap * sizeof(*nv))) == NULL) {
				r = drift_error_set(u->err, DRIFT_ENOMEM, "out of memory");
				break;
			}
			v = nv;
		}
		if (host == NULL || (v[n].host = strdup(host)) == NULL) {
			r = drift_error_set(u->err, DRIFT_ENOMEM, "out of memory");
			break;
		}
		v[n].last_received_ns = sqlite3_column_int64(st, 1);
		v[n].baseline = sqlite3_column_int64(st, 2);
		v[n].taken_ns = sqlite3_column_int64(st, 3);
		v[n].critical = sqlite3_column_int64(st, 4);
		n++;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = sql_fail(u, "reading hosts");
	sqlite3_finalize(st);
	*out = v;
	*nout = n;
	return r;
}

static int
host_causes(struct update *u, const struct host_now *h)
{
	struct buf text = BUF_INIT(TEXT_MAX);
	char at[48], for_[32], after[32];
	int64_t since = h->last_received_ns > u->p->watching_since_ns ? h->last_received_ns :
	    u->p->watching_since_ns;
	int64_t silent = u->now - since;
	bool stale = silent > u->p->stale_after_ns;
	int r = 0;

	if (h->critical > 0 && find(u, h->host, ALERT_CRITICAL) == NULL) {
		if ((r = critical_summary(u, h, &text)) == 0)
			r = add_alert(u, h->host, ALERT_CRITICAL, true, text.data, h->taken_ns, h->baseline);
	} else if (h->critical == 0 && find(u, h->host, ALERT_CRITICAL) != NULL) {
		if ((r = buf_printf(&text, "%s has no critical finding any more (baseline taken at %s)",
		    h->host, format_second(h->taken_ns, at, sizeof(at)))) == 0)
			r = add_alert(u, h->host, ALERT_CRITICAL, false, text.data, h->taken_ns, 0);
	}
	if (r < 0)
		goto out;
	buf_reset(&text);
	format_second(h->last_received_ns, at, sizeof(at));
	if (stale && find(u, h->host, ALERT_STALE) == NULL) {
		format_duration(silent, for_, sizeof(for_));
		format_duration(u->p->stale_after_ns, after, sizeof(after));
		if ((r = buf_printf(&text, "%s has not reported for %s (last report at %s; stale after %s)",
		    h->host, for_, at, after)) == 0)
			r = add_alert(u, h->host, ALERT_STALE, true, text.data, h->last_received_ns, 0);
	} else if (!stale && find(u, h->host, ALERT_STALE) != NULL) {
		if ((r = buf_printf(&text, "%s reports again (last report at %s)", h->host, at)) == 0)
			r = add_alert(u, h->host, ALERT_STALE, false, text.data, h->last_received_ns, 0);
	}
out:
	buf_release(&text);
	return r;
}

static int
need_alerts(struct store *s, struct drift_error *err)
{
	return store_sql_need(s, 3, "alerts", err);
}

int
alerts_update(struct store *s, const struct alert_policy *p, int64_t now_ns, size_t *raised,
    struct drift_error *err)
{
	struct host_now *h = NULL;
	struct update u;
	size_t nh = 0, i;
	bool began = false;
	int r;

	memset(&u, 0, sizeof(u));
	u.s = s;
	u.p = p;
	u.now = now_ns;
	u.err = err;
	if ((r = need_alerts(s, err)) < 0)
		return r;
	if ((r = store_sql_begin(s, true, &began, err)) < 0)
		return r;
	if ((r = store_load_windows(s, &u.win, &u.nwin, err)) < 0 ||
	    (r = load_firing(&u)) < 0 ||
	    (r = unplanned_new(&u)) < 0 ||
	    (r = unplanned_clear(&u)) < 0 ||
	    (r = hosts_now(&u, &h, &nh)) < 0)
		goto out;
	for (i = 0; i < nh && r == 0; i++)
		r = host_causes(&u, &h[i]);
	if (r < 0)
		goto out;
	if ((r = store_sql_commit(s, began, err)) < 0) {
		began = false;
		goto out;
	}
	began = false;
	if (raised != NULL)
		*raised = u.raised;
out:
	store_sql_rollback(s, began);
	for (i = 0; i < nh; i++)
		free(h[i].host);
	free(h);
	for (i = 0; i < u.n; i++)
		free(u.v[i].host);
	free(u.v);
	store_windows_free(u.win, u.nwin);
	return r;
}

/* ------------------------------------------------------------ outbox */

static char *
column_dup(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	return strdup(t != NULL ? t : "");
}

void
alert_delivery_release(struct alert_delivery *d)
{
	free(d->json);
	free(d->host);
	free(d->cause);
	free(d->state);
	free(d->summary);
	free(d->command);
	memset(d, 0, sizeof(*d));
}

int
alerts_next_delivery(struct store *s, const char *sink, struct alert_delivery *d, struct drift_error *err)
{
	sqlite3_stmt *st;
	int rc, r = 0;

	memset(d, 0, sizeof(*d));
	if ((r = need_alerts(s, err)) < 0)
		return r;
	if ((st = prepare(s, "SELECT d.alert, a.json, a.host, a.cause, a.state, d.attempts, d.next_ns,"
	    " a.summary, a.command FROM deliveries d JOIN alerts a ON a.id = d.alert"
	    " WHERE d.sink = ?1 AND d.delivered_ns IS NULL ORDER BY d.alert LIMIT 1", err)) == NULL)
		return DRIFT_EIO;
	sqlite3_bind_text(st, 1, sink, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		d->alert = sqlite3_column_int64(st, 0);
		d->json = column_dup(st, 1);
		d->host = column_dup(st, 2);
		d->cause = column_dup(st, 3);
		d->state = column_dup(st, 4);
		d->attempts = (unsigned)sqlite3_column_int64(st, 5);
		d->next_ns = sqlite3_column_int64(st, 6);
		d->summary = column_dup(st, 7);
		d->command = column_dup(st, 8);
		if (d->json == NULL || d->host == NULL || d->cause == NULL || d->state == NULL ||
		    d->summary == NULL || d->command == NULL) {
			alert_delivery_release(d);
			r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		}
	} else if (rc != SQLITE_DONE)
		r = store_sql_fail(s, err, "reading the alert outbox");
	sqlite3_finalize(st);
	return r;
}

int
alerts_record_attempt(struct store *s, int64_t alert, const char *sink, int64_t now_ns,
    const char *error, int64_t retry_ns, struct drift_error *err)
{
	sqlite3_stmt *st;
	int r;

	if ((r = need_alerts(s, err)) < 0)
		return r;
	st = prepare(s, error == NULL ?
	    "UPDATE deliveries SET attempts = attempts + 1, delivered_ns = ?3, last_error = NULL"
	    " WHERE alert = ?1 AND sink = ?2" : retry_ns == 0 ?
	    "UPDATE deliveries SET attempts = attempts + 1, next_ns = ?3, delivered_ns = 0,"
	    " last_error = ?4 WHERE alert = ?1 AND sink = ?2" :
	    "UPDATE deliveries SET attempts = attempts + 1, next_ns = ?3, last_error = ?4"
	    " WHERE alert = ?1 AND sink = ?2", err);
	if (st == NULL)
		return DRIFT_EIO;
	sqlite3_bind_int64(st, 1, alert);
	sqlite3_bind_text(st, 2, sink, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, error == NULL ? now_ns : retry_ns == 0 ? now_ns : retry_ns);
	if (error != NULL)
		sqlite3_bind_text(st, 4, error, -1, SQLITE_STATIC);
	return run(s, st, "recording an alert delivery", err);
}

/* ----------------------------------------------------------- listing */

int
alerts_walk(struct store *s, bool all, int (*fn)(void *ctx, const struct alert_info *a),
    void *ctx, struct drift_error *err)
{
	sqlite3_stmt *st;
	bool began;
	int rc, r;

	if ((r = need_alerts(s, err)) < 0)
		return r;
	if ((r = store_sql_begin(s, false, &began, err)) < 0)
		return r;
	st = prepare(s, all ?
	    "SELECT a.id, a.host, a.cause, a.state, a.summary, a.command, a.json, a.at_ns,"
	    " x.alert IS NOT NULL FROM alerts a LEFT JOIN alert_state x ON x.alert = a.id ORDER BY a.id" :
	    "SELECT a.id, a.host, a.cause, a.state, a.summary, a.command, a.json, a.at_ns, 1"
	    " FROM alerts a JOIN alert_state x ON x.alert = a.id ORDER BY a.id", err);
	if (st == NULL) {
		store_sql_rollback(s, began);
		return DRIFT_EIO;
	}
	r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct alert_info a;

		a.id = sqlite3_column_int64(st, 0);
		a.host = (const char *)sqlite3_column_text(st, 1);
		a.cause = (const char *)sqlite3_column_text(st, 2);
		a.state = (const char *)sqlite3_column_text(st, 3);
		a.summary = (const char *)sqlite3_column_text(st, 4);
		a.command = (const char *)sqlite3_column_text(st, 5);
		a.json = (const char *)sqlite3_column_text(st, 6);
		a.at_ns = sqlite3_column_int64(st, 7);
		a.firing = sqlite3_column_int(st, 8) != 0;
		if (a.host == NULL || a.cause == NULL || a.state == NULL || a.summary == NULL ||
		    a.command == NULL || a.json == NULL) {
			r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
			break;
		}
		if ((r = fn(ctx, &a)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = store_sql_fail(s, err, "listing alerts");
	sqlite3_finalize(st);
	if (r == 0) {
		r = store_sql_commit(s, began, err);
		began = false;
	}
	store_sql_rollback(s, began);
	return r;
}

int
alerts_walk_pending(struct store *s, int (*fn)(void *ctx, const struct alert_pending *p),
    void *ctx, struct drift_error *err)
{
	sqlite3_stmt *st;
	int rc, r;

	if ((r = need_alerts(s, err)) < 0)
		return r;
	if ((st = prepare(s, "SELECT d.alert, d.sink, a.host, a.cause, a.state, d.attempts, d.next_ns,"
	    " d.last_error FROM deliveries d JOIN alerts a ON a.id = d.alert"
	    " WHERE d.delivered_ns IS NULL ORDER BY d.alert, d.sink", err)) == NULL)
		return DRIFT_EIO;
	r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct alert_pending p;

		p.alert = sqlite3_column_int64(st, 0);
		p.sink = (const char *)sqlite3_column_text(st, 1);
		p.host = (const char *)sqlite3_column_text(st, 2);
		p.cause = (const char *)sqlite3_column_text(st, 3);
		p.state = (const char *)sqlite3_column_text(st, 4);
		p.attempts = (unsigned)sqlite3_column_int64(st, 5);
		p.next_ns = sqlite3_column_int64(st, 6);
		p.last_error = (const char *)sqlite3_column_text(st, 7);
		if (p.sink == NULL || p.host == NULL || p.cause == NULL || p.state == NULL) {
			r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
			break;
		}
		if ((r = fn(ctx, &p)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = store_sql_fail(s, err, "listing alert deliveries");
	sqlite3_finalize(st);
	return r;
}

int
alerts_count(struct store *s, size_t *firing, size_t *undelivered, struct drift_error *err)
{
	sqlite3_stmt *st;
	int r;

	if ((r = need_alerts(s, err)) < 0)
		return r;
	if ((st = prepare(s, "SELECT (SELECT count(*) FROM alert_state),"
	    " (SELECT count(*) FROM deliveries WHERE delivered_ns IS NULL)", err)) == NULL)
		return DRIFT_EIO;
	if (sqlite3_step(st) != SQLITE_ROW)
		r = store_sql_fail(s, err, "counting alerts");
	else {
		*firing = (size_t)sqlite3_column_int64(st, 0);
		*undelivered = (size_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return r;
}

int
alerts_drop_unconfigured(struct store *s, const char *const *sinks, size_t n, size_t *dropped,
    struct drift_error *err)
{
	sqlite3_stmt *st = NULL;
	bool began;
	size_t i;
	int r;

	*dropped = 0;
	if ((r = need_alerts(s, err)) < 0)
		return r;
	if ((r = store_sql_begin(s, true, &began, err)) < 0)
		return r;
	/* The configured sinks, in a temporary table: no SQL text built from them. */
	if (sqlite3_exec(s->db, "CREATE TEMP TABLE IF NOT EXISTS sinks_now (sink TEXT PRIMARY KEY);"
	    "DELETE FROM sinks_now;", NULL, NULL, NULL) != SQLITE_OK) {
		r = store_sql_fail(s, err, "listing the configured sinks");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((st = prepare(s, "INSERT OR IGNORE INTO sinks_now VALUES (?1)", err)) == NULL) {
			r = DRIFT_EIO;
			goto out;
		}
		sqlite3_bind_text(st, 1, sinks[i], -1, SQLITE_STATIC);
		r = run(s, st, "listing the configured sinks", err);
		st = NULL;
		if (r < 0)
			goto out;
	}
	if ((st = prepare(s, "UPDATE deliveries SET delivered_ns = 0,"
	    " last_error = 'not delivered: the sink is no longer in the configuration'"
	    " WHERE delivered_ns IS NULL AND sink NOT IN (SELECT sink FROM sinks_now)", err)) == NULL) {
		r = DRIFT_EIO;
		goto out;
	}
	r = run(s, st, "dropping deliveries to removed sinks", err);
	st = NULL;
	if (r < 0)
		goto out;
	*dropped = (size_t)sqlite3_changes(s->db);
	r = store_sql_commit(s, began, err);
	began = false;
out:
	store_sql_rollback(s, began);
	return r;
}

void
alerts_sink_display(const char *sink, char *out, size_t size)
{
	const char *p, *slash;

	if (strncmp(sink, "webhook ", 8) != 0 || (p = strstr(sink + 8, "://")) == NULL) {
		snprintf(out, size, "%s", sink);
		return;
	}
	slash = strchr(p + 3, '/');
	if (slash == NULL || slash[1] == '\0')
		snprintf(out, size, "%s", sink);
	else
		snprintf(out, size, "%.*s/...", (int)(slash - sink), sink);
}
