/* SPDX-License-Identifier: MIT */
/* collector_config.c - collector.yaml: documented defaults, and the file read over them. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cfgread.h"
#include "collector_config.h"
#include "error.h"
#include "ynode.h"

/* The defaults, mirrored key for key in packaging/collector.yaml (a unit test compares). */
#define DEFAULT_LISTEN		"0.0.0.0:8443"
#define DEFAULT_TLS_CA		SYSCONFDIR "/drift/ca.pem"
#define DEFAULT_TLS_CERT	SYSCONFDIR "/drift/collector.pem"
#define DEFAULT_TLS_KEY		SYSCONFDIR "/drift/collector.key"
#define DEFAULT_STORE		LOCALSTATEDIR "/lib/drift/store"
#define DEFAULT_UPLOAD_MAX	(64ULL << 20)
#define DEFAULT_BASELINE_MAX	(256ULL << 20)
#define DEFAULT_CONTENT_MAX	(64ULL << 20)
#define DEFAULT_UNPACKED_MAX	(1ULL << 30)
#define DEFAULT_CONTENTS_MAX	1000000ULL
#define DEFAULT_TIMEOUT		60
#define DEFAULT_REPORT_INTERVAL	3600	/* drift-agent.timer */
#define DEFAULT_STALE_INTERVALS	3
#define DEFAULT_ALERT_CHECK	60

/* Ten years: longer durations are typing mistakes (and would overflow as nanoseconds). */
#define DURATION_MAX		(3650ULL * 86400)
/* A stale host has missed at most this many reports. */
#define STALE_INTERVALS_MAX	1000

/* A day: a longer silence on a connection is a client gone, not a slow one. */
#define TIMEOUT_MAX		86400
#define CONTENTS_MAX_MAX	(64ULL << 20)

static const char *const top_keys[] = {
	"listen", "tls", "store", "standards", "limits", "report_interval",
	"stale_intervals", "stale_after", "workers", "alerts", "alert_check", NULL
};
static const char *const limits_keys[] = {
	"upload_max", "baseline_max", "content_max", "unpacked_max",
	"contents_max", "timeout", NULL
};
static const char *const alert_keys[] = { "webhook", "exec", "syslog", NULL };

const char *
collector_alert_kind_name(enum collector_alert_kind k)
{
	switch (k) {
	case COLLECTOR_ALERT_WEBHOOK: return "webhook";
	case COLLECTOR_ALERT_EXEC: return "exec";
	case COLLECTOR_ALERT_SYSLOG: return "syslog";
	}
	return "unknown";
}

static void
listen_release(struct collector_listen *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].text);
		free(v[i].host);
		free(v[i].port);
	}
	free(v);
}

static void
alerts_release(struct collector_alert *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].target);
	free(v);
}

void
collector_config_release(struct collector_config *cfg)
{
	if (cfg == NULL)
		return;
	listen_release(cfg->listen, cfg->nlisten);
	free(cfg->tls_ca);
	free(cfg->tls_cert);
	free(cfg->tls_key);
	free(cfg->store);
	ynode_strv_free(cfg->standards);
	alerts_release(cfg->alerts, cfg->nalerts);
	free(cfg->source);
	memset(cfg, 0, sizeof(*cfg));
}

/* ------------------------------------------------------------- listen */

/* A host name as getaddrinfo takes it: letters, digits, '.', '-', '_'. */
static bool
is_host_name(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr(".-_", *s) == NULL)
			return false;
	return true;
}

/*
 * Split "HOST:PORT" or "[ADDR]:PORT" into l. The host is checked for
 * shape only; names are resolved when the daemon binds.
 */
