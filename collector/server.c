/* SPDX-License-Identifier: MIT */
/* server.c - one collector worker: HTTPS (libevent evhttp over OpenSSL) into the store. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "alerts.h"
#include "buf.h"
#include "collector.h"
#include "json.h"
#include "server.h"
#include "store.h"
#include "tls.h"

/* Seconds a client is asked to wait after a 503. */
#define RETRY_AFTER	"60"
/* Request line and headers together; an agent sends a few hundred bytes. */
#define HEADERS_MAX	(16 * 1024)
/* How often a draining worker looks whether its last request is done. */
#define DRAIN_TICK_US	50000
/* /metrics text; ample for COLLECTOR_WORKERS_MAX workers. */
#define METRICS_MAX	(1024 * 1024)

struct worker {
	struct collector *c;
	const struct collector_config *cfg;
	unsigned index;
	struct worker_stats *st;
	struct event_base *base;
	struct evhttp *http;
	struct store *store;
	struct evhttp_bound_socket **bound;
	size_t nbound;
	struct event *ev_term, *ev_int, *ev_drain;
	bool draining;
	int64_t drain_until;	/* CLOCK_MONOTONIC ns */
	size_t busy;		/* connections with a request under way */
};

/*
 * One connection. The TLS layer owns it through the SSL object, so it
 * lives exactly as long as the connection, whoever closes it (evhttp on
 * an error, a timeout, or evhttp_free).
 */
struct conn {
	struct tls_peer peer;	/* first: tls_peer_of() hands it back */
	struct worker *w;
	struct bufferevent *bev;
	struct evbuffer_cb_entry *in_cb, *out_cb;
	bool busy;
	unsigned own_replies;	/* responses queued by us, status line not yet seen */
};

static void
conn_set_busy(struct conn *k, bool busy)
{
	if (k->busy == busy)
		return;
	k->busy = busy;
	if (busy)
		k->w->busy++;
	else
		k->w->busy--;
}

static void
conn_release(struct tls_peer *p)
{
	struct conn *k = (struct conn *)p;

	if (k->bev != NULL) {
		if (k->in_cb != NULL)
			evbuffer_remove_cb_entry(bufferevent_get_input(k->bev), k->in_cb);
		if (k->out_cb != NULL)
			evbuffer_remove_cb_entry(bufferevent_get_output(k->bev), k->out_cb);
	}
	conn_set_busy(k, false);
	free(k);
}

static const char *
conn_name(const struct conn *k)
{
	return k->peer.name[0] != '\0' ? k->peer.name :
	    k->peer.offered[0] != '\0' ? k->peer.offered : "?";
}

static const char *
conn_addr(struct conn *k)
{
	tls_peer_address(bufferevent_openssl_get_ssl(k->bev), &k->peer);
	return k->peer.addr[0] != '\0' ? k->peer.addr : "?";
}

/* Request bytes arrived: a request is under way until its response is written. */
static void
in_cb(struct evbuffer *b, const struct evbuffer_cb_info *info, void *arg)
{
	(void)b;
	if (info->n_added > 0)
		conn_set_busy(arg, true);
}

/*
 * libevent 2.1 answers some requests itself, before our handler could see
 * them: above all a Content-Length over upload_max, refused with 413
 * without buffering the body (evhttp_set_max_body_size; the server-side
 * hooks to do it ourselves, evhttp_set_newreqcb and evhttp_set_errorcb,
 * only came with 2.2, so that 413 has libevent's HTML body, not ours).
 * Watching status lines go out is how those refusals still get their log
 * line and their count.
 */
static void
out_cb(struct evbuffer *b, const struct evbuffer_cb_info *info, void *arg)
{
	struct conn *k = arg;
	struct evbuffer_ptr pos;
	char head[13];
	int code;

	if (info->n_added == 0 ||
	    evbuffer_ptr_set(b, &pos, info->orig_size, EVBUFFER_PTR_SET) < 0 ||
	    evbuffer_copyout_from(b, &pos, head, sizeof(head)) != (ev_ssize_t)sizeof(head) ||
	    memcmp(head, "HTTP/1.", 7) != 0 || head[8] != ' ' || head[12] != ' ')
		return;
	code = (head[9] - '0') * 100 + (head[10] - '0') * 10 + (head[11] - '0');
	if (code < 200)
		return;
	if (k->own_replies > 0) {
		k->own_replies--;
		return;
	}
	if (code == 413) {
		STAT_ADD(k->w->st->uploads[UPLOAD_TOO_LARGE], 1);
		collector_log("refused upload from %s (certificate '%s'): it is larger than "
		    "upload_max (%llu bytes) (413)", conn_addr(k), conn_name(k),
		    (unsigned long long)k->w->cfg->upload_max);
	} else if (code >= 400)
		collector_log("refused request from %s (certificate '%s'): a request line, "
		    "header or method the collector does not take (%d)", conn_addr(k),
		    conn_name(k), code);
}

