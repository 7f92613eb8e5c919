/* SPDX-License-Identifier: MIT */
/* alerts.h - what the collector raises, resolves and delivers, kept in the store. */
#ifndef DRIFT_ALERTS_H
#define DRIFT_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "store.h"

/*
 * Three causes, each fired at most once per host until it clears:
 *
 *   critical   the host's newest baseline has a critical finding;
 *              clears when a newer one has none.
 *   stale      the host has sent nothing for longer than stale_after;
 *              clears when it reports again.
 *   unplanned  a change event outside every maintenance window; clears
 *              when the host reports again without one, or when a window
 *              opened afterwards covers the change.
 *
 * Raising or resolving adds an alert (the history) and one delivery per
 * sink (the outbox), in the transaction that changes the state, so an
 * alert is either recorded with all its deliveries or not at all, and a
 * restart neither repeats nor forgets one. Deliveries are tried in alert
 * order per sink: a sink that fails holds its later alerts back (a
 * "resolved" never overtakes its "firing") and is retried with backoff;
 * nothing is dropped. Ingest never waits for any of it: the collector's
 * alerter process (collector/alerter.c) calls these between ingests.
 */

enum alert_cause {
	ALERT_CRITICAL,
	ALERT_STALE,
	ALERT_UNPLANNED,
	ALERT_CAUSES
};

/* "critical", "stale", "unplanned" */
const char *alert_cause_name(enum alert_cause c);

struct alert_policy {
	int64_t stale_after_ns;
	const char *const *sinks;	/* "webhook URL", "exec PROGRAM", "syslog": a delivery is queued for each */
	size_t nsinks;
	/*
	 * When the caller started watching (0: always). Silence before it
	 * does not count towards stale: a collector that was down for hours
	 * does not call every host stale the moment it is back.
	 */
	int64_t watching_since_ns;
};

/*
 * Bring alerts up to date with the store as it is at now_ns (one write
 * transaction). *raised (may be NULL) counts the alerts added, firing and
 * resolved. DRIFT_EVERSION: a read-only store still below schema 3.
 */
int alerts_update(struct store *s, const struct alert_policy *p, int64_t now_ns, size_t *raised,
    struct drift_error *err);

/* The oldest alert not yet delivered to sink. */
struct alert_delivery {
	int64_t alert;		/* 0: none */
	char *json;		/* what the sink receives */
	char *host, *cause, *state, *summary, *command;
	unsigned attempts;	/* failed so far */
	int64_t next_ns;	/* not before */
};

/* Fill d with sink's oldest undelivered alert (d->alert = 0 when none). */
int alerts_next_delivery(struct store *s, const char *sink, struct alert_delivery *d,
    struct drift_error *err);
void alert_delivery_release(struct alert_delivery *d);

/*
 * Record one attempt to deliver alert to sink: error NULL means
 * delivered at now_ns; otherwise the error is kept and the next attempt
 * waits until retry_ns. retry_ns 0 gives up on this delivery for good
 * (the sink refused it for what it is, not for a passing trouble): it is
 * kept with the error, with delivered_ns 0, and no longer waits.
 */
int alerts_record_attempt(struct store *s, int64_t alert, const char *sink, int64_t now_ns,
    const char *error, int64_t retry_ns, struct drift_error *err);

/*
 * Give up the deliveries still waiting for sinks that are not among
 * sinks[0..n) (a sink removed from the configuration, or a webhook whose
 * URL changed): kept with that reason and delivered_ns 0. *dropped
 * counts them.
 */
int alerts_drop_unconfigured(struct store *s, const char *const *sinks, size_t n, size_t *dropped,
    struct drift_error *err);

/*
 * A sink for logs and drift alerts: a webhook's URL is cut after its host
 * and port ("webhook https://hooks.example.com/..."), since the path of a
 * chat webhook is its secret.
 */
void alerts_sink_display(const char *sink, char *out, size_t size);

/* One alert, for drift alerts. */
struct alert_info {
	int64_t id;
	const char *host, *cause, *state, *summary, *command, *json;
	int64_t at_ns;
	bool firing;		/* the alert that is firing now for its host and cause */
};

/* One delivery not made yet. */
struct alert_pending {
	int64_t alert;
	const char *sink, *host, *cause, *state;
	unsigned attempts;
	int64_t next_ns;
	const char *last_error;	/* NULL before the first attempt */
};

/*
 * Alerts oldest first: every one when all is set, else only those firing
 * now. Then every undelivered delivery, by alert. The callbacks' strings
 * live during the call; a non-zero return stops and is returned.
 */
int alerts_walk(struct store *s, bool all, int (*fn)(void *ctx, const struct alert_info *a),
    void *ctx, struct drift_error *err);
/* How many causes fire now, and how many deliveries wait (for /metrics). */
int alerts_count(struct store *s, size_t *firing, size_t *undelivered, struct drift_error *err);

int alerts_walk_pending(struct store *s, int (*fn)(void *ctx, const struct alert_pending *p),
    void *ctx, struct drift_error *err);

#endif