static int
parse_listen(const struct ydoc *doc, const struct ynode *n, const char *text,
    struct collector_listen *l, struct drift_error *err)
{
	const char *colon, *host, *port;
	size_t hostlen;
	unsigned long v;
	char *end, addr[INET6_ADDRSTRLEN + 1];
	unsigned char bin[sizeof(struct in6_addr)];

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (close == NULL || close[1] != ':')
			return ynode_error(doc, n, err, DRIFT_EINVAL,
			    "listen: '%s' is not [ADDRESS]:PORT (such as [::1]:8443)", text);
		host = text + 1;
		hostlen = (size_t)(close - host);
		port = close + 2;
		if (hostlen == 0 || hostlen >= sizeof(addr))
			goto bad_v6;
		memcpy(addr, host, hostlen);
		addr[hostlen] = '\0';
		if (inet_pton(AF_INET6, addr, bin) != 1)
			goto bad_v6;
	} else {
		if ((colon = strrchr(text, ':')) == NULL)
			return ynode_error(doc, n, err, DRIFT_EINVAL,
			    "listen: '%s' has no port: write HOST:PORT (such as "
			    "0.0.0.0:8443, or [::]:8443 for IPv6)", text);
		host = text;
		hostlen = (size_t)(colon - text);
		port = colon + 1;
		if (memchr(host, ':', hostlen) != NULL)
			return ynode_error(doc, n, err, DRIFT_EINVAL,
			    "listen: '%s': an IPv6 address goes in brackets, as in "
			    "[::1]:8443", text);
		if (hostlen == 0)
			return ynode_error(doc, n, err, DRIFT_EINVAL,
			    "listen: '%s' has no address: write 0.0.0.0:PORT for every "
			    "IPv4 address, [::]:PORT for every IPv6 address", text);
	}
	errno = 0;
	v = strtoul(port, &end, 10);
	if (!isdigit((unsigned char)port[0]) || *end != '\0' || errno != 0 ||
	    v < 1 || v > 65535)
		return ynode_error(doc, n, err, DRIFT_EINVAL,
		    "listen: '%s': the port must be a number from 1 to 65535", text);
	if ((l->host = strndup(host, hostlen)) == NULL ||
	    (l->port = strdup(port)) == NULL || (l->text = strdup(text)) == NULL) {
		free(l->host);
		free(l->port);
		memset(l, 0, sizeof(*l));
		return DRIFT_ENOMEM;
	}
	if (text[0] != '[' && !is_host_name(l->host)) {
		int r = ynode_error(doc, n, err, DRIFT_EINVAL,
		    "listen: '%s': '%s' is neither an address nor a host name", text, l->host);

		free(l->host);
		free(l->port);
		free(l->text);
		memset(l, 0, sizeof(*l));
		return r;
	}
	return 0;
bad_v6:
	return ynode_error(doc, n, err, DRIFT_EINVAL,
	    "listen: '%s': the part in brackets is not an IPv6 address", text);
}

static int
read_listen(const struct ydoc *doc, const struct ynode *n, struct collector_config *c,
    struct drift_error *err)
{
	struct collector_listen *v = NULL;
	char **texts = NULL;
	size_t i, j, k = 0;
	int r;

	if ((r = ynode_strlist(doc, n, "listen", &texts, &k, err)) < 0)
		return r;
	if (k == 0) {
		r = ynode_error(doc, n, err, DRIFT_EINVAL,
		    "listen: give at least one HOST:PORT to listen on");
		goto out;
	}
	if ((v = calloc(k, sizeof(*v))) == NULL) {
		r = DRIFT_ENOMEM;
		goto out;
	}
	for (i = 0; i < k; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(texts[i], texts[j]) == 0) {
				r = ynode_error(doc, cfgread_list_item(n, i), err, DRIFT_EINVAL,
				    "listen: '%s' is listed twice", texts[i]);
				goto out;
			}
		if ((r = parse_listen(doc, cfgread_list_item(n, i), texts[i], &v[i], err)) < 0)
			goto out;
	}
	listen_release(c->listen, c->nlisten);
	c->listen = v;
	c->nlisten = k;
	v = NULL;	/* owned by c */
	r = 0;
out:
	if (v != NULL)
		listen_release(v, k);
	ynode_strv_free(texts);
	return r;
}

/* -------------------------------------------------------------- paths */

static int
read_standards(const struct ydoc *doc, const struct ynode *n, struct collector_config *c,
    struct drift_error *err)
{
	char **v;
	size_t k;
	int r;

	if ((r = cfgread_paths(doc, n, "standards", 0, &v, &k, err)) < 0)
		return r;
	ynode_strv_free(c->standards);
	c->standards = v;
	c->nstandards = k;
	return 0;
}

/* ------------------------------------------------------------- limits */

