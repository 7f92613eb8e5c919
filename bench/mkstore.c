/* SPDX-License-Identifier: MIT */
/* mkstore.c - fill a store with a synthetic fleet's history (daily baselines) for bench/report. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "baseline.h"
#include "buf.h"
#include "bundle.h"
#include "digest.h"
#include "error.h"
#include "store.h"

/*
 * Each host has the same shape: /etc/app.conf, whose content is captured
 * and changes a line every day, and ENTRIES-21 other files recorded by
 * metadata and hash; 20 dpkg packages. Every day after the first, three
 * of the other files change (hash, size, mtime) and every fifth day a
 * package is upgraded, so each event holds four or five changes. Host k
 * takes its baselines at the same time of day, k minutes apart, the newest
 * an hour before now. Baselines go through a real bundle (bundle_writer)
 * and store_ingest, as the collector does; only the network is skipped.
 */

#define NPKG		20
#define APP_LINES	20
#define DAY_NS		(86400 * INT64_C(1000000000))
#define MIN_NS		(60 * INT64_C(1000000000))

struct opts {
	const char *store;
	unsigned hosts, days, entries, jobs;
};

struct host_model {
	char host_id[32];
	size_t nfiles;
	Drift__FileEntry *fe;
	Drift__FileEntry **fp;
	char (*paths)[48];
	uint8_t (*sha)[DIGEST_LEN];
	Drift__PackageEntry pe[NPKG];
	Drift__PackageEntry *pp[NPKG];
	char pname[NPKG][32], pver[NPKG][32];
	unsigned pminor[NPKG];
	struct buf app;		/* /etc/app.conf's content of the day */
	uint64_t rng;
};

static uint64_t
rnd(struct host_model *m)
{
	/* xorshift64: reproducible per host, no libc state shared between jobs */
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 7;
	m->rng ^= m->rng << 17;
	return m->rng;
}

static void
rnd_bytes(struct host_model *m, uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rnd(m);
}

static void
model_free(struct host_model *m)
{
	if (m == NULL)
		return;
	free(m->fe);
	free(m->fp);
	free(m->paths);
	free(m->sha);
	buf_release(&m->app);
	free(m);
}

static int
model_new(unsigned k, unsigned entries, int64_t t0, struct host_model **out)
{
	struct host_model *m;
	size_t i;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return DRIFT_ENOMEM;
	snprintf(m->host_id, sizeof(m->host_id), "host%05u", k);
	m->rng = UINT64_C(0x9e3779b97f4a7c15) * (k + 1);
	m->nfiles = entries > NPKG + 1 ? entries - NPKG : 1;
	buf_init(&m->app, 1 << 20);
	if ((m->fe = calloc(m->nfiles, sizeof(*m->fe))) == NULL ||
	    (m->fp = calloc(m->nfiles, sizeof(*m->fp))) == NULL ||
	    (m->paths = calloc(m->nfiles, sizeof(*m->paths))) == NULL ||
	    (m->sha = calloc(m->nfiles, sizeof(*m->sha))) == NULL) {
		model_free(m);
		return DRIFT_ENOMEM;
	}
	/* "/etc/app.conf" sorts before "/etc/conf.d/..." */
	for (i = 0; i < m->nfiles; i++) {
		Drift__FileEntry *f = &m->fe[i];

		drift__file_entry__init(f);
		if (i == 0)
			snprintf(m->paths[i], sizeof(m->paths[i]), "/etc/app.conf");
		else
			snprintf(m->paths[i], sizeof(m->paths[i]), "/etc/conf.d/%05zu.conf", i);
		f->path.data = (uint8_t *)m->paths[i];
		f->path.len = strlen(m->paths[i]);
		f->type = DRIFT__FILE_TYPE__FILE_TYPE_REGULAR;
		f->mode = 0644;
		f->owner = "root";
		f->group = "root";
		f->size = 100 + rnd(m) % 4000;
		f->mtime_ns = t0 - (int64_t)(rnd(m) % (365 * 86400)) * INT64_C(1000000000);
		f->ctime_ns = f->mtime_ns;
		f->inode = 1000 + i;
		f->nlink = 1;
		rnd_bytes(m, m->sha[i], DIGEST_LEN);
		f->sha256.data = m->sha[i];
		f->sha256.len = DIGEST_LEN;
		m->fp[i] = f;
	}
	m->fe[0].content_captured = true;
	for (i = 0; i < NPKG; i++) {
		drift__package_entry__init(&m->pe[i]);
		snprintf(m->pname[i], sizeof(m->pname[i]), "pkg%03zu", i);
		m->pminor[i] = 1;
		snprintf(m->pver[i], sizeof(m->pver[i]), "1.%u-1", m->pminor[i]);
		m->pe[i].manager = "dpkg";
		m->pe[i].name = m->pname[i];
		m->pe[i].version = m->pver[i];
		m->pe[i].arch = "amd64";
		m->pe[i].status = "installed";
		m->pp[i] = &m->pe[i];
	}
	*out = m;
	return 0;
}