static void
listeners_enable(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	size_t i;

	(void)fd;
	(void)what;
	if (w->draining)
		return;
	for (i = 0; i < w->nbound; i++)
		evconnlistener_enable(evhttp_bound_socket_get_listener(w->bound[i]));
}

/*
 * Workers share the listening sockets, and libevent accepts until the
 * queue is empty: one worker would take a whole burst of keep-alive
 * connections and serve them all while its sibling idles. So a worker
 * takes one connection at a time (disabling its listeners stops
 * libevent's accept loop) and listens again a millisecond later.
 */
static void
take_one_connection(struct worker *w)
{
	/* long enough for a sibling woken by the same burst to take the next one */
	static const struct timeval pause = { 0, 1000 };
	size_t i;

	for (i = 0; i < w->nbound; i++)
		evconnlistener_disable(evhttp_bound_socket_get_listener(w->bound[i]));
	if (event_base_once(w->base, -1, EV_TIMEOUT, listeners_enable, w, &pause) < 0)
		listeners_enable(-1, 0, w);
}

static struct bufferevent *
bevcb(struct event_base *base, void *arg)
{
	struct worker *w = arg;
	struct bufferevent *bev;
	struct conn *k;
	SSL *ssl = NULL;

	take_one_connection(w);

	if ((k = calloc(1, sizeof(*k))) == NULL)
		goto plain;
	if ((ssl = SSL_new(w->c->tls)) == NULL || tls_peer_attach(ssl, &k->peer) < 0) {
		SSL_free(ssl);
		free(k);
		goto plain;
	}
	k->w = w;
	k->peer.refused_count = &w->st->tls_refused;
	k->peer.release = conn_release;	/* from now on SSL_free frees k */
	bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
	    BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		goto plain;	/* whether ssl was freed is libevent's business: leak rather than risk it */
	k->bev = bev;
	/* Agents and curl often close without close_notify after a complete response. */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	k->in_cb = evbuffer_add_cb(bufferevent_get_input(bev), in_cb, k);
	k->out_cb = evbuffer_add_cb(bufferevent_get_output(bev), out_cb, k);
	return bev;
plain:
	/*
	 * Returning NULL would make evhttp serve the connection in plain
	 * HTTP; a plain bufferevent has no TLS peer, and handle() refuses
	 * every request that comes without one.
	 */
	collector_log("out of memory accepting a connection; refusing it");
	return bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
}

static struct conn *
conn_of(struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev = evcon != NULL ? evhttp_connection_get_bufferevent(evcon) : NULL;
	SSL *ssl = bev != NULL ? bufferevent_openssl_get_ssl(bev) : NULL;

	return ssl != NULL ? (struct conn *)tls_peer_of(ssl) : NULL;
}

/* --------------------------------------------------------------- replies */

static void
on_complete(struct evhttp_request *req, void *arg)
{
	struct conn *k = arg;

	(void)req;
	if (evbuffer_get_length(bufferevent_get_input(k->bev)) == 0)
		conn_set_busy(k, false);
}

/* Send a response; k may be freed by the time this returns. */
static void
reply(struct worker *w, struct conn *k, struct evhttp_request *req, int code,
    const char *ctype, const char *body, size_t len)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", ctype);
	evhttp_add_header(h, "Cache-Control", "no-store");
	/* A draining worker sends clients to the next collector process. */
	if (w->draining || k == NULL)
		evhttp_add_header(h, "Connection", "close");
	if (evbuffer_add(evhttp_request_get_output_buffer(req), body, len) < 0)
		code = 500;
	if (k != NULL) {
		evhttp_request_set_on_complete_cb(req, on_complete, k);
		k->own_replies++;
	}
	evhttp_send_reply(req, code, NULL, NULL);
}

