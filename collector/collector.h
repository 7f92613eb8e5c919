/* SPDX-License-Identifier: MIT */
/* collector.h - what the collector's processes share: configuration, TLS context, standards, counters, log. */
#ifndef DRIFT_COLLECTOR_COLLECTOR_H
#define DRIFT_COLLECTOR_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "collector_config.h"
#include "error.h"
#include "standard.h"

/*
 * The process model: the parent loads and checks everything once
 * (collector_open), binds the listening sockets, then forks `workers`
 * single-threaded server processes that inherit all of it and accept on
 * the same sockets; each opens its own store handle. The parent only
 * supervises (supervise.h); the workers serve (server.h).
 */

/* How an upload ended, for /metrics. */
enum upload_result {
	UPLOAD_STORED,		/* 200, new baseline */
	UPLOAD_UNCHANGED,	/* 200, same entries as the latest */
	UPLOAD_MALFORMED,	/* 400 */
	UPLOAD_FORBIDDEN,	/* 403 */
	UPLOAD_TOO_LARGE,	/* 413 */
	UPLOAD_UNAVAILABLE,	/* 503 */
	UPLOAD_FAILED,		/* 500: a bug */
	UPLOAD_RESULTS
};

/* "stored", "unchanged", "malformed", "forbidden", "too_large", "unavailable", "failed" */
const char *upload_result_name(enum upload_result r);

/*
 * One worker's counters, in memory shared by every process, so any worker
 * answering /metrics reports all of them and a restarted worker keeps
 * counting where the last one stopped. Each slot is written by its worker
 * only (starts: by the parent), with relaxed atomics.
 */
struct worker_stats {
	uint64_t uploads[UPLOAD_RESULTS];
	uint64_t bytes_received;	/* upload bodies */
	uint64_t ingest_ns;		/* time in store_ingest */
	uint64_t ingest_count;
	uint64_t tls_refused;		/* handshakes refused */
	uint64_t starts;		/* processes started for this slot */
} __attribute__((aligned(64)));

#define STAT_ADD(field, n)	__atomic_fetch_add(&(field), (uint64_t)(n), __ATOMIC_RELAXED)
#define STAT_GET(field)		__atomic_load_n(&(field), __ATOMIC_RELAXED)

struct collector {
	const struct collector_config *cfg;	/* not owned */
	SSL_CTX *tls;
	struct standard **stds;
	size_t nstds;
	unsigned workers;
	struct worker_stats *stats;	/* workers slots, shared; set by supervise_run */
	int *listen_fds;		/* bound by supervise_run */
	size_t nlisten_fds;
};

/*
 * Load and check everything a worker will need: the TLS certificates (the
 * key must match the certificate), the standards, the store (opened and
 * closed again; when check_only is set and it does not exist yet, its
 * parent directory must), and that every listen address resolves.
 * workers overrides cfg->workers when not 0. *out is written on success
 * only; err says what is wrong, naming the setting and the file.
 */
int collector_open(const struct collector_config *cfg, unsigned workers, bool check_only,
    struct collector **out, struct drift_error *err);
void collector_close(struct collector *c);

/*
 * Log one line to stderr as "drift-collector: ..." (journald adds the
 * time). Written with one write(2), so lines of several processes never
 * interleave; control characters become '?'.
 */
void collector_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Nanoseconds on CLOCK_REALTIME / CLOCK_MONOTONIC. */
int64_t collector_now_ns(void);
int64_t collector_mono_ns(void);

#endif
