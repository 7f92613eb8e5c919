/* SPDX-License-Identifier: MIT */
/* alerter.c - the collector's alerter process: raises alerts from the store and delivers them to the sinks. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "alerter.h"
#include "alerts.h"
#include "baseline.h"
#include "buf.h"
#include "store.h"

#define NS			1000000000LL
/* A webhook must answer within this long... */
#define WEBHOOK_TIMEOUT_S	10
#define WEBHOOK_CONNECT_S	5
/* ...a program must finish within this long. */
#define EXEC_TIMEOUT_S		30
/* Longest pause between two attempts at one delivery. */
#define RETRY_MAX_S		3600

struct alerter {
	struct collector *c;
	struct store *store;
	char **sinks;		/* "webhook URL", "exec PROGRAM", "syslog" */
	size_t nsinks;
	sigset_t stop;		/* SIGTERM, SIGINT: blocked, taken when waiting */
	bool stopping;
	int64_t started_ns;
};

/* A SIGTERM or SIGINT waiting (they are blocked): stop after this delivery. */
static bool
signalled(void)
{
	sigset_t pending;

	return sigpending(&pending) == 0 &&
	    (sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1);
}

/* ------------------------------------------------------------- sinks */

static size_t
discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

/* libcurl asks between reads: a stopping collector does not wait out the timeout. */
static int
progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)ctx;
	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return signalled() ? 1 : 0;
}

/*
 * POST json to url; 0, or -1 with why in err. *permanent is set when the
 * answer refuses this alert for what it is (a 4xx other than 408 and
 * 429): trying again would get the same answer and hold the sink's later
 * alerts back forever.
 */
