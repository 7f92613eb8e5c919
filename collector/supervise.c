/* SPDX-License-Identifier: MIT */
/* supervise.c - the collector's parent process: sockets, workers, signals, restarts. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "collector.h"
#include "alerter.h"
#include "server.h"
#include "supervise.h"

/* How long workers may take to open the store and start accepting. */
#define READY_TIMEOUT_S		60
/* After limits.timeout, how long a stopping worker gets to close the store. */
#define STOP_GRACE_S		10
/* A worker that dies younger than this is restarted after a growing pause... */
#define YOUNG_S			10
/* ...of at most this long. */
#define BACKOFF_MAX_S		60

#define NS	1000000000LL

struct slot {
	pid_t pid;		/* 0: not running */
	int64_t started;	/* CLOCK_MONOTONIC ns */
	int64_t restart_at;	/* when to start a replacement; 0: none due */
	unsigned backoff;	/* seconds */
};

/*
 * Slots 0 .. workers-1 are the server workers; slot `workers` is the
 * alerter (alerter.h), supervised the same way.
 */
struct super {
	struct collector *c;
	struct slot *slots;
	unsigned nslots;
	sigset_t waited, old_mask;
	pid_t parent;
	bool stopping;
	int rc;
};

static void
nop_handler(int sig)
{
	(void)sig;
}

/* ----------------------------------------------------------- listening */

static void
format_addr(const struct sockaddr *sa, socklen_t len, char *out, size_t size)
{
	char host[NI_MAXHOST], port[NI_MAXSERV];

	if (getnameinfo(sa, len, host, sizeof(host), port, sizeof(port),
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(out, size, "?");
	else if (sa->sa_family == AF_INET6)
		snprintf(out, size, "[%s]:%s", host, port);
	else
		snprintf(out, size, "%s:%s", host, port);
}

static int
listen_one(struct collector *c, const struct collector_listen *l, const struct addrinfo *ai,
    struct buf *names, struct drift_error *err)
{
	char addr[NI_MAXHOST + NI_MAXSERV + 4];
	int fd, one = 1, *v;

	format_addr(ai->ai_addr, ai->ai_addrlen, addr, sizeof(addr));
	if ((v = realloc(c->listen_fds, (c->nlisten_fds + 1) * sizeof(*v))) == NULL)
		return DRIFT_ENOMEM;
	c->listen_fds = v;
	if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    ai->ai_protocol)) < 0)
		return drift_error_errno(err, errno, "listen '%s': cannot listen on %s", l->text, addr);
	/* A restarted collector must not wait for its predecessor's TIME_WAIT connections. */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* "[::]:8443" means IPv6; list "0.0.0.0:8443" too for IPv4. */
	if (ai->ai_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	/* Accepted sockets inherit it (Linux): no 40 ms delayed-ACK wait per answer. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, SOMAXCONN) < 0) {
		int e = errno;

		close(fd);
		return drift_error_errno(err, e, "listen '%s': cannot listen on %s", l->text, addr);
	}
	c->listen_fds[c->nlisten_fds++] = fd;
	return buf_printf(names, "%s%s", names->len > 0 ? ", " : "", addr);
}

static int
listen_all(struct collector *c, struct buf *names, struct drift_error *err)
{
	const struct collector_config *cfg = c->cfg;
	struct addrinfo hints, *res, *ai;
	size_t i;
	int g, r = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	for (i = 0; i < cfg->nlisten && r == 0; i++) {
		if ((g = getaddrinfo(cfg->listen[i].host, cfg->listen[i].port, &hints, &res)) != 0)
			return drift_error_set(err, DRIFT_ECONFIG, "listen '%s': cannot resolve "
			    "'%s': %s", cfg->listen[i].text, cfg->listen[i].host, gai_strerror(g));
		for (ai = res; ai != NULL && r == 0; ai = ai->ai_next)
			r = listen_one(c, &cfg->listen[i], ai, names, err);
		freeaddrinfo(res);
	}
	return r;
}

static void
close_listeners(struct collector *c)
{
	size_t i;

	for (i = 0; i < c->nlisten_fds; i++)
		close(c->listen_fds[i]);
	c->nlisten_fds = 0;
}

/* ------------------------------------------------------------- workers */

/* "worker 3" or "the alerter", for messages. */
static const char *
slot_name(const struct super *s, unsigned i, char *out, size_t size)
{
	if (i == s->c->workers)
		snprintf(out, size, "the alerter");
	else
		snprintf(out, size, "worker %u", i);
	return out;
}

static int
spawn(struct super *s, unsigned i, int ready_wr, int ready_rd)
{
	char name[32];
	pid_t pid;
	int rc;

	fflush(NULL);	/* or the child would write the parent's buffered output again */
	if ((pid = fork()) < 0) {
		collector_log("cannot start %s: %s", slot_name(s, i, name, sizeof(name)), strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (ready_rd >= 0)
			close(ready_rd);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		/* A terminal's or systemd's SIGHUP is the parent's to answer. */
		signal(SIGHUP, SIG_IGN);
		/* A client gone mid-response must not kill the worker. */
		signal(SIGPIPE, SIG_IGN);
		sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
		/* Never outlive the supervisor: it holds the sockets' fate. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != s->parent)
			exit(1);
		rc = i == s->c->workers ? alerter_run(s->c, ready_wr) : server_worker(s->c, i, ready_wr);
		exit(rc);
	}
	s->slots[i].pid = pid;
	s->slots[i].started = collector_mono_ns();
	s->slots[i].restart_at = 0;
	STAT_ADD(s->c->stats[i].starts, 1);
	return 0;
}

static unsigned
running(const struct super *s)
{
	unsigned i, n = 0;

	for (i = 0; i < s->nslots; i++)
		n += s->slots[i].pid != 0;
	return n;
}

static void
signal_all(struct super *s, int sig)
{
	unsigned i;

	for (i = 0; i < s->nslots; i++)
		if (s->slots[i].pid != 0)
			kill(s->slots[i].pid, sig);
}

static void
describe(int status, char *out, size_t size)
{
	if (WIFEXITED(status))
		snprintf(out, size, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(out, size, "was killed by signal %d (%s)", WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else
		snprintf(out, size, "stopped (status 0x%x)", (unsigned)status);
}

/* Collect every worker that ended; plan replacements unless stopping. */
static void
reap(struct super *s, int flags)
{
	char what[128], name[32];
	int64_t now, ran;
	unsigned i;
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, flags)) > 0) {
		for (i = 0; i < s->nslots && s->slots[i].pid != pid; i++)
			;
		if (i == s->nslots)
			continue;
		s->slots[i].pid = 0;
		describe(status, what, sizeof(what));
		slot_name(s, i, name, sizeof(name));
		if (s->stopping) {
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
				collector_log("%s (pid %d) %s while stopping", name, (int)pid, what);
				s->rc = 1;
			}
			continue;
		}
		now = collector_mono_ns();
		ran = now - s->slots[i].started;
		if (ran < YOUNG_S * NS)
			s->slots[i].backoff = s->slots[i].backoff == 0 ? 1 :
			    s->slots[i].backoff * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S :
			    s->slots[i].backoff * 2;
		else
			s->slots[i].backoff = 0;
		s->slots[i].restart_at = now + (int64_t)s->slots[i].backoff * NS;
		if (s->slots[i].backoff > 0)
			collector_log("%s (pid %d) %s after %lld s; starting a new one in %u s",
			    name, (int)pid, what, (long long)(ran / NS), s->slots[i].backoff);
		else
			collector_log("%s (pid %d) %s; starting a new one", name, (int)pid, what);
	}
}

