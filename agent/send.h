/* SPDX-License-Identifier: MIT */
/* send.h - uploading a bundle to the collector over mutual TLS, and what its answer means. */
#ifndef DRIFT_AGENT_SEND_H
#define DRIFT_AGENT_SEND_H

#include <stdint.h>

#include "error.h"

/* The collector's endpoint, appended to the configured URL. */
#define SEND_PATH "/v1/baselines"

#define SEND_CONNECT_TIMEOUT	10	/* seconds */
#define SEND_TIMEOUT		120	/* seconds, the whole upload and answer */

/* The most of an answer that is read; the rest is ignored. */
#define SEND_ANSWER_MAX		(64 * 1024)

enum send_outcome {
	/* 200 with {"status": "stored"|"unchanged"}: the collector has it. */
	SEND_ACKNOWLEDGED,
	/*
	 * A 4xx (except 408 and 429): this bundle will never be accepted as
	 * it is; move it aside and go on with the next one.
	 */
	SEND_REFUSED,
	/*
	 * Try again later, keep the bundle: 5xx, 408, 429, connection refused,
	 * name resolution, timeouts, a TLS failure (a collector certificate
	 * that tls.ca does not verify is one: nothing is sent to a server the
	 * agent cannot verify), or an answer that is not a receipt.
	 */
	SEND_TRANSIENT,
};

struct send_options {
	const char *collector;	/* base URL, https:// only */
	const char *ca;		/* the only CA trusted for the collector (PEM); required */
	const char *cert;	/* this host's certificate (PEM); required */
	const char *key;	/* its private key (PEM); required */
	long connect_timeout;	/* seconds; 0: SEND_CONNECT_TIMEOUT */
	long timeout;		/* seconds; 0: SEND_TIMEOUT */
};

struct send_result {
	enum send_outcome outcome;
	long http_status;	/* 0 when there was no HTTP answer */
	char status[16];	/* acknowledged: "stored" or "unchanged" */
	char host[256];		/* acknowledged: the host id the collector filed it under */
	char baseline[128];	/* acknowledged: the collector's name for the baseline */
	char reason[768];	/* otherwise: why, in words (the collector's "error" sentence
				 * for a refusal; printable, never multi-line) */
};

struct send;

/*
 * Prepare uploads to o->collector. Only o->ca is trusted (never the system
 * store), TLS 1.2 or later, https only, no redirects. Strings are copied.
 */
int send_new(struct send **out, const struct send_options *o, struct drift_error *err);

/*
 * POST the size bytes readable from fd (from its start) to
 * collector/v1/baselines and classify the answer into res. Returns 0
 * whenever res says what happened; a negative code when the problem is on
 * this host and will not go away by waiting (unreadable client
 * certificate or key, unusable tls.ca file, a read error on fd, out of
 * memory) — the bundle should be kept and the message shown.
 */
int send_bundle(struct send *s, int fd, uint64_t size, struct send_result *res,
    struct drift_error *err);

/* Close connections and free s (NULL is fine). */
void send_free(struct send *s);

/*
 * The common name (CN) of the PEM certificate at path: the default host
 * id, since the collector accepts baselines only for the name in the
 * certificate. The name must be a valid host id (1 to 255 letters,
 * digits, '.', '-', '_', starting with a letter or digit): DRIFT_EFORMAT
 * otherwise, DRIFT_ENOTFOUND when the certificate has no CN, DRIFT_EIO
 * when it cannot be read. *cn is set on success (free() it).
 */
int send_cert_name(const char *path, char **cn, struct drift_error *err);

/*
 * Parse a collector answer: a single JSON object, strictly (valid UTF-8,
 * no trailing bytes, nesting bounded). Copies the string members
 * "status", "host", "baseline" (a number is kept as its text) and "error"
 * into res (each truncated to its field, control characters replaced).
 * DRIFT_EFORMAT when body is not such an object. Exposed for tests.
 */
int send_parse_answer(const char *body, size_t len, struct send_result *res);

#endif