/* A size from 1 byte to max, for a setting held in a size_t. */
static int
read_size(const struct ydoc *doc, const struct ynode *n, const char *what,
    uint64_t max, uint64_t *out, struct drift_error *err)
{
	uint64_t v;
	int r;

	if ((r = ynode_size(doc, n, what, &v, err)) < 0)
		return r;
	if (v == 0)
		return ynode_error(doc, n, err, DRIFT_EINVAL, "%s: must be more than 0 bytes", what);
	if (v > max)
		return ynode_error(doc, n, err, DRIFT_EINVAL,
		    "%s: %llu bytes is more than this system can hold in memory",
		    what, (unsigned long long)v);
	*out = v;
	return 0;
}

static int
read_limits(const struct ydoc *doc, const struct ynode *n, struct collector_config *c,
    struct drift_error *err)
{
	/* Sizes live in size_t and, for upload_max, in libevent's ev_ssize_t. */
	const uint64_t smax = SIZE_MAX < SSIZE_MAX ? SIZE_MAX : (uint64_t)SSIZE_MAX;
	const struct ynode *v;
	uint64_t x;
	int r;

	if ((r = ynode_check_keys(doc, n, "limits", limits_keys, err)) < 0)
		return r;
	if ((v = ynode_get(n, "upload_max")) != NULL &&
	    (r = read_size(doc, v, "limits.upload_max", smax, &c->upload_max, err)) < 0)
		return r;
	if ((v = ynode_get(n, "baseline_max")) != NULL) {
		if ((r = read_size(doc, v, "limits.baseline_max", smax, &x, err)) < 0)
			return r;
		c->limits.pb_max = (size_t)x;
	}
	if ((v = ynode_get(n, "content_max")) != NULL) {
		if ((r = read_size(doc, v, "limits.content_max", smax, &x, err)) < 0)
			return r;
		c->limits.content_max = (size_t)x;
	}
	if ((v = ynode_get(n, "unpacked_max")) != NULL) {
		if ((r = read_size(doc, v, "limits.unpacked_max", smax, &x, err)) < 0)
			return r;
		c->limits.total_max = (size_t)x;
	}
	if ((v = ynode_get(n, "contents_max")) != NULL) {
		if ((r = ynode_uint(doc, v, "limits.contents_max", &x, CONTENTS_MAX_MAX, err)) < 0)
			return r;
		/* a bundle holds baseline.pb besides the contents */
		c->limits.members_max = (size_t)x + 1;
	}
	if ((v = ynode_get(n, "timeout")) != NULL) {
		if ((r = ynode_duration(doc, v, "limits.timeout", &x, err)) < 0)
			return r;
		if (x < 1 || x > TIMEOUT_MAX)
			return ynode_error(doc, v, err, DRIFT_EINVAL,
			    "limits.timeout: must be from 1 second to 1 day");
		c->timeout = x;
	}
	return 0;
}

/* ------------------------------------------------------------- alerts */

static int
read_alert(const struct ydoc *doc, const struct ynode *n, struct collector_alert *a,
    struct drift_error *err)
{
	const struct ynode *v;
	char *s = NULL;
	int r;

	if (n->type != YNODE_MAP || n->n != 1)
		return ynode_error(doc, n, err, DRIFT_EINVAL,
		    "alerts: each entry is one of {webhook: URL}, {exec: PROGRAM} "
		    "or {syslog: true}, got %s", n->type == YNODE_MAP ?
		    "a mapping with several keys" : ynode_kind(n));
	if ((r = ynode_check_keys(doc, n, "alerts", alert_keys, err)) < 0)
		return r;
	memset(a, 0, sizeof(*a));
	a->enabled = true;
	if ((v = ynode_get(n, "webhook")) != NULL) {
		if ((r = ynode_string(doc, v, "alerts.webhook", &s, err)) < 0)
			return r;
		if ((strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0) ||
		    strpbrk(s, " \t\r\n") != NULL || strlen(s) <= 8) {
			r = ynode_error(doc, v, err, DRIFT_EINVAL,
			    "alerts.webhook: '%.128s' is not an http:// or https:// URL", s);
			free(s);
			return r;
		}
		a->kind = COLLECTOR_ALERT_WEBHOOK;
		a->target = s;
	} else if ((v = ynode_get(n, "exec")) != NULL) {
		if ((r = cfgread_path(doc, v, "alerts.exec", 0, &s, err)) < 0)
			return r;
		a->kind = COLLECTOR_ALERT_EXEC;
		a->target = s;
	} else {
		v = ynode_get(n, "syslog");
		if ((r = ynode_bool(doc, v, "alerts.syslog", &a->enabled, err)) < 0)
			return r;
		a->kind = COLLECTOR_ALERT_SYSLOG;
	}
	return 0;
}