static int
send_webhook(const char *url, const struct alert_delivery *d, bool *permanent, char *err, size_t errsize)
{
	char cerr[CURL_ERROR_SIZE] = "";
	struct curl_slist *h = NULL, *nh;
	CURL *curl;
	CURLcode cc;
	long code = 0;
	int r = -1;

	if ((curl = curl_easy_init()) == NULL) {
		snprintf(err, errsize, "cannot start libcurl");
		return -1;
	}
	if ((nh = curl_slist_append(h, "Content-Type: application/json")) == NULL ||
	    (h = nh, nh = curl_slist_append(h, "Expect:")) == NULL) {
		snprintf(err, errsize, "out of memory");
		goto out;
	}
	h = nh;
	if ((cc = curl_easy_setopt(curl, CURLOPT_URL, url)) != CURLE_OK ||
	    (cc = curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h)) != CURLE_OK ||
	    (cc = curl_easy_setopt(curl, CURLOPT_POSTFIELDS, d->json)) != CURLE_OK ||
	    (cc = curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(d->json))) != CURLE_OK ||
	    (cc = curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L)) != CURLE_OK ||
	    (cc = curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L)) != CURLE_OK ||
	    (cc = curl_easy_setopt(curl, CURLOPT_USERAGENT, "drift-collector/" PACKAGE_VERSION)) != CURLE_OK ||
	    (cc = curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, cerr)) != CURLE_OK ||
	    (cc = curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, (long)WEBHOOK_CONNECT_S)) != CURLE_OK ||
	    (cc = curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)WEBHOOK_TIMEOUT_S)) != CURLE_OK ||
	    (cc = curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard)) != CURLE_OK ||
	    (cc = curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, progress)) != CURLE_OK ||
	    (cc = curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L)) != CURLE_OK) {
		snprintf(err, errsize, "libcurl: %s", curl_easy_strerror(cc));
		goto out;
	}
	if ((cc = curl_easy_perform(curl)) != CURLE_OK) {
		snprintf(err, errsize, "%s", cerr[0] ? cerr : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	if (code < 200 || code > 299) {
		*permanent = code >= 400 && code <= 499 && code != 408 && code != 429;
		snprintf(err, errsize, "answered HTTP %ld%s", code, *permanent ? "; not tried again" : "");
		goto out;
	}
	r = 0;
out:
	curl_slist_free_all(h);
	curl_easy_cleanup(curl);
	return r;
}

/* Run program with the alert on its standard input; 0 when it exits 0. */
static int
send_exec(const char *program, const struct alert_delivery *d, char *err, size_t errsize)
{
	size_t len = strlen(d->json), off = 0;
	int p[2], status = 0;
	int64_t deadline;
	ssize_t n;
	pid_t pid, w;

	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(err, errsize, "cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	if ((pid = fork()) < 0) {
		snprintf(err, errsize, "cannot start it: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (dup2(p[0], STDIN_FILENO) < 0)
			_exit(126);
		setenv("DRIFT_ALERT_HOST", d->host, 1);
		setenv("DRIFT_ALERT_CAUSE", d->cause, 1);
		setenv("DRIFT_ALERT_STATE", d->state, 1);
		execl(program, program, (char *)NULL);
		dprintf(STDERR_FILENO, "drift-collector: alerts.exec '%s': %s\n", program, strerror(errno));
		_exit(127);
	}
	close(p[0]);
	/* A program that does not read its input must not block us: SIGPIPE is ignored. */
	while (off < len) {
		if ((n = write(p[1], d->json + off, len - off)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		off += (size_t)n;
	}
	if (off == len)
		(void)!write(p[1], "\n", 1);
	close(p[1]);
	deadline = collector_mono_ns() + EXEC_TIMEOUT_S * NS;
	while ((w = waitpid(pid, &status, WNOHANG)) == 0 && collector_mono_ns() < deadline &&
	    !signalled()) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	if (w == 0 && signalled()) {
		/* stopping: tried again after the restart */
		kill(pid, SIGTERM);
		waitpid(pid, &status, 0);
		snprintf(err, errsize, "interrupted: the collector is stopping");
		return -1;
	}
	if (w == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		snprintf(err, errsize, "did not finish within %d s; killed", EXEC_TIMEOUT_S);
		return -1;
	}
	if (w < 0) {
		snprintf(err, errsize, "waiting for it: %s", strerror(errno));
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		snprintf(err, errsize, "exited with status %d", WEXITSTATUS(status));
	else
		snprintf(err, errsize, "was killed by signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return -1;
}

/* Control characters (a path may hold a newline) would forge log lines. */
static void
sanitise(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static int
send_syslog(const struct alert_delivery *d)
{
	int prio = strcmp(d->state, "resolved") == 0 ? LOG_NOTICE :
	    strcmp(d->cause, "critical") == 0 ? LOG_CRIT : LOG_WARNING;

	sanitise(d->summary);
	sanitise(d->command);
	syslog(LOG_DAEMON | prio, "%s %s: %s (details: %s)", d->cause, d->state, d->summary, d->command);
	return 0;
}

static int
deliver(const char *sink, const struct alert_delivery *d, bool *permanent, char *err, size_t errsize)
{
	*permanent = false;
	if (strncmp(sink, "webhook ", 8) == 0)
		return send_webhook(sink + 8, d, permanent, err, errsize);
	if (strncmp(sink, "exec ", 5) == 0)
		return send_exec(sink + 5, d, err, errsize);
	return send_syslog(d);
}

/* ------------------------------------------------------------- loop */

static bool
stop_pending(struct alerter *a)
{
	if (!a->stopping && signalled())
		a->stopping = true;
	return a->stopping;
}

/* Deliver what is due to one sink, oldest first, until one fails. */
static void
drain(struct alerter *a, const char *sink)
{
	struct drift_error err = { 0 };
	struct alert_delivery d;
	char why[512], when[48], shown[256];
	int64_t now, wait_s;
	bool permanent;
	unsigned k;
	int r;

	alerts_sink_display(sink, shown, sizeof(shown));
	while (!stop_pending(a)) {
		if (alerts_next_delivery(a->store, sink, &d, &err) < 0) {
			collector_log("alerts: %s", drift_error_message(&err));
			return;
		}
		now = collector_now_ns();
		if (d.alert == 0 || d.next_ns > now) {
			alert_delivery_release(&d);
			return;
		}
		why[0] = '\0';
		r = deliver(sink, &d, &permanent, why, sizeof(why));
		now = collector_now_ns();
		if (r == 0) {
			collector_log("alert %lld (%s %s %s) delivered to %s", (long long)d.alert, d.host,
			    d.cause, d.state, shown);
			r = alerts_record_attempt(a->store, d.alert, sink, now, NULL, 0, &err);
		} else if (permanent) {
			collector_log("alert %lld (%s %s %s) refused by %s: %s", (long long)d.alert, d.host,
			    d.cause, d.state, shown, why);
			r = alerts_record_attempt(a->store, d.alert, sink, now, why, 0, &err);
		} else {
			for (wait_s = (int64_t)a->c->cfg->alert_check, k = 0; k < d.attempts &&
			    wait_s < RETRY_MAX_S; k++)
				wait_s *= 2;
			if (wait_s > RETRY_MAX_S)
				wait_s = RETRY_MAX_S;
			format_time_ns((now / NS + wait_s) * NS, when, sizeof(when));
			collector_log("alert %lld (%s %s %s) to %s failed (attempt %u): %s; next try at %s",
			    (long long)d.alert, d.host, d.cause, d.state, shown, d.attempts + 1, why, when);
			if (alerts_record_attempt(a->store, d.alert, sink, now, why, now + wait_s * NS, &err) < 0)
				collector_log("alerts: %s", drift_error_message(&err));
			alert_delivery_release(&d);
			return;
		}
		alert_delivery_release(&d);
		if (r < 0) {
			collector_log("alerts: %s", drift_error_message(&err));
			return;
		}
	}
}

static void
tick(struct alerter *a)
{
	struct drift_error err = { 0 };
	struct alert_policy p;
	size_t raised = 0, i;

	p.stale_after_ns = (int64_t)a->c->cfg->stale_after * NS;
	p.sinks = (const char *const *)a->sinks;
	p.nsinks = a->nsinks;
	p.watching_since_ns = a->started_ns;
	if (alerts_update(a->store, &p, collector_now_ns(), &raised, &err) < 0)
		collector_log("alerts: %s", drift_error_message(&err));
	else if (raised > 0)
		collector_log("alerts: %zu raised or resolved", raised);
	for (i = 0; i < a->nsinks && !stop_pending(a); i++)
		drain(a, a->sinks[i]);
}

static int
make_sinks(struct alerter *a)
{
	const struct collector_config *cfg = a->c->cfg;
	struct buf b = BUF_INIT(8192);
	size_t i;

	if ((a->sinks = calloc(cfg->nalerts + 1, sizeof(*a->sinks))) == NULL)
		return -1;
	for (i = 0; i < cfg->nalerts; i++) {
		const struct collector_alert *x = &cfg->alerts[i];

		if (!x->enabled)
			continue;
		buf_reset(&b);
		if (buf_printf(&b, "%s%s%s", collector_alert_kind_name(x->kind), x->target ? " " : "",
		    x->target ? x->target : "") < 0 ||
		    (a->sinks[a->nsinks] = buf_detach(&b, NULL)) == NULL) {
			buf_release(&b);
			return -1;
		}
		a->nsinks++;
	}
	buf_release(&b);
	return 0;
}

int
alerter_run(struct collector *c, int ready_fd)
{
	struct drift_error err = { 0 };
	struct alerter a;
	struct timespec wait;
	siginfo_t si;
	size_t i, dropped;
	int rc = 1;

	/* The workers' sockets: a stopping collector must not keep them open through us. */
	for (i = 0; i < c->nlisten_fds; i++)
		close(c->listen_fds[i]);
	c->nlisten_fds = 0;
	memset(&a, 0, sizeof(a));
	a.c = c;
	a.started_ns = collector_now_ns();
	/* ps and /proc/PID/comm tell it from the workers */
	(void)prctl(PR_SET_NAME, "drift-alerter", 0, 0, 0);
	sigemptyset(&a.stop);
	sigaddset(&a.stop, SIGTERM);
	sigaddset(&a.stop, SIGINT);
	sigprocmask(SIG_BLOCK, &a.stop, NULL);
	if (make_sinks(&a) < 0) {
		collector_log("alerter: out of memory");
		goto out;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		collector_log("alerter: cannot initialise libcurl");
		goto out;
	}
	openlog("drift-collector", LOG_PID, LOG_DAEMON);
	if (store_open(c->cfg->store, true, &a.store, &err) < 0) {
		collector_log("alerter: %s", drift_error_message(&err));
		goto out_curl;
	}
	if (alerts_drop_unconfigured(a.store, (const char *const *)a.sinks, a.nsinks, &dropped, &err) < 0)
		collector_log("alerts: %s", drift_error_message(&err));
	else if (dropped > 0)
		collector_log("alerts: %zu deliveries to sinks no longer configured given up", dropped);
	if (ready_fd >= 0) {
		(void)!write(ready_fd, "a", 1);
		close(ready_fd);
		ready_fd = -1;
	}
	while (!stop_pending(&a)) {
		tick(&a);
		wait.tv_sec = (time_t)c->cfg->alert_check;
		wait.tv_nsec = 0;
		if (sigtimedwait(&a.stop, &si, &wait) >= 0)
			a.stopping = true;
	}
	rc = 0;
out_curl:
	store_close(a.store);
	closelog();
	curl_global_cleanup();
out:
	if (ready_fd >= 0)
		close(ready_fd);
	for (i = 0; i < a.nsinks; i++)
		free(a.sinks[i]);
	free(a.sinks);
	return rc;
}
