/* SPDX-License-Identifier: MIT */
/* snapshot.c - one observation of a host, from walk to bundle. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "baseline.h"
#include "bundle.h"
#include "entry.h"
#include "facts.h"
#include "pkgdb.h"
#include "snapshot.h"

struct snapshot {
	struct wlist files;
	struct wentry **sorted;
	struct pkglist pkgs;
	Drift__HostFacts facts;
	char *host_id;
	int64_t taken_at_ns;
	const struct agent_config *cfg;
	char *root;
	struct strlist paths;	/* normalized, sorted */
	struct idmap *ids;	/* owns the owner/group names entries point to */
	uint64_t bytes_hashed;
	bool progress;
};

/* --- progress on a terminal --- */

static void
walk_progress(void *ctx, size_t n)
{
	struct snapshot *s = ctx;

	if (s->progress)
		fprintf(stderr, "\rdrift-agent: walking: %zu entries", n);
}

static void
walk_missing(void *ctx, const char *path)
{
	(void)ctx;
	fprintf(stderr, "drift-agent: '%s': not present, skipped\n", path);
}

static void
hash_progress(void *ctx, const struct hash_stats *st)
{
	struct snapshot *s = ctx;

	if (s->progress)
		fprintf(stderr, "\rdrift-agent: hashing: %zu/%zu files, %llu MiB   ",
		    st->done, st->total, (unsigned long long)(st->bytes >> 20));
}

/* --- preparation --- */