static void
reply_json_error(struct worker *w, struct conn *k, struct evhttp_request *req, int code,
    const char *msg)
{
	static const char fallback[] = "{\"error\": \"out of memory\"}\n";
	char *body = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&body, &len)) != NULL) {
		fputs("{\"error\": ", f);
		json_cstr(f, msg);
		fputs("}\n", f);
		if (fclose(f) != 0) {
			free(body);
			body = NULL;
		}
	}
	if (body == NULL)
		reply(w, k, req, code, "application/json", fallback, sizeof(fallback) - 1);
	else
		reply(w, k, req, code, "application/json", body, len);
	free(body);
}

static void
method_not_allowed(struct worker *w, struct conn *k, struct evhttp_request *req,
    const char *allow)
{
	char msg[128];

	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", allow);
	snprintf(msg, sizeof(msg), "this path only answers %s", allow);
	reply_json_error(w, k, req, 405, msg);
}

/*
 * Refuse an upload: one log line naming the peer, its certificate and the
 * reason, the count, and {"error": client_msg}. The log may say more than
 * the client is told (store trouble stays on the collector).
 */
static void
refuse(struct worker *w, struct conn *k, struct evhttp_request *req, int code,
    enum upload_result result, const char *client_msg, const char *log_reason)
{
	STAT_ADD(w->st->uploads[result], 1);
	collector_log("refused upload from %s (certificate '%s'): %s (%d)", conn_addr(k),
	    conn_name(k), log_reason != NULL ? log_reason : client_msg, code);
	if (code == 503)
		evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", RETRY_AFTER);
	reply_json_error(w, k, req, code, client_msg);
}

/* ---------------------------------------------------------------- upload */

static void
upload_done(struct worker *w, struct conn *k, struct evhttp_request *req,
    const struct ingest_result *res, int64_t ms10)
{
	const char *status = res->unchanged ? "unchanged" : "stored";
	char *body = NULL;
	size_t len = 0;
	FILE *f;

	STAT_ADD(w->st->uploads[res->unchanged ? UPLOAD_UNCHANGED : UPLOAD_STORED], 1);
	if (res->unchanged)
		collector_log("%s (certificate '%s'): baseline %lld of '%s' unchanged (%lld.%lld ms)",
		    conn_addr(k), conn_name(k), (long long)res->baseline_id, res->host,
		    (long long)(ms10 / 10), (long long)(ms10 % 10));
	else
		collector_log("%s (certificate '%s'): baseline %lld of '%s' stored: %zu changes, "
		    "%zu new critical findings (%lld.%lld ms)", conn_addr(k), conn_name(k),
		    (long long)res->baseline_id, res->host, res->changes, res->new_critical,
		    (long long)(ms10 / 10), (long long)(ms10 % 10));
	if ((f = open_memstream(&body, &len)) == NULL)
		goto oom;
	fputs("{\"host\": ", f);
	json_cstr(f, res->host);
	fprintf(f, ", \"baseline\": %lld, \"status\": \"%s\", \"changes\": %zu, "
	    "\"new_critical\": %zu}\n", (long long)res->baseline_id, status,
	    res->changes, res->new_critical);
	if (fclose(f) != 0)
		goto oom;
	reply(w, k, req, 200, "application/json", body, len);
	free(body);
	return;
oom:
	/* Stored all the same: the agent's retry will be answered "unchanged". */
	free(body);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", RETRY_AFTER);
	reply_json_error(w, k, req, 503, "the collector is out of memory; try again later");
}

