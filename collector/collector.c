/* SPDX-License-Identifier: MIT */
/* collector.c - loading and checking what every collector process shares, and the log. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "store.h"
#include "tls.h"

const char *
upload_result_name(enum upload_result r)
{
	static const char *const names[UPLOAD_RESULTS] = {
		"stored", "unchanged", "malformed", "forbidden", "too_large",
		"unavailable", "failed",
	};

	return (unsigned)r < UPLOAD_RESULTS ? names[r] : "unknown";
}

void
collector_log(const char *fmt, ...)
{
	static const char prefix[] = "drift-collector: ";
	char line[2048];
	size_t len = sizeof(prefix) - 1, i, off;
	va_list ap;
	int n;
	ssize_t w;

	memcpy(line, prefix, len);
	va_start(ap, fmt);
	n = vsnprintf(line + len, sizeof(line) - len - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	len += (size_t)n < sizeof(line) - len - 1 ? (size_t)n : sizeof(line) - len - 2;
	/* Names and messages come from certificates and bundles: keep the log one line each. */
	for (i = sizeof(prefix) - 1; i < len; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	line[len++] = '\n';
	for (off = 0; off < len; off += (size_t)w)
		if ((w = write(STDERR_FILENO, line + off, len - off)) < 0) {
			if (errno == EINTR) {
				w = 0;
				continue;
			}
			return;
		}
}

static int64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t
collector_now_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

int64_t
collector_mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

void
collector_close(struct collector *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nstds; i++)
		standard_free(c->stds[i]);
	free(c->stds);
	SSL_CTX_free(c->tls);
	free(c->listen_fds);
	free(c);
}

static int
load_standards(struct collector *c, struct drift_error *err)
{
	const struct collector_config *cfg = c->cfg;
	struct drift_error e = { 0 };
	size_t i;
	int r;

	if (cfg->nstandards == 0)
		return 0;
	if ((c->stds = calloc(cfg->nstandards, sizeof(*c->stds))) == NULL)
		return DRIFT_ENOMEM;
	for (i = 0; i < cfg->nstandards; i++) {
		if ((r = standard_load(cfg->standards[i], &c->stds[i], &e)) < 0)
			return drift_error_set(err, r, "standards: %s", drift_error_message(&e));
		c->nstds++;
	}
	return 0;
}

/* An alerts.exec program must be there to run, or every alert to it would wait forever. */
static int
check_alert_programs(const struct collector_config *cfg, struct drift_error *err)
{
	struct stat st;
	size_t i;

	for (i = 0; i < cfg->nalerts; i++) {
		const struct collector_alert *a = &cfg->alerts[i];

		if (a->kind != COLLECTOR_ALERT_EXEC || !a->enabled)
			continue;
		if (stat(a->target, &st) < 0)
			return drift_error_errno(err, errno, "alerts.exec '%s'", a->target);
		if (!S_ISREG(st.st_mode) || access(a->target, X_OK) < 0)
			return drift_error_set(err, DRIFT_EINVAL,
			    "alerts.exec '%s': not an executable file", a->target);
	}
	return 0;
}

/*
 * Opening the store proves the daemon can use it. A check must not create
 * it (run as root, it would leave a directory the service user cannot
 * write), so a store that does not exist yet only needs a parent to be
 * created in.
 */
static bool
dir_is_empty(const char *path)
{
	struct dirent *de;
	bool empty = true;
	DIR *d;

	if ((d = opendir(path)) == NULL)
		return false;
	while (empty && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			empty = false;
	closedir(d);
	return empty;
}

static int
check_store(const struct collector_config *cfg, bool check_only, struct drift_error *err)
{
	struct drift_error e = { 0 };
	struct store *s = NULL;
	struct stat st;
	char *copy, *parent;
	int r;

	if (check_only && stat(cfg->store, &st) < 0 && errno == ENOENT) {
		if ((copy = strdup(cfg->store)) == NULL)
			return DRIFT_ENOMEM;
		parent = dirname(copy);
		r = 0;
		if (stat(parent, &st) < 0 || !S_ISDIR(st.st_mode))
			r = drift_error_set(err, DRIFT_ECONFIG, "store '%s': it does not exist "
			    "and neither does its parent '%s'", cfg->store, parent);
		else
			collector_log("note: the store '%s' does not exist yet; it is created "
			    "when drift-collector starts", cfg->store);
		free(copy);
		return r;
	}
	if (check_only && stat(cfg->store, &st) == 0 && S_ISDIR(st.st_mode) && dir_is_empty(cfg->store)) {
		/* What the package and systemd's StateDirectory= make before the first start. */
		collector_log("note: the store '%s' is empty; it is set up when drift-collector starts",
		    cfg->store);
		return 0;
	}
	if ((r = store_open(cfg->store, !check_only, &s, &e)) < 0)
		return drift_error_set(err, r, "store '%s': %s", cfg->store, drift_error_message(&e));
	store_close(s);
	return 0;
}

static int
check_listen(const struct collector_config *cfg, struct drift_error *err)
{
	struct addrinfo hints, *ai;
	size_t i;
	int g;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	for (i = 0; i < cfg->nlisten; i++) {
		if ((g = getaddrinfo(cfg->listen[i].host, cfg->listen[i].port, &hints, &ai)) != 0)
			return drift_error_set(err, DRIFT_ECONFIG, "listen '%s': cannot resolve "
			    "'%s': %s", cfg->listen[i].text, cfg->listen[i].host, gai_strerror(g));
		freeaddrinfo(ai);
	}
	return 0;
}

int
collector_open(const struct collector_config *cfg, unsigned workers, bool check_only,
    struct collector **out, struct drift_error *err)
{
	struct collector *c;
	long cores;
	int r;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return DRIFT_ENOMEM;
	c->cfg = cfg;
	if (workers == 0)
		workers = cfg->workers;
	if (workers == 0) {
		cores = sysconf(_SC_NPROCESSORS_ONLN);
		workers = cores < 1 ? 1 : cores > COLLECTOR_WORKERS_MAX ?
		    COLLECTOR_WORKERS_MAX : (unsigned)cores;
	}
	c->workers = workers;
	if ((r = check_listen(cfg, err)) < 0 ||
	    (r = tls_context_new(cfg->tls_ca, cfg->tls_cert, cfg->tls_key, &c->tls, err)) < 0 ||
	    (r = load_standards(c, err)) < 0 ||
	    (r = check_alert_programs(cfg, err)) < 0 ||
	    (r = check_store(cfg, check_only, err)) < 0)
		goto out;
	*out = c;
	c = NULL;	/* owned by the caller */
	r = 0;
out:
	if (r == DRIFT_ENOMEM && err != NULL && err->code != r)
		drift_error_set(err, r, "out of memory");
	collector_close(c);
	return r;
}
