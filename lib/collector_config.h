/* SPDX-License-Identifier: MIT */
/* collector_config.h - the collector's configuration (/etc/drift/collector.yaml), shared with the CLI. */
#ifndef DRIFT_COLLECTOR_CONFIG_H
#define DRIFT_COLLECTOR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "baseline.h"
#include "error.h"

/*
 * It lives in libdrift rather than beside the daemon because the CLI reads
 * the same file for `store` and `stale_after` (drift hosts, drift report):
 * one reader, one set of defaults, one set of messages.
 */

/* One `listen` entry: "HOST:PORT", or "[IPV6]:PORT". */
struct collector_listen {
	char *text;		/* as written, for messages */
	char *host;		/* without brackets: an address or a name */
	char *port;		/* decimal, 1 to 65535 */
};

enum collector_alert_kind {
	COLLECTOR_ALERT_WEBHOOK,	/* POST the alert to an http(s):// URL */
	COLLECTOR_ALERT_EXEC,		/* run a program with the alert on stdin */
	COLLECTOR_ALERT_SYSLOG,		/* log it with syslog(3) */
};

/* One `alerts` entry: a sink the collector's alerter delivers every alert to. */
struct collector_alert {
	enum collector_alert_kind kind;
	char *target;		/* URL or program; NULL for syslog */
	bool enabled;		/* `syslog: false` keeps the entry but turns it off */
};

struct collector_config {
	struct collector_listen *listen;
	size_t nlisten;
	char *tls_ca, *tls_cert, *tls_key;	/* absolute paths */
	char *store;		/* store directory, absolute */
	char **standards;	/* absolute paths, NULL-terminated */
	size_t nstandards;
	uint64_t upload_max;	/* largest request body */
	struct baseline_limits limits;	/* what a received bundle may unpack to */
	uint64_t timeout;	/* seconds a connection may sit idle or mid-request */
	uint64_t report_interval;	/* seconds between an agent's reports */
	unsigned stale_intervals;	/* reports missed before a host is stale */
	uint64_t stale_after;	/* seconds without a report before a host is stale */
	uint64_t alert_check;	/* seconds between the alerter's looks at the store */
	unsigned workers;	/* server processes; 0 = one per core */
	struct collector_alert *alerts;
	size_t nalerts;
	char *source;		/* the file it came from; NULL for defaults */
};

/* Default configuration file. */
#define COLLECTOR_CONFIG_DEFAULT SYSCONFDIR "/drift/collector.yaml"

/* A configuration file larger than this is refused (DRIFT_ETOOBIG). */
#define COLLECTOR_CONFIG_MAX_BYTES	(1024 * 1024)

/* Most server processes `workers` (or --workers) may ask for. */
#define COLLECTOR_WORKERS_MAX	256

/*
 * Fill cfg with the documented defaults (packaging/collector.yaml shows
 * them key for key). 0 or DRIFT_ENOMEM; cfg is written only on success.
 */
int collector_config_defaults(struct collector_config *cfg);

/*
 * Read path over the defaults. A missing file is DRIFT_ENOTFOUND (the
 * CLI falls back to the defaults, the daemon refuses to start); any bad
 * key or value is DRIFT_ECONFIG with "PATH:LINE:COL: ..." in err, an
 * unknown key with a did-you-mean. All-or-nothing: on success cfg's
 * previous content (zeroed, defaults or an earlier load) is released and
 * replaced; on failure cfg is left as it was. Only the file is read:
 * certificates, standards and the store are the daemon's to open.
 */
int collector_config_load(struct collector_config *cfg, const char *path,
    struct drift_error *err);

/* Free everything cfg holds and zero it; accepts a zeroed cfg. */
void collector_config_release(struct collector_config *cfg);

/* "webhook", "exec", "syslog" */
const char *collector_alert_kind_name(enum collector_alert_kind k);

#endif