static void
restart_due(struct super *s)
{
	int64_t now = collector_mono_ns();
	unsigned i;

	for (i = 0; i < s->nslots; i++)
		if (s->slots[i].pid == 0 && s->slots[i].restart_at != 0 &&
		    s->slots[i].restart_at <= now && spawn(s, i, -1, -1) < 0)
			s->slots[i].restart_at = now + BACKOFF_MAX_S * NS;
}

/* Stop every worker and wait for all of them: a failed start. */
static void
stop_all(struct super *s)
{
	s->stopping = true;
	signal_all(s, SIGTERM);
	while (running(s) > 0) {
		reap(s, 0);
		if (errno == ECHILD)
			break;
	}
}

/* Start every worker and the alerter; 0 once each accepts connections or watches the store. */
static int
start_all(struct super *s)
{
	int64_t deadline;
	unsigned i, ready = 0;
	int p[2], t;
	char b[64];
	ssize_t n;
	struct pollfd pfd;

	if (pipe2(p, O_CLOEXEC) < 0) {
		collector_log("cannot start workers: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < s->nslots; i++)
		if (spawn(s, i, p[1], p[0]) < 0)
			break;
	close(p[1]);
	/* Each worker writes one byte, then closes its end: end of file once all did or died. */
	deadline = collector_mono_ns() + READY_TIMEOUT_S * NS;
	pfd.fd = p[0];
	pfd.events = POLLIN;
	while (ready < s->nslots) {
		t = (int)((deadline - collector_mono_ns()) / 1000000);
		if (t <= 0) {
			collector_log("workers did not start within %d s", READY_TIMEOUT_S);
			break;
		}
		if (poll(&pfd, 1, t) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if ((n = read(p[0], b, sizeof(b))) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		ready += (unsigned)n;
	}
	close(p[0]);
	if (ready < s->nslots) {
		collector_log("%u of %u processes (workers and the alerter) could not start (see above); stopping",
		    s->nslots - ready, s->nslots);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------- ready file */

static int
write_ready_file(const char *path)
{
	struct buf tmp = BUF_INIT(4096);
	int fd = -1, r = -1;

	if (buf_printf(&tmp, "%s.tmp", path) < 0)
		goto out;
	if ((fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0 ||
	    dprintf(fd, "%ld\n", (long)getpid()) < 0 || close(fd) < 0) {
		collector_log("--ready-file '%s': %s", tmp.data, strerror(errno));
		if (fd >= 0)
			unlink(tmp.data);
		goto out;
	}
	if (rename(tmp.data, path) < 0) {
		collector_log("--ready-file '%s': %s", path, strerror(errno));
		unlink(tmp.data);
		goto out;
	}
	r = 0;
out:
	buf_release(&tmp);
	return r;
}

/* ------------------------------------------------------------------ run */

int
supervise_run(struct collector *c, const char *ready_file)
{
	struct buf names = BUF_INIT(64 * 1024);
	struct drift_error err = { 0 };
	struct timespec tick = { 1, 0 };
	struct sigaction sa;
	struct rlimit rl;
	struct super s;
	int64_t stop_deadline = 0;
	bool killed = false, ready_written = false;
	size_t statsize = (c->workers + 1) * sizeof(*c->stats);	/* and the alerter's starts */
	siginfo_t si;
	int sig;

	memset(&s, 0, sizeof(s));
	s.c = c;
	s.parent = getpid();
	s.rc = 1;
	c->stats = mmap(NULL, statsize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c->stats == MAP_FAILED) {
		c->stats = NULL;
		collector_log("cannot share counters between workers: %s", strerror(errno));
		goto out;
	}
	/*
	 * Every connection is a descriptor, and an accept() failing with
	 * EMFILE leaves the listening socket readable: take all we may.
	 */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	s.nslots = c->workers + 1;
	if ((s.slots = calloc(s.nslots, sizeof(*s.slots))) == NULL) {
		collector_log("out of memory");
		goto out;
	}
	if (listen_all(c, &names, &err) < 0) {
		collector_log("%s", drift_error_message(&err));
		goto out;
	}
	/* Signals are taken synchronously with sigtimedwait; the handler only unblocks the wait. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = nop_handler;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&s.waited);
	sigaddset(&s.waited, SIGCHLD);
	sigaddset(&s.waited, SIGTERM);
	sigaddset(&s.waited, SIGINT);
	sigaddset(&s.waited, SIGHUP);
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigprocmask(SIG_BLOCK, &s.waited, &s.old_mask);

	if (start_all(&s) < 0) {
		stop_all(&s);
		s.rc = 1;
		goto out;
	}
	if (ready_file != NULL) {
		if (write_ready_file(ready_file) < 0) {
			stop_all(&s);
			s.rc = 1;
			goto out;
		}
		ready_written = true;
	}
	collector_log("listening on %s with %u worker%s (pid %ld)", names.data, c->workers,
	    c->workers == 1 ? "" : "s", (long)getpid());
	s.rc = 0;
	for (;;) {
		sig = sigtimedwait(&s.waited, &si, &tick);
		if ((sig == SIGTERM || sig == SIGINT) && !s.stopping) {
			collector_log("shutting down on %s: finishing requests under way",
			    sig == SIGTERM ? "SIGTERM" : "SIGINT");
			s.stopping = true;
			/* No new connections; each worker closes its copies as it drains. */
			close_listeners(c);
			signal_all(&s, SIGTERM);
			stop_deadline = collector_mono_ns() +
			    ((int64_t)c->cfg->timeout + STOP_GRACE_S) * NS;
		} else if (sig == SIGHUP)
			collector_log("SIGHUP: reloading is not supported; restart "
			    "drift-collector to apply a new configuration");
		reap(&s, WNOHANG);
		if (!s.stopping)
			restart_due(&s);
		else if (running(&s) == 0)
			break;
		else if (!killed && collector_mono_ns() > stop_deadline) {
			collector_log("%u processes did not stop in time; killing them", running(&s));
			signal_all(&s, SIGKILL);
			killed = true;
			s.rc = 1;
		}
	}
	if (s.rc == 0)
		collector_log("stopped");
out:
	if (ready_written && unlink(ready_file) < 0)
		collector_log("--ready-file '%s': %s", ready_file, strerror(errno));
	close_listeners(c);
	free(s.slots);
	if (c->stats != NULL)
		munmap(c->stats, statsize);
	c->stats = NULL;
	buf_release(&names);
	return s.rc;
}