static int
read_alerts(const struct ydoc *doc, const struct ynode *n, struct collector_config *c,
    struct drift_error *err)
{
	struct collector_alert *v = NULL;
	size_t i, k = 0;
	int r;

	if (ynode_is_null(n)) {
		alerts_release(c->alerts, c->nalerts);
		c->alerts = NULL;
		c->nalerts = 0;
		return 0;
	}
	if (n->type != YNODE_SEQ)
		return ynode_error(doc, n, err, DRIFT_EINVAL,
		    "alerts: expected a list, got %s", ynode_kind(n));
	if (n->n > 0 && (v = calloc(n->n, sizeof(*v))) == NULL)
		return DRIFT_ENOMEM;
	for (i = 0; i < n->n; i++) {
		size_t j;

		if ((r = read_alert(doc, n->items[i], &v[i], err)) < 0)
			goto out;
		k++;
		/* one delivery per alert and sink: the same sink twice is a mistake */
		for (j = 0; j < i; j++)
			if (v[j].kind == v[i].kind && (v[i].target == NULL ? v[j].target == NULL :
			    v[j].target != NULL && strcmp(v[j].target, v[i].target) == 0)) {
				r = ynode_error(doc, n->items[i], err, DRIFT_EINVAL,
				    "alerts: this %s entry is listed twice", collector_alert_kind_name(v[i].kind));
				goto out;
			}
	}
	alerts_release(c->alerts, c->nalerts);
	c->alerts = v;
	c->nalerts = k;
	v = NULL;	/* owned by c */
	r = 0;
out:
	if (v != NULL)
		alerts_release(v, k);
	return r;
}

/* -------------------------------------------------------------- config */

int
collector_config_defaults(struct collector_config *cfg)
{
	struct collector_config c;
	int r = DRIFT_ENOMEM;

	memset(&c, 0, sizeof(c));
	c.upload_max = DEFAULT_UPLOAD_MAX;
	c.limits.pb_max = (size_t)DEFAULT_BASELINE_MAX;
	c.limits.content_max = (size_t)DEFAULT_CONTENT_MAX;
	c.limits.total_max = (size_t)DEFAULT_UNPACKED_MAX;
	c.limits.members_max = (size_t)DEFAULT_CONTENTS_MAX + 1;
	c.timeout = DEFAULT_TIMEOUT;
	c.report_interval = DEFAULT_REPORT_INTERVAL;
	c.stale_intervals = DEFAULT_STALE_INTERVALS;
	c.stale_after = DEFAULT_REPORT_INTERVAL * DEFAULT_STALE_INTERVALS;
	c.alert_check = DEFAULT_ALERT_CHECK;
	c.workers = 0;
	if ((c.listen = calloc(1, sizeof(*c.listen))) == NULL)
		goto out;
	c.nlisten = 1;
	if ((c.listen[0].text = strdup(DEFAULT_LISTEN)) == NULL ||
	    (c.listen[0].host = strndup(DEFAULT_LISTEN, strcspn(DEFAULT_LISTEN, ":"))) == NULL ||
	    (c.listen[0].port = strdup(strchr(DEFAULT_LISTEN, ':') + 1)) == NULL ||
	    (c.tls_ca = strdup(DEFAULT_TLS_CA)) == NULL ||
	    (c.tls_cert = strdup(DEFAULT_TLS_CERT)) == NULL ||
	    (c.tls_key = strdup(DEFAULT_TLS_KEY)) == NULL ||
	    (c.store = strdup(DEFAULT_STORE)) == NULL ||
	    (c.standards = calloc(1, sizeof(*c.standards))) == NULL)
		goto out;
	*cfg = c;
	memset(&c, 0, sizeof(c));	/* owned by cfg */
	r = 0;
out:
	collector_config_release(&c);
	return r;
}

/* A duration of at least one second under key, when present. */
static int
read_seconds(const struct ydoc *doc, const struct ynode *root, const char *key, uint64_t *out,
    struct drift_error *err)
{
	const struct ynode *n = ynode_get(root, key);
	uint64_t x;
	int r;