static void
upload(struct worker *w, struct conn *k, struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	struct drift_error err = { 0 };
	struct ingest_result res;
	char msg[1200];
	unsigned char *data;
	int64_t t0, dt;
	int r;

	STAT_ADD(w->st->bytes_received, len);
	if (k->peer.name[0] == '\0') {
		snprintf(msg, sizeof(msg), "the client certificate %s, so it names no host",
		    k->peer.name_problem != NULL ? k->peer.name_problem : "has no usable name");
		refuse(w, k, req, 403, UPLOAD_FORBIDDEN, msg, NULL);
		return;
	}
	if (len == 0) {
		refuse(w, k, req, 400, UPLOAD_MALFORMED, "the request has no body: send the "
		    "bundle that drift-agent snapshot writes", NULL);
		return;
	}
	if (len > w->cfg->upload_max) {	/* evhttp enforces it; kept for clarity */
		snprintf(msg, sizeof(msg), "the upload is %zu bytes; this collector takes at "
		    "most %llu (limits.upload_max)", len, (unsigned long long)w->cfg->upload_max);
		refuse(w, k, req, 413, UPLOAD_TOO_LARGE, msg, NULL);
		return;
	}
	if ((data = evbuffer_pullup(in, -1)) == NULL) {
		refuse(w, k, req, 503, UPLOAD_UNAVAILABLE, "the collector is out of memory; "
		    "try again later", NULL);
		return;
	}
	t0 = collector_mono_ns();
	r = store_ingest(w->store, data, len, &w->cfg->limits, k->peer.name,
	    (const struct standard *const *)w->c->stds, w->c->nstds, collector_now_ns(),
	    &res, &err);
	dt = collector_mono_ns() - t0;
	STAT_ADD(w->st->ingest_ns, dt);
	STAT_ADD(w->st->ingest_count, 1);
	switch (r) {
	case 0:
		upload_done(w, k, req, &res, dt / 100000);
		return;
	case DRIFT_EFORMAT:
		refuse(w, k, req, 400, UPLOAD_MALFORMED, drift_error_message(&err), NULL);
		return;
	case DRIFT_EVERSION:
		snprintf(msg, sizeof(msg), "%s: this collector cannot read that format; "
		    "upgrade it", drift_error_message(&err));
		refuse(w, k, req, 400, UPLOAD_MALFORMED, msg, NULL);
		return;
	case DRIFT_ETOOBIG:
		snprintf(msg, sizeof(msg), "%s (over this collector's limits)",
		    drift_error_message(&err));
		refuse(w, k, req, 413, UPLOAD_TOO_LARGE, msg, NULL);
		return;
	case DRIFT_EINVAL:
		refuse(w, k, req, 403, UPLOAD_FORBIDDEN, drift_error_message(&err), NULL);
		return;
	case DRIFT_EIO:
	case DRIFT_ENOMEM:
		snprintf(msg, sizeof(msg), "cannot store it: %s", drift_error_message(&err));
		refuse(w, k, req, 503, UPLOAD_UNAVAILABLE, "the collector cannot store "
		    "baselines right now; try again later", msg);
		return;
	default:
		snprintf(msg, sizeof(msg), "internal error: %s", drift_error_message(&err));
		refuse(w, k, req, 500, UPLOAD_FAILED, "the collector failed to process the "
		    "upload; its log says why", msg);
		return;
	}
}

/* --------------------------------------------------------------- metrics */