/* "/etc//ssh/" -> "/etc/ssh"; paths are absolute (the config loader checks). */
static char *
normalize_path(const char *p)
{
	char *out = malloc(strlen(p) + 2), *o = out;

	if (out == NULL)
		return NULL;
	for (; *p != '\0'; p++) {
		if (*p == '/' && o > out && o[-1] == '/')
			continue;
		*o++ = *p;
	}
	while (o > out + 1 && o[-1] == '/')
		o--;
	if (o == out)
		*o++ = '/';
	*o = '\0';
	return out;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmp_wentry(const void *a, const void *b)
{
	const struct wentry *x = *(struct wentry *const *)a, *y = *(struct wentry *const *)b;

	return path_cmp((const uint8_t *)x->path, x->pathlen, (const uint8_t *)y->path, y->pathlen);
}

int
snapshot_take(const struct snapshot_options *o, struct snapshot **out, struct drift_error *err)
{
	struct snapshot *s;
	struct walk_options wo = { 0 };
	struct timespec ts;
	size_t i;
	int r;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
	wlist_init(&s->files);
	s->cfg = o->cfg;
	s->progress = o->progress;
	clock_gettime(CLOCK_REALTIME, &ts);
	s->taken_at_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if ((s->root = strdup(o->root)) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < o->cfg->paths.n; i++) {
		char *p = normalize_path(o->cfg->paths.v[i]);

		if (p == NULL || strlist_push(&s->paths, p) < 0) {
			free(p);
			r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
			goto fail;
		}
		free(p);
	}
	qsort(s->paths.v, s->paths.n, sizeof(char *), cmp_str);
	if ((r = facts_collect(o->root, &s->facts)) < 0) {
		r = drift_error_set(err, r, "collecting host facts: %s", drift_strerror(r));
		goto fail;
	}
	if (o->host_id != NULL)
		s->host_id = strdup(o->host_id);
	else if (o->cfg->host_id != NULL)
		s->host_id = strdup(o->cfg->host_id);
	else
		s->host_id = strdup(s->facts.hostname);
	if (s->host_id == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto fail;
	}
	if ((r = idmap_new(o->root, &s->ids)) < 0) {
		r = drift_error_set(err, r, "reading users and groups: %s", drift_strerror(r));
		goto fail;
	}
	{
		struct agent_config walkcfg = *o->cfg;

		walkcfg.paths = s->paths;
		wo.root = o->root;
		wo.cfg = &walkcfg;
		wo.ids = s->ids;
		wo.progress = walk_progress;
		wo.missing = walk_missing;
		wo.progress_ctx = s;
		if ((r = walk_paths(&wo, &s->files, err)) < 0)
			goto fail;
	}
	if ((r = hash_entries(o->root, &s->files, o->jobs, hash_progress, s, err)) < 0)
		goto fail;
	if (s->progress)
		fputs("\r\033[K", stderr);
	if ((s->sorted = malloc((s->files.n ? s->files.n : 1) * sizeof(*s->sorted))) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < s->files.n; i++) {
		s->sorted[i] = wlist_at(&s->files, i);
		if (s->sorted[i]->hashed)
			s->bytes_hashed += s->sorted[i]->size;
	}
	qsort(s->sorted, s->files.n, sizeof(*s->sorted), cmp_wentry);
	if ((r = pkgdb_read(o->root, o->cfg->package_managers.v, o->cfg->package_managers.n,
	    &s->pkgs, err)) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	snapshot_free(s);
	return r;
}

void
snapshot_get_stats(const struct snapshot *s, struct snapshot_stats *st)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	st->entries = s->files.n;
	st->packages = s->pkgs.n;
	st->bytes_hashed = s->bytes_hashed;
	for (i = 0; i < s->files.n; i++) {
		const struct wentry *e = wlist_at(&s->files, i);

		st->regular += e->type == DRIFT__FILE_TYPE__FILE_TYPE_REGULAR;
		st->errors += e->error != NULL;
		st->captured += e->content != NULL;
	}
}

void
snapshot_free(struct snapshot *s)
{
	if (s == NULL)
		return;
	wlist_release(&s->files);
	idmap_free(s->ids);
	free(s->sorted);
	pkglist_release(&s->pkgs);
	if (s->facts.agent_version != NULL)
		facts_release(&s->facts);
	strlist_clear(&s->paths);
	free(s->host_id);
	free(s->root);
	free(s);
}

/* --- encoding: the Baseline is streamed one entry at a time --- */

static void
file_message(struct snapshot *s, const struct wentry *e, Drift__FileEntry *m)
{
	const char *owner = idmap_user(s->ids, e->uid), *group = idmap_group(s->ids, e->gid);

	drift__file_entry__init(m);
	m->path.data = (uint8_t *)e->path;
	m->path.len = e->pathlen;
	m->type = (Drift__FileType)e->type;
	m->mode = e->mode;
	m->uid = e->uid;
	m->gid = e->gid;
	m->owner = (char *)(owner ? owner : "");
	m->group = (char *)(group ? group : "");
	m->size = e->size;
	m->mtime_ns = e->mtime_ns;
	if (e->hashed) {
		m->sha256.data = (uint8_t *)e->sha256;
		m->sha256.len = DIGEST_LEN;
	}
	if (e->target != NULL) {
		m->target.data = (uint8_t *)e->target;
		m->target.len = e->targetlen;
	}
	m->inode = e->ino;
	m->nlink = e->nlink;
	m->ctime_ns = e->ctime_ns;
	m->rdev = e->rdev;
	m->content_captured = e->content != NULL;
	m->error = (char *)(e->error ? e->error : "");
}

static void
package_message(const struct pkg *p, Drift__PackageEntry *m)
{
	drift__package_entry__init(m);
	m->manager = p->manager;
	m->name = p->name;
	m->version = p->version;
	m->arch = p->arch;
	m->status = p->status;
}

struct header {
	Drift__Baseline b;
	Drift__Settings settings;
	ProtobufCBinaryData *paths;
};

static int
header_init(struct snapshot *s, struct header *h)
{
	const struct agent_config *c = s->cfg;
	size_t i;

	drift__baseline__init(&h->b);
	drift__settings__init(&h->settings);
	h->b.format_version = BASELINE_FORMAT_VERSION;
	h->b.host_id = s->host_id;
	h->b.host = &s->facts;
	h->b.taken_at_ns = s->taken_at_ns;
	h->b.settings = &h->settings;
	if ((h->paths = calloc(s->paths.n ? s->paths.n : 1, sizeof(*h->paths))) == NULL)
		return DRIFT_ENOMEM;
	for (i = 0; i < s->paths.n; i++) {
		h->paths[i].data = (uint8_t *)s->paths.v[i];
		h->paths[i].len = strlen(s->paths.v[i]);
	}
	h->settings.n_paths = s->paths.n;
	h->settings.paths = h->paths;
	h->settings.n_exclude = c->exclude.n;
	h->settings.exclude = c->exclude.v;
	h->settings.n_capture = c->capture.n;
	h->settings.capture = c->capture.v;
	h->settings.n_never_capture = c->never_capture.n;
	h->settings.never_capture = c->never_capture.v;
	h->settings.cross_mounts = c->cross_mounts;
	h->settings.capture_max = c->capture_max;
	h->settings.n_package_managers = c->package_managers.n;
	h->settings.package_managers = c->package_managers.v;
	if (strcmp(s->root, "/") != 0) {
		h->settings.root.data = (uint8_t *)s->root;
		h->settings.root.len = strlen(s->root);
	}
	return 0;
}

static size_t
varint_len(size_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static size_t
varint_put(uint8_t *p, size_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* Field keys of Baseline.files (6) and Baseline.packages (7), length-delimited. */
#define KEY_FILES ((6 << 3) | 2)
#define KEY_PACKAGES ((7 << 3) | 2)

static size_t
encoded_size(struct snapshot *s, struct header *h)
{
	size_t total = drift__baseline__get_packed_size(&h->b), i, n;

	for (i = 0; i < s->files.n; i++) {
		Drift__FileEntry m;

		file_message(s, s->sorted[i], &m);
		n = drift__file_entry__get_packed_size(&m);
		total += 1 + varint_len(n) + n;
	}
	for (i = 0; i < s->pkgs.n; i++) {
		Drift__PackageEntry m;

		package_message(&s->pkgs.v[i], &m);
		n = drift__package_entry__get_packed_size(&m);
		total += 1 + varint_len(n) + n;
	}
	return total;
}

struct fill_ctx {
	struct snapshot *s;
	struct header *h;
};

static int
emit_message(bundle_emit_fn emit, void *wctx, uint8_t key, const ProtobufCMessage *m,
    uint8_t **scratch, size_t *cap)
{
	size_t n = protobuf_c_message_get_packed_size(m), hl;
	uint8_t hdr[16];
	int r;

	if (n > *cap) {
		uint8_t *p = realloc(*scratch, n);

		if (p == NULL)
			return DRIFT_ENOMEM;
		*scratch = p;
		*cap = n;
	}
	protobuf_c_message_pack(m, *scratch);
	hdr[0] = key;
	hl = 1 + varint_put(hdr + 1, n);
	if ((r = emit(wctx, hdr, hl)) < 0)
		return r;
	return emit(wctx, *scratch, n);
}

static int
fill_baseline(void *ctx, bundle_emit_fn emit, void *wctx)
{
	struct fill_ctx *fc = ctx;
	struct snapshot *s = fc->s;
	uint8_t *scratch = NULL;
	size_t cap = 0, i, n;
	int r;

	n = drift__baseline__get_packed_size(&fc->h->b);
	if ((scratch = malloc(n ? n : 1)) == NULL)
		return DRIFT_ENOMEM;
	cap = n;
	drift__baseline__pack(&fc->h->b, scratch);
	if ((r = emit(wctx, scratch, n)) < 0)
		goto out;
	for (i = 0; i < s->files.n; i++) {
		Drift__FileEntry m;

		file_message(s, s->sorted[i], &m);
		if ((r = emit_message(emit, wctx, KEY_FILES, &m.base, &scratch, &cap)) < 0)
			goto out;
	}
	for (i = 0; i < s->pkgs.n; i++) {
		Drift__PackageEntry m;

		package_message(&s->pkgs.v[i], &m);
		if ((r = emit_message(emit, wctx, KEY_PACKAGES, &m.base, &scratch, &cap)) < 0)
			goto out;
	}
	r = 0;
out:
	free(scratch);
	return r;
}

int
snapshot_write_bundle(struct snapshot *s, const char *path, struct drift_error *err)
{
	struct bundle_writer *w = NULL;
	struct header h = { 0 };
	struct fill_ctx fc = { s, &h };
	size_t i;
	int r;

	if ((r = header_init(s, &h)) < 0)
		return drift_error_set(err, r, "out of memory");
	if ((r = bundle_writer_open(&w, path, err)) < 0)
		goto out;
	if ((r = bundle_writer_add_baseline(w, encoded_size(s, &h), fill_baseline, &fc, err)) < 0)
		goto out;
	for (i = 0; i < s->files.n; i++) {
		const struct wentry *e = s->sorted[i];

		if (e->content == NULL)
			continue;
		if ((r = bundle_writer_add_content(w, e->sha256, e->content, e->content_len, err)) < 0)
			goto out;
	}
	r = bundle_writer_finish(w, err);
	w = NULL;
out:
	bundle_writer_abort(w);
	free(h.paths);
	return r;
}