	if (n == NULL)
		return 0;
	if ((r = ynode_duration(doc, n, key, &x, err)) < 0)
		return r;
	if (x == 0)
		return ynode_error(doc, n, err, DRIFT_EINVAL, "%s: must be longer than 0 seconds", key);
	if (x > DURATION_MAX)
		return ynode_error(doc, n, err, DRIFT_EINVAL, "%s: must be at most 10 years", key);
	*out = x;
	return 0;
}

/* Apply every key of doc to c; c may be half-changed on failure. */
static int
config_apply(const struct ydoc *doc, struct collector_config *c, struct drift_error *err)
{
	const struct ynode *root = doc->root, *n;
	uint64_t x;
	int r;

	if ((r = ynode_check_keys(doc, root, NULL, top_keys, err)) < 0)
		return r;
	if ((n = ynode_get(root, "listen")) != NULL && (r = read_listen(doc, n, c, err)) < 0)
		return r;
	if ((n = ynode_get(root, "tls")) != NULL && (r = cfgread_tls(doc, n, 0,
	    &c->tls_ca, &c->tls_cert, &c->tls_key, err)) < 0)
		return r;
	if ((n = ynode_get(root, "store")) != NULL &&
	    (r = cfgread_path(doc, n, "store", 0, &c->store, err)) < 0)
		return r;
	if ((n = ynode_get(root, "standards")) != NULL &&
	    (r = read_standards(doc, n, c, err)) < 0)
		return r;
	if ((n = ynode_get(root, "limits")) != NULL && (r = read_limits(doc, n, c, err)) < 0)
		return r;
	if ((r = read_seconds(doc, root, "report_interval", &c->report_interval, err)) < 0)
		return r;
	if ((n = ynode_get(root, "stale_intervals")) != NULL) {
		if ((r = ynode_uint(doc, n, "stale_intervals", &x, STALE_INTERVALS_MAX, err)) < 0)
			return r;
		/* one missed report is timer jitter, not a dead host */
		if (x < 2)
			return ynode_error(doc, n, err, DRIFT_EINVAL,
			    "stale_intervals: must be from 2 to %d", STALE_INTERVALS_MAX);
		c->stale_intervals = (unsigned)x;
	}
	/* Given outright, stale_after wins over the intervals. */
	c->stale_after = c->report_interval * c->stale_intervals;
	if (c->stale_after > DURATION_MAX && ynode_get(root, "stale_after") == NULL)
		return ynode_error(doc, root, err, DRIFT_EINVAL,
		    "report_interval x stale_intervals: must be at most 10 years");
	if ((r = read_seconds(doc, root, "stale_after", &c->stale_after, err)) < 0 ||
	    (r = read_seconds(doc, root, "alert_check", &c->alert_check, err)) < 0)
		return r;
	if ((n = ynode_get(root, "workers")) != NULL) {
		if ((r = ynode_uint(doc, n, "workers", &x, COLLECTOR_WORKERS_MAX, err)) < 0)
			return r;
		if (x == 0)
			return ynode_error(doc, n, err, DRIFT_EINVAL,
			    "workers: must be from 1 to %d (leave it out for one per core)",
			    COLLECTOR_WORKERS_MAX);
		c->workers = (unsigned)x;
	}
	if ((n = ynode_get(root, "alerts")) != NULL && (r = read_alerts(doc, n, c, err)) < 0)
		return r;
	return 0;
}

int
collector_config_load(struct collector_config *cfg, const char *path, struct drift_error *err)
{
	struct collector_config work;
	struct ydoc doc = { NULL, NULL };
	int r;

	memset(&work, 0, sizeof(work));
	if ((r = ydoc_load_file(&doc, path, COLLECTOR_CONFIG_MAX_BYTES, err)) < 0)
		goto out;
	if ((r = collector_config_defaults(&work)) < 0)
		goto out;
	if ((r = config_apply(&doc, &work, err)) < 0)
		goto out;
	if ((work.source = strdup(path)) == NULL) {
		r = DRIFT_ENOMEM;
		goto out;
	}
	collector_config_release(cfg);
	*cfg = work;
	memset(&work, 0, sizeof(work));	/* owned by cfg */
	r = 0;
out:
	r = cfgread_status(r, path, err);
	collector_config_release(&work);
	ydoc_release(&doc);
	return r;
}