/* The day's changes; day 0 is the host as it starts. */
static int
model_day(struct host_model *m, unsigned day, int64_t taken)
{
	size_t i, j;
	int r;

	if (day > 0 && m->nfiles > 1) {
		for (j = 0; j < 3; j++) {
			Drift__FileEntry *f = &m->fe[1 + rnd(m) % (m->nfiles - 1)];

			rnd_bytes(m, (uint8_t *)f->sha256.data, DIGEST_LEN);
			f->size = 100 + rnd(m) % 4000;
			f->mtime_ns = f->ctime_ns = taken - (int64_t)(rnd(m) % 3600) * INT64_C(1000000000);
		}
		if (day % 5 == 0) {
			i = rnd(m) % NPKG;
			m->pminor[i]++;
			snprintf(m->pver[i], sizeof(m->pver[i]), "1.%u-1", m->pminor[i]);
		}
	}
	buf_reset(&m->app);
	if ((r = buf_printf(&m->app, "# /etc/app.conf of %s\n", m->host_id)) < 0)
		return r;
	for (i = 0; i < APP_LINES; i++) {
		/* line i last changed on the latest day d <= day with d % APP_LINES == i */
		unsigned last = day >= i ? day - (unsigned)((day - i) % APP_LINES) : 0;

		if ((r = buf_printf(&m->app, "setting%02zu = value changed on day %u\n", i, last)) < 0)
			return r;
	}
	m->fe[0].size = m->app.len;
	m->fe[0].mtime_ns = m->fe[0].ctime_ns = taken - 600 * INT64_C(1000000000);
	return digest_sha256(m->app.data, m->app.len, m->sha[0]);
}

struct packed {
	uint8_t *data;
	size_t len;
};

static int
fill(void *ctx, bundle_emit_fn emit, void *wctx)
{
	struct packed *p = ctx;

	return emit(wctx, p->data, p->len);
}

static int
read_back(const char *path, struct buf *b, struct drift_error *err)
{
	int fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return drift_error_errno(err, errno, "'%s'", path);
	buf_reset(b);
	if ((r = buf_read_fd(b, fd)) < 0)
		r = drift_error_set(err, r, "'%s': %s", path, drift_strerror(r));
	close(fd);
	return r;
}

/* One day of one host: encode, bundle, ingest. */
static int
ingest_day(struct store *s, struct host_model *m, int64_t taken, const char *tmp,
    struct buf *bundle, struct ingest_result *res, struct drift_error *err)
{
	Drift__Baseline b = DRIFT__BASELINE__INIT;
	Drift__HostFacts facts = DRIFT__HOST_FACTS__INIT;
	Drift__Settings settings = DRIFT__SETTINGS__INIT;
	ProtobufCBinaryData path = { 4, (uint8_t *)"/etc" };
	char *capture = "/etc/**";
	struct bundle_writer *w = NULL;
	struct packed p = { NULL, 0 };
	int r;

	facts.hostname = m->host_id;
	facts.os_id = "debian";
	facts.os_version = "12";
	facts.os_pretty = "Debian GNU/Linux 12 (bookworm)";
	facts.arch = "x86_64";
	facts.agent_version = PACKAGE_VERSION;
	settings.n_paths = 1;
	settings.paths = &path;
	settings.n_capture = 1;
	settings.capture = &capture;
	b.format_version = BASELINE_FORMAT_VERSION;
	b.host_id = m->host_id;
	b.host = &facts;
	b.taken_at_ns = taken;
	b.settings = &settings;
	b.n_files = m->nfiles;
	b.files = m->fp;
	b.n_packages = NPKG;
	b.packages = m->pp;

	p.len = drift__baseline__get_packed_size(&b);
	if ((p.data = malloc(p.len)) == NULL)
		return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
	drift__baseline__pack(&b, p.data);
	if ((r = bundle_writer_open(&w, tmp, err)) < 0)
		goto out;
	if ((r = bundle_writer_add_baseline(w, p.len, fill, &p, err)) < 0 ||
	    (r = bundle_writer_add_content(w, m->sha[0], m->app.data, m->app.len, err)) < 0) {
		bundle_writer_abort(w);
		goto out;
	}
	r = bundle_writer_finish(w, err);
	w = NULL;
	if (r < 0 || (r = read_back(tmp, bundle, err)) < 0)
		goto out;
	r = store_ingest(s, bundle->data, bundle->len, &baseline_default_limits, NULL, NULL, 0,
	    taken + 5 * INT64_C(1000000000), res, err);
out:
	unlink(tmp);
	free(p.data);
	return r;
}