static int
metrics_text(struct worker *w, struct buf *b)
{
	static const struct {
		const char *name, *type, *help;
	} m[] = {
		{ "drift_collector_uploads_total", "counter", "Uploads answered, by result." },
		{ "drift_collector_received_bytes_total", "counter", "Bytes of upload bodies received." },
		{ "drift_collector_ingest_duration_seconds", "summary",
		  "Time spent reading, checking and storing uploads." },
		{ "drift_collector_tls_refused_total", "counter", "TLS handshakes refused." },
		{ "drift_collector_worker_starts_total", "counter",
		  "Worker processes started (more than 1: restarted after a crash)." },
	};
	const struct worker_stats *s;
	struct drift_error err = { 0 };
	struct store_host *hosts = NULL;
	size_t nhosts = 0, baselines = 0, firing = 0, undelivered = 0, i;
	unsigned j, k;
	int r = 0;

#define HEAD(x) buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", m[x].name, m[x].help, m[x].name, m[x].type)
	r |= HEAD(0);
	for (j = 0; j < w->c->workers; j++)
		for (k = 0; k < UPLOAD_RESULTS; k++)
			r |= buf_printf(b, "%s{worker=\"%u\",result=\"%s\"} %llu\n", m[0].name, j,
			    upload_result_name(k),
			    (unsigned long long)STAT_GET(w->c->stats[j].uploads[k]));
	r |= HEAD(1);
	for (j = 0; j < w->c->workers; j++)
		r |= buf_printf(b, "%s{worker=\"%u\"} %llu\n", m[1].name, j,
		    (unsigned long long)STAT_GET(w->c->stats[j].bytes_received));
	r |= HEAD(2);
	for (j = 0; j < w->c->workers; j++) {
		s = &w->c->stats[j];
		r |= buf_printf(b, "%s_sum{worker=\"%u\"} %.6f\n%s_count{worker=\"%u\"} %llu\n",
		    m[2].name, j, (double)STAT_GET(s->ingest_ns) / 1e9, m[2].name, j,
		    (unsigned long long)STAT_GET(s->ingest_count));
	}
	r |= HEAD(3);
	for (j = 0; j < w->c->workers; j++)
		r |= buf_printf(b, "%s{worker=\"%u\"} %llu\n", m[3].name, j,
		    (unsigned long long)STAT_GET(w->c->stats[j].tls_refused));
	r |= HEAD(4);
	for (j = 0; j < w->c->workers; j++)
		r |= buf_printf(b, "%s{worker=\"%u\"} %llu\n", m[4].name, j,
		    (unsigned long long)STAT_GET(w->c->stats[j].starts));
#undef HEAD
	if (store_hosts(w->store, &hosts, &nhosts, &err) == 0) {
		for (i = 0; i < nhosts; i++)
			baselines += hosts[i].baselines;
		store_hosts_free(hosts, nhosts);
		r |= buf_printf(b, "# HELP drift_collector_hosts Hosts in the store.\n"
		    "# TYPE drift_collector_hosts gauge\ndrift_collector_hosts %zu\n"
		    "# HELP drift_collector_baselines Distinct baselines in the store.\n"
		    "# TYPE drift_collector_baselines gauge\ndrift_collector_baselines %zu\n",
		    nhosts, baselines);
	} else
		collector_log("metrics: cannot count the store's hosts: %s", drift_error_message(&err));
	if (alerts_count(w->store, &firing, &undelivered, &err) == 0)
		r |= buf_printf(b, "# HELP drift_collector_alerts_firing Host and cause pairs alerting now.\n"
		    "# TYPE drift_collector_alerts_firing gauge\ndrift_collector_alerts_firing %zu\n"
		    "# HELP drift_collector_alert_deliveries_waiting Alert deliveries not made yet"
		    " (a sink failing, or not tried yet).\n"
		    "# TYPE drift_collector_alert_deliveries_waiting gauge\n"
		    "drift_collector_alert_deliveries_waiting %zu\n", firing, undelivered);
	else
		collector_log("metrics: cannot count alerts: %s", drift_error_message(&err));
	return r;
}

static void
metrics(struct worker *w, struct conn *k, struct evhttp_request *req)
{
	struct buf b = BUF_INIT(METRICS_MAX);

	if (metrics_text(w, &b) < 0)
		reply_json_error(w, k, req, 500, "the metrics do not fit in memory");
	else
		reply(w, k, req, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len);
	buf_release(&b);
}

/* --------------------------------------------------------------- routing */

static void
handle(struct evhttp_request *req, void *arg)
{
	static const char ok[] = "{\"status\": \"ok\"}\n";
	struct worker *w = arg;
	struct conn *k = conn_of(req);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	bool get = cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD;

	if (k == NULL) {
		collector_log("refused a request that did not come over TLS");
		reply_json_error(w, NULL, req, 403, "use TLS with a client certificate");
		return;
	}
	if (path == NULL)
		path = "";
	if (strcmp(path, "/v1/baselines") == 0) {
		if (cmd == EVHTTP_REQ_POST)
			upload(w, k, req);
		else
			method_not_allowed(w, k, req, "POST");
	} else if (strcmp(path, "/healthz") == 0) {
		if (get)
			reply(w, k, req, 200, "application/json", ok, sizeof(ok) - 1);
		else
			method_not_allowed(w, k, req, "GET, HEAD");
	} else if (strcmp(path, "/metrics") == 0) {
		if (get)
			metrics(w, k, req);
		else
			method_not_allowed(w, k, req, "GET, HEAD");
	} else
		reply_json_error(w, k, req, 404, "there is nothing at this path: the collector "
		    "answers POST /v1/baselines, GET /healthz and GET /metrics");
}

/* ------------------------------------------------------------- lifecycle */

static void
drain_tick(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;

	(void)fd;
	(void)what;
	if (w->busy > 0 && collector_mono_ns() < w->drain_until)
		return;
	if (w->busy > 0)
		collector_log("worker %u: %zu requests still under way after %llu s "
		    "(limits.timeout); closing them", w->index, w->busy,
		    (unsigned long long)w->cfg->timeout);
	event_base_loopexit(w->base, NULL);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct timeval tick = { 0, DRAIN_TICK_US };
	struct worker *w = arg;
	size_t i;

	(void)sig;
	(void)what;
	if (w->draining)
		return;
	w->draining = true;
	/* No new connections: the listening sockets' other holders take them. */
	for (i = 0; i < w->nbound; i++)
		evhttp_del_accept_socket(w->http, w->bound[i]);
	w->nbound = 0;
	w->drain_until = collector_mono_ns() + (int64_t)w->cfg->timeout * 1000000000;
	if (event_add(w->ev_drain, &tick) < 0)
		event_base_loopexit(w->base, NULL);
	drain_tick(-1, 0, w);
}