/* Hosts job, job+jobs, ... : their whole history, oldest day first. */
static int
run_job(const struct opts *o, unsigned job, int64_t now)
{
	struct drift_error err = { 0 };
	struct ingest_result res;
	struct store *s = NULL;
	struct host_model *m = NULL;
	struct buf bundle = BUF_INIT((size_t)1 << 30);
	char tmp[4096];
	unsigned k, d;
	int r;

	snprintf(tmp, sizeof(tmp), "%s.bundle.%ld", o->store, (long)getpid());
	if ((r = store_open(o->store, false, &s, &err)) < 0)
		goto out;
	for (k = job; k < o->hosts; k += o->jobs) {
		int64_t first = now - 3600 * INT64_C(1000000000) - (int64_t)(o->days - 1) * DAY_NS -
		    (int64_t)k * MIN_NS;

		if ((r = model_new(k + 1, o->entries, first, &m)) < 0) {
			drift_error_set(&err, r, "out of memory");
			goto out;
		}
		for (d = 0; d < o->days; d++) {
			int64_t taken = first + (int64_t)d * DAY_NS;

			if ((r = model_day(m, d, taken)) < 0) {
				drift_error_set(&err, r, "%s day %u: %s", m->host_id, d, drift_strerror(r));
				goto out;
			}
			if ((r = ingest_day(s, m, taken, tmp, &bundle, &res, &err)) < 0)
				goto out;
			if (res.unchanged || (d > 0 && res.changes == 0)) {
				r = drift_error_set(&err, DRIFT_EINTERNAL, "%s day %u: stored as unchanged",
				    m->host_id, d);
				goto out;
			}
		}
		model_free(m);
		m = NULL;
		/* job 0 speaks for all: the others are about as far */
		if (job == 0 && (k / o->jobs + 1) % 100 == 0)
			fprintf(stderr, "mkstore: about %u of %u hosts\n", (k / o->jobs + 1) * o->jobs, o->hosts);
	}
	r = 0;
out:
	if (r < 0)
		fprintf(stderr, "mkstore: %s\n", drift_error_message(&err));
	model_free(m);
	buf_release(&bundle);
	store_close(s);
	return r < 0 ? 1 : 0;
}

static int
parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v == 0 || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: mkstore [--hosts N] [--days N] [--entries N] [--jobs N] STORE\n"
	    "\n"
	    "Create the store STORE (a new directory) holding N hosts (default 1000)\n"
	    "with one baseline a day for the last --days days (default 30), each of\n"
	    "about --entries entries (default 200) and a few changes a day, ingested\n"
	    "by --jobs processes (default 1).\n"
	    "Exit status: 0 made, 1 failed, 2 usage error.\n");
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "hosts", required_argument, NULL, 'H' },
		{ "days", required_argument, NULL, 'd' },
		{ "entries", required_argument, NULL, 'e' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { NULL, 1000, 30, 200, 1 };
	struct drift_error err = { 0 };
	struct store *s = NULL;
	struct timespec ts;
	int64_t now;
	unsigned j;
	int c, rc = 0, st;
	pid_t pid;

	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		unsigned *v = c == 'H' ? &o.hosts : c == 'd' ? &o.days : c == 'e' ? &o.entries :
		    c == 'j' ? &o.jobs : NULL;

		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		if (v == NULL || parse_uint(optarg, 99999, v) < 0) {
			usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	o.store = argv[optind];
	if (o.jobs > o.hosts)
		o.jobs = o.hosts;
	if (access(o.store, F_OK) == 0) {
		fprintf(stderr, "mkstore: '%s' already exists; give a new directory\n", o.store);
		return 1;
	}
	if (store_open(o.store, true, &s, &err) < 0) {
		fprintf(stderr, "mkstore: store '%s': %s\n", o.store, drift_error_message(&err));
		return 1;
	}
	store_close(s);
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (o.jobs == 1)
		return run_job(&o, 0, now);
	for (j = 0; j < o.jobs; j++) {
		if ((pid = fork()) < 0) {
			fprintf(stderr, "mkstore: fork: %s\n", strerror(errno));
			rc = 1;
			break;
		}
		if (pid == 0)
			_exit(run_job(&o, j, now));
	}
	while ((pid = wait(&st)) > 0 || errno == EINTR)
		if (pid > 0 && (!WIFEXITED(st) || WEXITSTATUS(st) != 0))
			rc = 1;
	return rc;
}