static int
worker_setup(struct worker *w)
{
	const struct collector_config *cfg = w->cfg;
	struct drift_error err = { 0 };
	struct evconnlistener *l;
	size_t i;

	if (store_open(cfg->store, true, &w->store, &err) < 0) {
		collector_log("worker %u: store '%s': %s", w->index, cfg->store,
		    drift_error_message(&err));
		return -1;
	}
	if ((w->base = event_base_new()) == NULL || (w->http = evhttp_new(w->base)) == NULL ||
	    (w->bound = calloc(w->c->nlisten_fds, sizeof(*w->bound))) == NULL)
		goto oom;
	evhttp_set_bevcb(w->http, bevcb, w);
	evhttp_set_gencb(w->http, handle, w);
	/*
	 * A Content-Length over upload_max is refused (413) without the body
	 * ever being buffered. Lingering close reads and discards the body
	 * first: closing with it unread would reset the connection, and a
	 * client that sees a reset instead of the 413 (the agent sends no
	 * "Expect: 100-continue") would retry the upload for ever.
	 */
	evhttp_set_max_body_size(w->http, (ev_ssize_t)cfg->upload_max);
	evhttp_set_flags(w->http, EVHTTP_SERVER_LINGERING_CLOSE);
	evhttp_set_max_headers_size(w->http, HEADERS_MAX);
	evhttp_set_timeout(w->http, (int)cfg->timeout);
	/* Every method reaches handle(), which answers 405 in JSON. */
	evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
	    EVHTTP_REQ_PATCH);
	for (i = 0; i < w->c->nlisten_fds; i++) {
		/* backlog 0: the parent already listens on it */
		l = evconnlistener_new(w->base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE, 0,
		    w->c->listen_fds[i]);
		if (l == NULL || (w->bound[i] = evhttp_bind_listener(w->http, l)) == NULL) {
			collector_log("worker %u: cannot accept connections: %s", w->index,
			    strerror(errno));
			if (l != NULL)
				evconnlistener_free(l);
			return -1;
		}
		w->nbound++;
	}
	if ((w->ev_term = evsignal_new(w->base, SIGTERM, on_signal, w)) == NULL ||
	    (w->ev_int = evsignal_new(w->base, SIGINT, on_signal, w)) == NULL ||
	    (w->ev_drain = event_new(w->base, -1, EV_PERSIST, drain_tick, w)) == NULL ||
	    event_add(w->ev_term, NULL) < 0 || event_add(w->ev_int, NULL) < 0)
		goto oom;
	return 0;
oom:
	collector_log("worker %u: out of memory", w->index);
	return -1;
}

int
server_worker(struct collector *c, unsigned index, int ready_fd)
{
	struct worker w;
	int rc = 1;

	memset(&w, 0, sizeof(w));
	w.c = c;
	w.cfg = c->cfg;
	w.index = index;
	w.st = &c->stats[index];
	if (worker_setup(&w) < 0)
		goto out;
	if (ready_fd >= 0) {
		if (write(ready_fd, "r", 1) != 1)
			collector_log("worker %u: cannot report readiness: %s", index, strerror(errno));
		close(ready_fd);
		ready_fd = -1;
	}
	if (event_base_dispatch(w.base) < 0) {
		collector_log("worker %u: the event loop failed", index);
		goto out;
	}
	rc = 0;
out:
	if (ready_fd >= 0)
		close(ready_fd);
	/* Closes idle keep-alive connections, and any cut off by the drain deadline. */
	if (w.http != NULL)
		evhttp_free(w.http);
	if (w.ev_term != NULL)
		event_free(w.ev_term);
	if (w.ev_int != NULL)
		event_free(w.ev_int);
	if (w.ev_drain != NULL)
		event_free(w.ev_drain);
	free(w.bound);
	store_close(w.store);
	if (w.base != NULL)
		event_base_free(w.base);
	return rc;
}
