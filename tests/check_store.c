/* SPDX-License-Identifier: MIT */
/* check_store.c - the collector's store on real SQLite files: ingest, history, references, events. */
#include "config.h"

#include <check.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent_config.h"
#include "alerts.h"
#include "baseline.h"
#include "buf.h"
#include "bundle.h"
#include "digest.h"
#include "snapshot.h"
#include "standard.h"
#include "store.h"

Suite *make_store_suite(void);

/* --- oracles: GNU date for times, sqlite3 for rows, find + sha256sum for blobs, python for JSON --- */

/* What a shell command printed (free it); the command must succeed. */
static char *
run(const char *cmd)
{
	char *out = NULL, blk[4096];
	size_t len = 0, n;
	FILE *o = open_memstream(&out, &len), *p = popen(cmd, "r");

	ck_assert_ptr_nonnull(o);
	ck_assert_ptr_nonnull(p);
	while ((n = fread(blk, 1, sizeof(blk), p)) > 0)
		fwrite(blk, 1, n, o);
	ck_assert_msg(pclose(p) == 0, "'%s' failed", cmd);
	fclose(o);
	return out;
}

/* An ISO 8601 time in nanoseconds, as GNU date reads it. */
static int64_t
iso_ns(const char *iso)
{
	char cmd[256], *out;
	long long sec;
	long nsec;

	snprintf(cmd, sizeof(cmd), "TZ=UTC date -u -d '%s' +%%s.%%N", iso);
	out = run(cmd);
	ck_assert_int_eq(sscanf(out, "%lld.%ld", &sec, &nsec), 2);
	free(out);
	return (int64_t)sec * 1000000000 + nsec;
}

struct env {
	char tmp[64];
	char dir[96];		/* the store */
	struct store *s;
};

static void
env_setup(struct env *e)
{
	struct drift_error err = { 0 };

	snprintf(e->tmp, sizeof(e->tmp), "/tmp/drift-check-store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(e->tmp));
	snprintf(e->dir, sizeof(e->dir), "%s/store", e->tmp);
	ck_assert_msg(store_open(e->dir, true, &e->s, &err) == 0, "%s", err.msg);
}

static void
env_teardown(struct env *e)
{
	char cmd[128];

	store_close(e->s);
	e->s = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->tmp);
	ck_assert_int_eq(system(cmd), 0);
}

/* Rows in a table, through a connection of our own. */
static int64_t
rows(const struct env *e, const char *table)
{
	static const char *const tables[] = { "hosts", "baselines", "seen", "contents", "events" };
	char path[128], sql[64];
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t n;
	size_t i;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (strcmp(tables[i], table) == 0)
			break;
	ck_assert_uint_lt(i, sizeof(tables) / sizeof(tables[0]));
	snprintf(path, sizeof(path), "%s/drift.db", e->dir);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tables[i]);
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* Every file under blobs/, sorted, one per line (free it). */
static char *
blob_listing(const struct env *e)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "cd '%s/blobs' && find . -type f | LC_ALL=C sort", e->dir);
	return run(cmd);
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Every blob is named by the SHA-256 of its bytes (sha256sum says), under its first two digits. */
static void
assert_blobs_named_by_sha(const struct env *e)
{
	char cmd[256], *out, *line, *save = NULL;
	size_t n = 0;

	snprintf(cmd, sizeof(cmd), "cd '%s/blobs' && find . -type f -exec sha256sum {} + | LC_ALL=C sort", e->dir);
	out = run(cmd);
	for (line = strtok_r(out, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		/* "<hash>  ./ab/<hash>" */
		ck_assert_uint_eq(strlen(line), 64 + 2 + 2 + 3 + 64);
		ck_assert_msg(memcmp(line, line + 71, 64) == 0 && memcmp(line + 68, line, 2) == 0,
		    "blob not named by its SHA-256: %s", line);
		n++;
	}
	ck_assert_uint_gt(n, 0);
	free(out);
}

/* Length of a JSON array as Python's json module reads it (-1: not a JSON array). */
static long
json_array_len(const struct env *e, const char *json)
{
	char path[128], cmd[512], *out;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/x.json", e->tmp);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(json, f);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
	    "print(len(d) if isinstance(d, list) else -1)' '%s'", path);
	out = run(cmd);
	n = strtol(out, NULL, 10);
	free(out);
	return n;
}

/* --- baselines built by hand, written as real bundles --- */

struct fspec {
	const char *path;
	const char *content;	/* NULL: a directory */
	unsigned mode;
	bool capture;
};

struct pspec {
	const char *name;
	const char *version;
};

struct bspec {
	const char *host;
	const char *taken;	/* ISO 8601 */
	const struct fspec *files;	/* sorted by path */
	size_t nfiles;
	const struct pspec *pkgs;	/* sorted by name */
	size_t npkgs;
};

#define MAXE 16

struct fill_ctx {
	const uint8_t *data;
	size_t len;
};

static int
fill(void *ctx, bundle_emit_fn emit, void *wctx)
{
	struct fill_ctx *c = ctx;

	return emit(wctx, c->data, c->len);
}

/* The bundle as drift-agent would send it (free it). */
static uint8_t *
make_bundle(const struct env *e, const struct bspec *b, size_t *len)
{
	Drift__Baseline pb = DRIFT__BASELINE__INIT;
	Drift__HostFacts hf = DRIFT__HOST_FACTS__INIT;
	Drift__FileEntry fe[MAXE], *fp[MAXE];
	Drift__PackageEntry pe[MAXE], *pp[MAXE];
	uint8_t sha[MAXE][DIGEST_LEN], *enc, *data;
	struct drift_error err = { 0 };
	struct bundle_writer *w = NULL;
	struct fill_ctx fc;
	char path[128];
	struct stat st;
	size_t i, n;
	FILE *f;

	ck_assert_uint_le(b->nfiles, MAXE);
	ck_assert_uint_le(b->npkgs, MAXE);
	pb.format_version = BASELINE_FORMAT_VERSION;
	pb.host_id = (char *)b->host;
	hf.hostname = (char *)b->host;
	hf.os_id = "debian";
	hf.os_version = "12";
	pb.host = &hf;
	pb.taken_at_ns = iso_ns(b->taken);
	for (i = 0; i < b->nfiles; i++) {
		const struct fspec *s = &b->files[i];

		drift__file_entry__init(&fe[i]);
		fe[i].path.data = (uint8_t *)s->path;
		fe[i].path.len = strlen(s->path);
		fe[i].mode = s->mode;
		fe[i].owner = "root";
		fe[i].group = "root";
		if (s->content == NULL) {
			fe[i].type = DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY;
		} else {
			fe[i].type = DRIFT__FILE_TYPE__FILE_TYPE_REGULAR;
			ck_assert_int_eq(digest_sha256(s->content, strlen(s->content), sha[i]), 0);
			fe[i].sha256.data = sha[i];
			fe[i].sha256.len = DIGEST_LEN;
			fe[i].size = strlen(s->content);
			fe[i].content_captured = s->capture;
		}
		fp[i] = &fe[i];
	}
	pb.files = fp;
	pb.n_files = b->nfiles;
	for (i = 0; i < b->npkgs; i++) {
		drift__package_entry__init(&pe[i]);
		pe[i].manager = "dpkg";
		pe[i].name = (char *)b->pkgs[i].name;
		pe[i].version = (char *)b->pkgs[i].version;
		pe[i].arch = "amd64";
		pe[i].status = "installed";
		pp[i] = &pe[i];
	}
	pb.packages = pp;
	pb.n_packages = b->npkgs;

	n = drift__baseline__get_packed_size(&pb);
	ck_assert_ptr_nonnull(enc = malloc(n));
	ck_assert_uint_eq(drift__baseline__pack(&pb, enc), n);
	fc = (struct fill_ctx){ enc, n };
	snprintf(path, sizeof(path), "%s/upload.drift", e->tmp);
	ck_assert_msg(bundle_writer_open(&w, path, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(bundle_writer_add_baseline(w, n, fill, &fc, &err), 0);
	for (i = 0; i < b->nfiles; i++)
		if (b->files[i].content != NULL && b->files[i].capture)
			ck_assert_int_eq(bundle_writer_add_content(w, sha[i], b->files[i].content,
			    strlen(b->files[i].content), &err), 0);
	ck_assert_msg(bundle_writer_finish(w, &err) == 0, "%s", err.msg);
	free(enc);

	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_ptr_nonnull(data = malloc((size_t)st.st_size));
	ck_assert_ptr_nonnull(f = fopen(path, "rb"));
	ck_assert_uint_eq(fread(data, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	unlink(path);
	*len = (size_t)st.st_size;
	return data;
}

static int
ingest_full(struct env *e, const struct bspec *b, const char *expect, const struct standard *const *stds,
    size_t nstds, const char *received, struct ingest_result *res, struct drift_error *err)
{
	size_t len;
	uint8_t *data = make_bundle(e, b, &len);
	int r;

	r = store_ingest(e->s, data, len, NULL, expect, stds, nstds, iso_ns(received), res, err);
	free(data);
	return r;
}

/* Ingest that must succeed. */
static struct ingest_result
ingest_ok(struct env *e, const struct bspec *b, const char *received)
{
	struct ingest_result res;
	struct drift_error err = { 0 };

	memset(&res, 0xa5, sizeof(res));
	ck_assert_msg(ingest_full(e, b, b->host, NULL, 0, received, &res, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(res.host, b->host);
	ck_assert_int_eq(res.taken_at_ns, iso_ns(b->taken));
	return res;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct fspec files_a[] = {
	{ "/etc", NULL, 0755, false },
	{ "/etc/hosts", "127.0.0.1 localhost\n", 0644, true },
	{ "/etc/motd", "welcome\n", 0644, true },
	{ "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n", 0644, false },
};
static const struct pspec pkgs_a[] = { { "bash", "5.2.15-2" }, { "openssl", "3.0.11-1~deb12u2" } };

/* B: motd edited, hosts made 0600, openssl upgraded: three changes. */
static const struct fspec files_b[] = {
	{ "/etc", NULL, 0755, false },
	{ "/etc/hosts", "127.0.0.1 localhost\n", 0600, true },
	{ "/etc/motd", "welcome to web01\n", 0644, true },
	{ "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n", 0644, false },
};
static const struct pspec pkgs_b[] = { { "bash", "5.2.15-2" }, { "openssl", "3.0.13-1~deb12u1" } };

/* C: a file added on top of B, and telnetd installed. */
static const struct fspec files_c[] = {
	{ "/etc", NULL, 0755, false },
	{ "/etc/hosts", "127.0.0.1 localhost\n", 0600, true },
	{ "/etc/motd", "welcome to web01\n", 0644, true },
	{ "/etc/new.conf", "x = 1\n", 0644, true },
	{ "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n", 0644, false },
};
static const struct pspec pkgs_c[] = {
	{ "bash", "5.2.15-2" }, { "openssl", "3.0.13-1~deb12u1" }, { "telnetd", "0.17-44" },
};

#define SPEC(host, taken, f, p) { host, taken, f, N(f), p, N(p) }

/* --- tests --- */

START_TEST(test_stored_then_unchanged)
{
	const struct bspec a = SPEC("web01", "2026-11-01T10:00:00Z", files_a, pkgs_a);
	const struct bspec a_later = SPEC("web01", "2026-11-01T11:00:00.5Z", files_a, pkgs_a);
	struct ingest_result r1, r2, r3;
	struct env e;
	char *before, *after;

	env_setup(&e);
	r1 = ingest_ok(&e, &a, "2026-11-01T10:00:05Z");
	ck_assert(!r1.unchanged);
	ck_assert_int_gt(r1.baseline_id, 0);
	ck_assert_uint_eq(r1.changes, 0);
	ck_assert_uint_eq(r1.new_critical, 0);
	ck_assert_int_eq(rows(&e, "hosts"), 1);
	ck_assert_int_eq(rows(&e, "baselines"), 1);
	ck_assert_int_eq(rows(&e, "seen"), 0);
	ck_assert_int_eq(rows(&e, "contents"), 2);	/* hosts and motd were captured */
	ck_assert_int_eq(rows(&e, "events"), 0);
	before = blob_listing(&e);
	ck_assert_uint_eq(count_lines(before), 3);	/* the baseline and two contents */
	assert_blobs_named_by_sha(&e);

	/* a retry of the same bundle: recorded as seen, nothing stored twice */
	r2 = ingest_ok(&e, &a, "2026-11-01T10:01:00Z");
	ck_assert(r2.unchanged);
	ck_assert_int_eq(r2.baseline_id, r1.baseline_id);
	ck_assert_uint_eq(r2.changes, 0);
	/* the same entries taken later: unchanged too, whatever taken_at says */
	r3 = ingest_ok(&e, &a_later, "2026-11-01T11:00:01Z");
	ck_assert(r3.unchanged);
	ck_assert_int_eq(r3.baseline_id, r1.baseline_id);
	ck_assert_int_eq(rows(&e, "baselines"), 1);
	ck_assert_int_eq(rows(&e, "seen"), 2);
	ck_assert_int_eq(rows(&e, "events"), 0);
	after = blob_listing(&e);
	ck_assert_str_eq(after, before);
	free(before);
	free(after);
	env_teardown(&e);
}
END_TEST

struct collect {
	struct store *s;
	size_t n;
	char host[8][64];
	int64_t from_id[8], to_id[8], from_taken[8], to_taken[8];
	size_t nchanges[8], truncated[8];
	bool skew[8], planned[8];
	char reason[8][64];	/* "" when unplanned */
	int64_t window_id[8];
	char *changes[8], *findings[8], *text[8];
	int stop_after;		/* return 42 after this many (0: never) */
	char loaded[8][64];	/* store_load of "<host>@#<from_id>" inside the callback: its taken_at */
};

static int
collect_fn(void *ctx, const struct store_event *ev)
{
	struct collect *c = ctx;
	size_t i = c->n;

	ck_assert_uint_lt(i, 8);
	snprintf(c->host[i], sizeof(c->host[i]), "%s", ev->host);
	c->from_id[i] = ev->from_id;
	c->to_id[i] = ev->to_id;
	c->from_taken[i] = ev->from_taken_ns;
	c->to_taken[i] = ev->to_taken_ns;
	c->nchanges[i] = ev->nchanges;
	c->truncated[i] = ev->truncated;
	c->skew[i] = ev->clock_skew;
	c->planned[i] = ev->planned;
	c->window_id[i] = ev->window_id;
	ck_assert(ev->planned == (ev->reason != NULL));
	snprintf(c->reason[i], sizeof(c->reason[i]), "%s", ev->planned ? ev->reason : "");
	ck_assert_ptr_nonnull(c->changes[i] = strdup(ev->changes_json));
	ck_assert_ptr_nonnull(c->findings[i] = strdup(ev->findings_json));
	ck_assert_ptr_nonnull(c->text[i] = strdup(ev->text));
	if (c->s != NULL) {
		struct drift_error err = { 0 };
		struct baseline *b = NULL;
		char ref[96];

		snprintf(ref, sizeof(ref), "%s@#%" PRId64, ev->host, ev->from_id);
		ck_assert_msg(store_load(c->s, ref, &b, &err) == 0, "%s", err.msg);
		ck_assert_int_eq(b->pb->taken_at_ns, ev->from_taken_ns);
		format_time_ns(b->pb->taken_at_ns, c->loaded[i], sizeof(c->loaded[i]));
		baseline_free(b);
	}
	c->n++;
	if (c->stop_after > 0 && c->n == (size_t)c->stop_after)
		return 42;
	return 0;
}

static void
collect_release(struct collect *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->changes[i]);
		free(c->findings[i]);
		free(c->text[i]);
	}
}

START_TEST(test_changed_event)
{
	const struct bspec a = SPEC("web01", "2026-11-01T10:00:00Z", files_a, pkgs_a);
	const struct bspec b = SPEC("web01", "2026-11-02T10:00:00Z", files_b, pkgs_b);
	struct drift_error err = { 0 };
	struct ingest_result r1, r2;
	struct collect c = { 0 };
	struct env e;

	env_setup(&e);
	r1 = ingest_ok(&e, &a, "2026-11-01T10:00:05Z");
	r2 = ingest_ok(&e, &b, "2026-11-02T10:00:05Z");
	ck_assert(!r2.unchanged);
	ck_assert_int_gt(r2.baseline_id, r1.baseline_id);
	ck_assert_uint_eq(r2.changes, 3);
	ck_assert_int_eq(rows(&e, "baselines"), 2);
	ck_assert_int_eq(rows(&e, "events"), 1);
	ck_assert_int_eq(rows(&e, "contents"), 3);	/* the old motd stays, the new one joins */

	c.s = e.s;
	ck_assert_int_eq(store_events(e.s, NULL, INT64_MIN, INT64_MAX, collect_fn, &c, &err), 0);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_str_eq(c.host[0], "web01");
	ck_assert_int_eq(c.from_id[0], r1.baseline_id);
	ck_assert_int_eq(c.to_id[0], r2.baseline_id);
	ck_assert_int_eq(c.from_taken[0], iso_ns(a.taken));
	ck_assert_int_eq(c.to_taken[0], iso_ns(b.taken));
	ck_assert_str_eq(c.loaded[0], "2026-11-01T10:00:00Z");
	ck_assert_uint_eq(c.nchanges[0], 3);
	ck_assert_uint_eq(c.truncated[0], 0);
	ck_assert(!c.skew[0]);
	/* the JSON is an array of three changes, the contract's fields in it */
	ck_assert_int_eq(json_array_len(&e, c.changes[0]), 3);
	ck_assert_ptr_nonnull(strstr(c.changes[0], "\"change\": \"upgraded\""));
	ck_assert_ptr_nonnull(strstr(c.changes[0], "\"new_version\": \"3.0.13-1~deb12u1\""));
	ck_assert_ptr_nonnull(strstr(c.changes[0], "\"path\": \"/etc/motd\""));
	ck_assert_int_eq(json_array_len(&e, c.findings[0]), 0);
	/* the text for people, with the content diff of the captured file */
	ck_assert_ptr_nonnull(strstr(c.text[0], "openssl"));
	ck_assert_ptr_nonnull(strstr(c.text[0], "/etc/hosts"));
	ck_assert_ptr_nonnull(strstr(c.text[0], "+welcome to web01"));
	ck_assert_ptr_nonnull(strstr(c.text[0], "-welcome"));
	collect_release(&c);
	env_teardown(&e);
}
END_TEST

/* Refused uploads leave the store exactly as it was. */
static void
assert_untouched(const struct env *e, const char *listing, const int64_t counts[5])
{
	static const char *const tables[] = { "hosts", "baselines", "seen", "contents", "events" };
	char *now = blob_listing(e);
	int i;

	ck_assert_str_eq(now, listing);
	free(now);
	for (i = 0; i < 5; i++)
		ck_assert_msg(rows(e, tables[i]) == counts[i], "table %s changed", tables[i]);
}

static void
snapshot_counts(const struct env *e, int64_t counts[5])
{
	static const char *const tables[] = { "hosts", "baselines", "seen", "contents", "events" };
	int i;

	for (i = 0; i < 5; i++)
		counts[i] = rows(e, tables[i]);
}

START_TEST(test_host_mismatch)
{
	const struct bspec a = SPEC("web01", "2026-11-01T10:00:00Z", files_a, pkgs_a);
	const struct bspec b = SPEC("web01", "2026-11-02T10:00:00Z", files_b, pkgs_b);
	struct ingest_result res;
	struct drift_error err = { 0 };
	int64_t counts[5];
	struct env e;
	char *listing;

	env_setup(&e);
	ingest_ok(&e, &a, "2026-11-01T10:00:05Z");
	listing = blob_listing(&e);
	snapshot_counts(&e, counts);
	memset(&res, 0x5a, sizeof(res));
	ck_assert_int_eq(ingest_full(&e, &b, "web02", NULL, 0, "2026-11-02T10:00:05Z", &res, &err), DRIFT_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "'web01'"));
	ck_assert_ptr_nonnull(strstr(err.msg, "'web02'"));
	ck_assert_ptr_nonnull(strstr(err.msg, "certificate"));
	ck_assert_int_eq(res.baseline_id, (int64_t)0x5a5a5a5a5a5a5a5aLL);	/* untouched */
	assert_untouched(&e, listing, counts);
	free(listing);
	env_teardown(&e);
}
END_TEST

START_TEST(test_bad_bundles_refused)
{
	static const struct fspec bad_path[] = { { "etc/relative", "x\n", 0644, true } };
	const struct bspec a = SPEC("web01", "2026-11-01T10:00:00Z", files_a, pkgs_a);
	const struct bspec b = SPEC("web01", "2026-11-02T10:00:00Z", files_b, pkgs_b);
	const struct bspec badhost = SPEC("web01/../../etc", "2026-11-02T10:00:00Z", files_b, pkgs_b);
	const struct bspec longhost = SPEC("a123456789a123456789a123456789a123456789a123456789"
	    "a123456789a123456789a123456789a123456789a123456789a123456789a123456789a123456789"
	    "a123456789a123456789a123456789a123456789a123456789a123456789a123456789a123456789"
	    "a123456789a123456789a123456789a123456789a1234", "2026-11-02T10:00:00Z", files_b, pkgs_b);
	const struct bspec badentry = SPEC("web01", "2026-11-02T10:00:00Z", bad_path, pkgs_b);
	struct baseline_limits tiny = baseline_default_limits;
	struct ingest_result res;
	struct drift_error err = { 0 };
	int64_t counts[5];
	uint8_t *data, *junk;
	size_t len, i;
	struct env e;
	char *listing;

	env_setup(&e);
	ingest_ok(&e, &a, "2026-11-01T10:00:05Z");
	listing = blob_listing(&e);
	snapshot_counts(&e, counts);
	data = make_bundle(&e, &b, &len);

	/* truncated at several places */
	for (i = 1; i < 8; i++) {
		drift_error_clear(&err);
		ck_assert_int_lt(store_ingest(e.s, data, len * i / 8, NULL, "web01", NULL, 0, 1, &res, &err), 0);
		ck_assert_int_eq(err.code, DRIFT_EFORMAT);
		ck_assert_ptr_nonnull(strstr(err.msg, "bundle refused: "));
		assert_untouched(&e, listing, counts);
	}
	/* garbage, and nothing at all */
	ck_assert_ptr_nonnull(junk = malloc(len));
	for (i = 0; i < len; i++)
		junk[i] = (uint8_t)(i * 131 + 7);
	ck_assert_int_eq(store_ingest(e.s, junk, len, NULL, NULL, NULL, 0, 1, &res, &err), DRIFT_EFORMAT);
	ck_assert_int_eq(store_ingest(e.s, junk, 0, NULL, NULL, NULL, 0, 1, &res, &err), DRIFT_EFORMAT);
	free(junk);
	/* over the caller's limits */
	tiny.pb_max = 64;
	ck_assert_int_eq(store_ingest(e.s, data, len, &tiny, "web01", NULL, 0, 1, &res, &err), DRIFT_ETOOBIG);
	assert_untouched(&e, listing, counts);
	free(data);

	/* a host id that could name a path, and one too long: refused before SQL or files */
	ck_assert_int_eq(ingest_full(&e, &badhost, NULL, NULL, 0, "2026-11-02T10:00:05Z", &res, &err),
	    DRIFT_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "host id 'web01/../../etc' is not valid"));
	ck_assert_int_eq(ingest_full(&e, &longhost, NULL, NULL, 0, "2026-11-02T10:00:05Z", &res, &err),
	    DRIFT_EFORMAT);
	/* a baseline that does not validate (relative path) */
	ck_assert_int_eq(ingest_full(&e, &badentry, NULL, NULL, 0, "2026-11-02T10:00:05Z", &res, &err),
	    DRIFT_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "not absolute"));
	assert_untouched(&e, listing, counts);
	free(listing);
	env_teardown(&e);
}
END_TEST

START_TEST(test_host_id_valid)
{
	char longest[DRIFT_HOST_ID_MAX + 1], toolong[DRIFT_HOST_ID_MAX + 2];

	/* at most what a certificate's common name can carry */
	memset(longest, 'a', DRIFT_HOST_ID_MAX);
	longest[DRIFT_HOST_ID_MAX] = '\0';
	memset(toolong, 'a', DRIFT_HOST_ID_MAX + 1);
	toolong[DRIFT_HOST_ID_MAX + 1] = '\0';
	ck_assert(store_host_id_valid("web01.example.net"));
	ck_assert(store_host_id_valid("A-b_c.9"));
	ck_assert(store_host_id_valid(longest));
	ck_assert(!store_host_id_valid(toolong));
	ck_assert(!store_host_id_valid(""));
	ck_assert(!store_host_id_valid(NULL));
	ck_assert(!store_host_id_valid("."));
	ck_assert(!store_host_id_valid(".."));
	ck_assert(!store_host_id_valid("a/b"));
	ck_assert(!store_host_id_valid("a b"));
	ck_assert(!store_host_id_valid("web01'"));
	ck_assert(!store_host_id_valid("w\xc3\xa9"));
}
END_TEST

/* Load a reference; return the baseline's taken_at as ISO text (or the error code as text). */
static void
load_taken(struct store *s, const char *ref, char *out, size_t size)
{
	struct drift_error err = { 0 };
	struct baseline *b = NULL;

	if (store_load(s, ref, &b, &err) != 0) {
		snprintf(out, size, "error %d: %s", err.code, err.msg);
		return;
	}
	ck_assert_str_eq(b->name, ref);
	format_time_ns(b->pb->taken_at_ns, out, size);
	baseline_free(b);
}

START_TEST(test_load_references)
{
	const struct bspec a = SPEC("web01", "2026-11-01T10:00:00Z", files_a, pkgs_a);
	const struct bspec b = SPEC("web01", "2026-11-02T10:00:00.000000001Z", files_b, pkgs_b);
	const struct bspec c = SPEC("web01", "2026-11-03T10:00:00Z", files_c, pkgs_c);
	struct drift_error err = { 0 };
	struct ingest_result r1, r2;
	struct baseline *bl = (struct baseline *)0x1;
	struct env e;
	char got[1200], ref[64];

	env_setup(&e);
	r1 = ingest_ok(&e, &a, "2026-11-01T10:00:05Z");
	r2 = ingest_ok(&e, &b, "2026-11-02T10:00:05Z");
	ingest_ok(&e, &c, "2026-11-03T10:00:05Z");

	load_taken(e.s, "web01@latest", got, sizeof(got));
	ck_assert_str_eq(got, "2026-11-03T10:00:00Z");
	load_taken(e.s, "web01@now", got, sizeof(got));
	ck_assert_str_eq(got, "2026-11-03T10:00:00Z");
	/* exactly at one: that one; a nanosecond earlier: the one before */
	load_taken(e.s, "web01@2026-11-02T10:00:00.000000001Z", got, sizeof(got));
	ck_assert_str_eq(got, "2026-11-02T10:00:00.000000001Z");
	load_taken(e.s, "web01@2026-11-02T10:00:00Z", got, sizeof(got));
	ck_assert_str_eq(got, "2026-11-01T10:00:00Z");
	/* between two, with an offset */
	load_taken(e.s, "web01@2026-11-02T23:00+02:00", got, sizeof(got));
	ck_assert_str_eq(got, "2026-11-02T10:00:00.000000001Z");
	load_taken(e.s, "web01@2026-11-01", got, sizeof(got));
	ck_assert_str_eq(got, "error -6: 'web01@2026-11-01': host 'web01' has no baseline taken at or before "
	    "2026-11-01T00:00:00Z (the oldest was taken at 2026-11-01T10:00:00Z)");
	/* by number */
	snprintf(ref, sizeof(ref), "web01@#%" PRId64, r2.baseline_id);
	load_taken(e.s, ref, got, sizeof(got));
	ck_assert_str_eq(got, "2026-11-02T10:00:00.000000001Z");
	snprintf(ref, sizeof(ref), "web01@#%" PRId64, r1.baseline_id + 1000);
	load_taken(e.s, ref, got, sizeof(got));
	ck_assert_ptr_nonnull(strstr(got, "error -6: "));
	ck_assert_ptr_nonnull(strstr(got, "has no baseline #"));

	/* contents come back, each checked */
	ck_assert_msg(store_load(e.s, "web01@latest", &bl, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(bl->pb->n_files, N(files_c));
	ck_assert_uint_eq(bl->pb->n_packages, N(pkgs_c));
	ck_assert_uint_eq(bl->ncontents, 3);
	{
		const struct content *ct = baseline_file_content(bl, bl->pb->files[2]);

		ck_assert_ptr_nonnull(ct);
		ck_assert_uint_eq(ct->len, strlen(files_c[2].content));
		ck_assert_mem_eq(ct->data, files_c[2].content, ct->len);
	}
	baseline_free(bl);

	/* what is not there, and what is not a reference */
	bl = (struct baseline *)0x1;
	ck_assert_int_eq(store_load(e.s, "db01@latest", &bl, &err), DRIFT_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.msg, "no host 'db01' in store"));
	ck_assert_ptr_eq(bl, (struct baseline *)0x1);	/* untouched on failure */
	env_teardown(&e);
}
END_TEST

struct badref {
	const char *ref;
	int code;
	const char *msg;
};

static const struct badref badrefs[] = {
	{ "web01", DRIFT_EINVAL, "expected HOST@latest, HOST@TIME" },
	{ "web01@", DRIFT_EINVAL, "expected HOST@latest, HOST@TIME" },
	{ "@latest", DRIFT_EINVAL, "is not a host id" },
	{ "../x@latest", DRIFT_EINVAL, "'../x' is not a host id" },
	{ "web01@#", DRIFT_EINVAL, "expected a baseline number after '#'" },
	{ "web01@#12x", DRIFT_EINVAL, "expected a baseline number after '#'" },
	{ "web01@yesterday-ish", DRIFT_EINVAL, "'yesterday-ish': expected an ISO 8601 time" },
	{ "web01@2026-02-30", DRIFT_EINVAL, "February 2026 has no day 30" },
	{ "web01@2 fortnights ago", DRIFT_EINVAL, "unknown unit 'fortnights'" },
	{ "web01@10 years ago", DRIFT_EINVAL, "unknown unit 'years'" },
	{ "web01@2000-01-01", DRIFT_ENOTFOUND, "no baseline taken at or before 2000-01-01T00:00:00Z" },
	{ "web01@100 days ago", DRIFT_ENOTFOUND, "no baseline taken at or before" },
	{ "web02@latest", DRIFT_ENOTFOUND, "no host 'web02'" },
	{ "web02@#1", DRIFT_ENOTFOUND, "no host 'web02'" },
};

START_TEST(test_bad_references)
{
	const struct bspec a = SPEC("web01", "2026-11-01T10:00:00Z", files_a, pkgs_a);
	const struct badref *c = &badrefs[_i];
	struct drift_error err = { 0 };
	struct baseline *b = NULL;
	struct env e;

	env_setup(&e);
	ingest_ok(&e, &a, "2026-11-01T10:00:05Z");
	ck_assert_int_eq(store_load(e.s, c->ref, &b, &err), c->code);
	ck_assert_msg(strstr(err.msg, c->msg) != NULL, "'%s': '%s' lacks '%s'", c->ref, err.msg, c->msg);
	ck_assert_ptr_null(b);
	env_teardown(&e);
}
END_TEST

/* The same content from two hosts is one blob; each loads it back. */
START_TEST(test_contents_dedup)
{
	static const struct fspec files_db[] = {
		{ "/etc", NULL, 0755, false },
		{ "/etc/hosts", "127.0.0.1 localhost\n", 0644, true },
		{ "/etc/my.cnf", "[mysqld]\n", 0640, true },
	};
	static const struct pspec pkgs_db[] = { { "mariadb-server", "1:10.11.6-0+deb12u1" } };
	const struct bspec a = SPEC("web01", "2026-11-01T10:00:00Z", files_a, pkgs_a);
	const struct bspec d = SPEC("db01", "2026-11-01T10:00:00Z", files_db, pkgs_db);
	struct drift_error err = { 0 };
	struct baseline *b = NULL;
	uint8_t sha[DIGEST_LEN];
	char hex[DIGEST_HEX_LEN + 1], cmd[256], *out, *listing;
	const struct content *ct;
	struct env e;

	env_setup(&e);
	ingest_ok(&e, &a, "2026-11-01T10:00:05Z");
	ingest_ok(&e, &d, "2026-11-01T10:00:06Z");
	/* hosts (shared), motd, my.cnf; two baselines */
	ck_assert_int_eq(rows(&e, "contents"), 3);
	listing = blob_listing(&e);
	ck_assert_uint_eq(count_lines(listing), 5);
	free(listing);
	assert_blobs_named_by_sha(&e);
	ck_assert_int_eq(digest_sha256(files_a[1].content, strlen(files_a[1].content), sha), 0);
	digest_hex(sha, DIGEST_LEN, hex);
	snprintf(cmd, sizeof(cmd), "find '%s/blobs' -type f -name '%s' | wc -l", e.dir, hex);
	out = run(cmd);
	ck_assert_str_eq(out, "1\n");
	free(out);

	ck_assert_msg(store_load(e.s, "db01@latest", &b, &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(ct = baseline_file_content(b, b->pb->files[1]));
	ck_assert_uint_eq(ct->len, strlen(files_db[1].content));
	ck_assert_mem_eq(ct->data, files_db[1].content, ct->len);
	ck_assert_ptr_nonnull(ct = baseline_file_content(b, b->pb->files[2]));
	ck_assert_mem_eq(ct->data, files_db[2].content, ct->len);
	baseline_free(b);
	b = NULL;

	/* a blob altered on disk is caught, not handed out */
	snprintf(cmd, sizeof(cmd), "f=$(find '%s/blobs' -type f -name '%s') && printf '127.0.0.2 localhost\\n' > \"$f\"",
	    e.dir, hex);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(store_load(e.s, "web01@latest", &b, &err), DRIFT_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "does not match its SHA-256"));
	/* and one that is gone */
	snprintf(cmd, sizeof(cmd), "find '%s/blobs' -type f -name '%s' -delete", e.dir, hex);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(store_load(e.s, "db01@latest", &b, &err), DRIFT_EIO);
	ck_assert_ptr_nonnull(strstr(err.msg, "is missing"));
	ck_assert_ptr_null(b);
	/* a damaged store is the store's trouble (503), never the upload's (4xx) */
	{
		const struct bspec next = SPEC("web01", "2026-11-02T10:00:00Z", files_b, pkgs_b);
		struct ingest_result res;

		ck_assert_int_eq(ingest_full(&e, &next, "web01", NULL, 0, "2026-11-02T10:00:05Z", &res, &err),
		    DRIFT_EIO);
		ck_assert_ptr_nonnull(strstr(err.msg, "cannot read the previous baseline"));
		ck_assert_int_eq(rows(&e, "baselines"), 2);
	}
	env_teardown(&e);
}
END_TEST

/* A blob that cannot be written fails the ingest and leaves no row behind. */
START_TEST(test_blob_failure_leaves_no_row)
{
	static const struct fspec files_x[] = {
		{ "/etc", NULL, 0755, false },
		{ "/etc/fresh", "never seen before\n", 0644, true },
	};
	const struct bspec a = SPEC("web01", "2026-11-01T10:00:00Z", files_a, pkgs_a);
	const struct bspec x = SPEC("web01", "2026-11-02T10:00:00Z", files_x, pkgs_a);
	struct ingest_result res;
	struct drift_error err = { 0 };
	uint8_t sha[DIGEST_LEN];
	char hex[DIGEST_HEX_LEN + 1], path[256];
	int64_t counts[5];
	struct env e;
	FILE *f;

	env_setup(&e);
	ingest_ok(&e, &a, "2026-11-01T10:00:05Z");
	snapshot_counts(&e, counts);
	/* a plain file where the content's blob directory must go */
	ck_assert_int_eq(digest_sha256(files_x[1].content, strlen(files_x[1].content), sha), 0);
	digest_hex(sha, DIGEST_LEN, hex);
	snprintf(path, sizeof(path), "%s/blobs/%.2s", e.dir, hex);
	rmdir(path);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fclose(f);
	ck_assert_int_eq(ingest_full(&e, &x, NULL, NULL, 0, "2026-11-02T10:00:05Z", &res, &err), DRIFT_EIO);
	ck_assert_ptr_nonnull(strstr(err.msg, "blobs/"));
	ck_assert_int_eq(rows(&e, "baselines"), counts[1]);
	ck_assert_int_eq(rows(&e, "contents"), counts[3]);
	ck_assert_int_eq(rows(&e, "events"), counts[4]);
	/* once the obstacle is gone the same upload is stored */
	unlink(path);
	ck_assert_msg(ingest_full(&e, &x, NULL, NULL, 0, "2026-11-02T10:00:06Z", &res, &err) == 0, "%s", err.msg);
	ck_assert(!res.unchanged);
	ck_assert_int_eq(rows(&e, "baselines"), counts[1] + 1);
	assert_blobs_named_by_sha(&e);
	env_teardown(&e);
}
END_TEST

/* A baseline taken before its predecessor is flagged, and history keeps arrival order. */
START_TEST(test_clock_skew)
{
	const struct bspec b = SPEC("web01", "2026-11-02T10:00:00Z", files_b, pkgs_b);
	const struct bspec a = SPEC("web01", "2026-11-01T10:00:00Z", files_a, pkgs_a);
	struct drift_error err = { 0 };
	struct ingest_result r1, r2;
	struct collect c = { 0 };
	struct env e;
	char got[512];

	env_setup(&e);
	r1 = ingest_ok(&e, &b, "2026-11-02T10:00:05Z");
	r2 = ingest_ok(&e, &a, "2026-11-02T10:05:00Z");	/* arrives later, claims to be older */
	ck_assert(!r2.unchanged);
	ck_assert_uint_eq(r2.changes, 3);
	ck_assert_int_eq(store_events(e.s, NULL, INT64_MIN, INT64_MAX, collect_fn, &c, &err), 0);
	ck_assert_uint_eq(c.n, 1);
	ck_assert(c.skew[0]);
	ck_assert_int_eq(c.from_id[0], r1.baseline_id);
	ck_assert_int_eq(c.to_id[0], r2.baseline_id);
	ck_assert_int_gt(c.from_taken[0], c.to_taken[0]);
	ck_assert_ptr_nonnull(strstr(c.changes[0], "\"change\": \"downgraded\""));
	collect_release(&c);
	/* latest is the last to arrive, not the last taken */
	load_taken(e.s, "web01@latest", got, sizeof(got));
	ck_assert_str_eq(got, "2026-11-01T10:00:00Z");
	/* at a time after both: the newest in history taken at or before it */
	load_taken(e.s, "web01@2026-11-02T12:00Z", got, sizeof(got));
	ck_assert_str_eq(got, "2026-11-01T10:00:00Z");
	env_teardown(&e);
}
END_TEST

/* An exact replay of an older upload (a retry after a lost answer) is not stored again. */
START_TEST(test_replay_of_older)
{
	const struct bspec a = SPEC("web01", "2026-11-01T10:00:00Z", files_a, pkgs_a);
	const struct bspec b = SPEC("web01", "2026-11-02T10:00:00Z", files_b, pkgs_b);
	const struct bspec a2 = SPEC("web01", "2026-11-03T10:00:00Z", files_a, pkgs_a);
	struct ingest_result r1, r3, r4;
	struct env e;

	env_setup(&e);
	r1 = ingest_ok(&e, &a, "2026-11-01T10:00:05Z");
	ingest_ok(&e, &b, "2026-11-02T10:00:05Z");
	r3 = ingest_ok(&e, &a, "2026-11-02T10:00:09Z");
	ck_assert(r3.unchanged);
	ck_assert_int_eq(r3.baseline_id, r1.baseline_id);
	ck_assert_int_eq(rows(&e, "baselines"), 2);
	ck_assert_int_eq(rows(&e, "seen"), 1);
	/* the same entries as A, but taken anew: a real change back */
	r4 = ingest_ok(&e, &a2, "2026-11-03T10:00:05Z");
	ck_assert(!r4.unchanged);
	ck_assert_uint_eq(r4.changes, 3);
	ck_assert_int_eq(rows(&e, "baselines"), 3);
	ck_assert_int_eq(rows(&e, "events"), 2);
	env_teardown(&e);
}
END_TEST

static const char std_yaml[] =
	"standard: test-base\n"
	"version: \"1\"\n"
	"files:\n"
	"  - path: /etc/motd\n"
	"    mode: \"0600\"\n"
	"    severity: critical\n"
	"  - path: /etc/hosts\n"
	"    mode: \"0644\"\n"
	"    severity: info\n"
	"packages:\n"
	"  forbidden:\n"
	"    - name: telnetd\n"
	"      severity: critical\n";

static const char std_other_yaml[] =
	"standard: db-only\n"
	"applies_to: {hosts: [\"db*\"]}\n"
	"files:\n"
	"  - path: /etc/motd\n"
	"    absent: true\n";

/* Findings: counted per baseline; an event carries only the ones that are new. */
START_TEST(test_findings_and_hosts)
{
	const struct bspec a = SPEC("web01", "2026-11-01T10:00:00Z", files_a, pkgs_a);
	const struct bspec b = SPEC("web01", "2026-11-02T10:00:00Z", files_b, pkgs_b);
	const struct bspec c = SPEC("web01", "2026-11-03T10:00:00Z", files_c, pkgs_c);
	const struct bspec d = SPEC("db01", "2026-11-03T09:00:00Z", files_a, pkgs_a);
	struct standard *std = NULL, *other = NULL;
	const struct standard *stds[2];
	struct drift_error err = { 0 };
	struct ingest_result res;
	struct store_host *h = NULL;
	struct collect col = { 0 };
	size_t n = 0;
	struct env e;

	env_setup(&e);
	ck_assert_msg(standard_load_buffer("test.yaml", std_yaml, strlen(std_yaml), &std, &err) == 0, "%s", err.msg);
	ck_assert_msg(standard_load_buffer("db.yaml", std_other_yaml, strlen(std_other_yaml), &other, &err) == 0,
	    "%s", err.msg);
	stds[0] = std;
	stds[1] = other;
	/* A: motd is 0644 (critical); first baseline: every critical is new */
	ck_assert_msg(ingest_full(&e, &a, "web01", stds, 2, "2026-11-01T10:00:05Z", &res, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(res.new_critical, 1);
	/* B: hosts now 0600 (info, new); motd still critical (not new) */
	ck_assert_msg(ingest_full(&e, &b, "web01", stds, 2, "2026-11-02T10:00:05Z", &res, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(res.new_critical, 0);
	/* C: telnetd installed (critical, new) */
	ck_assert_msg(ingest_full(&e, &c, "web01", stds, 2, "2026-11-03T10:00:05Z", &res, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(res.new_critical, 1);
	ck_assert_uint_eq(res.changes, 2);
	/* db01: only the db standard... and the base one, which applies to every host */
	ck_assert_msg(ingest_full(&e, &d, "db01", stds, 2, "2026-11-03T09:00:07Z", &res, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(res.new_critical, 1);

	ck_assert_int_eq(store_events(e.s, "web*", INT64_MIN, INT64_MAX, collect_fn, &col, &err), 0);
	ck_assert_uint_eq(col.n, 2);
	ck_assert_int_eq(json_array_len(&e, col.findings[0]), 1);
	ck_assert_ptr_nonnull(strstr(col.findings[0], "\"subject\": \"/etc/hosts\""));
	ck_assert_ptr_nonnull(strstr(col.findings[0], "\"standard\": \"test-base\""));
	ck_assert_ptr_null(strstr(col.findings[0], "/etc/motd"));
	ck_assert_int_eq(json_array_len(&e, col.findings[1]), 1);
	ck_assert_ptr_nonnull(strstr(col.findings[1], "\"subject\": \"telnetd\""));
	ck_assert_ptr_nonnull(strstr(col.findings[1], "\"severity\": \"critical\""));
	ck_assert_ptr_nonnull(strstr(col.text[1], "new findings"));
	ck_assert_ptr_nonnull(strstr(col.text[1], "CRITICAL  telnetd"));
	ck_assert_int_eq(json_array_len(&e, col.changes[1]), 2);
	collect_release(&col);

	ck_assert_int_eq(store_hosts(e.s, &h, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(h[0].host, "db01");
	ck_assert_str_eq(h[1].host, "web01");
	ck_assert_uint_eq(h[0].baselines, 1);
	ck_assert_uint_eq(h[0].changes, 0);
	ck_assert(h[0].evaluated);
	/* db01 is held to both: motd 0644 (critical) and motd present (warning) */
	ck_assert_uint_eq(h[0].critical, 1);
	ck_assert_uint_eq(h[0].warning, 1);
	ck_assert_int_eq(h[0].skew_ns, (int64_t)7000000000);
	ck_assert_uint_eq(h[1].baselines, 3);
	ck_assert_uint_eq(h[1].changes, 2);
	ck_assert_uint_eq(h[1].critical, 2);	/* motd mode, telnetd */
	ck_assert_uint_eq(h[1].warning, 0);
	ck_assert_int_eq(h[1].first_seen_ns, iso_ns("2026-11-01T10:00:05Z"));
	ck_assert_int_eq(h[1].last_report_ns, iso_ns("2026-11-03T10:00:05Z"));
	ck_assert_int_eq(h[1].last_taken_ns, iso_ns("2026-11-03T10:00:00Z"));
	ck_assert_int_eq(h[1].skew_ns, (int64_t)5000000000);
	store_hosts_free(h, n);
	standard_free(std);
	standard_free(other);
	env_teardown(&e);
}
END_TEST

/* Events: the window is on the "to" baseline's taken_at; hosts by name; oldest first; stop early. */
START_TEST(test_events_window)
{
	const struct bspec wa = SPEC("web01", "2026-11-01T10:00:00Z", files_a, pkgs_a);
	const struct bspec wb = SPEC("web01", "2026-11-02T10:00:00Z", files_b, pkgs_b);
	const struct bspec wc = SPEC("web01", "2026-11-03T10:00:00Z", files_c, pkgs_c);
	const struct bspec va = SPEC("web02", "2026-11-01T11:00:00Z", files_a, pkgs_a);
	const struct bspec vc = SPEC("web02", "2026-11-02T11:00:00Z", files_c, pkgs_c);
	const struct bspec da = SPEC("db01", "2026-11-01T12:00:00Z", files_a, pkgs_a);
	const struct bspec db = SPEC("db01", "2026-11-02T12:00:00Z", files_b, pkgs_b);
	struct drift_error err = { 0 };
	struct collect c;
	struct store_host *h = NULL;
	size_t n = 0;
	struct env e;

	env_setup(&e);
	/* arrival interleaved across hosts */
	ingest_ok(&e, &wa, "2026-11-01T10:00:05Z");
	ingest_ok(&e, &va, "2026-11-01T11:00:05Z");
	ingest_ok(&e, &da, "2026-11-01T12:00:05Z");
	ingest_ok(&e, &wb, "2026-11-02T10:00:05Z");
	ingest_ok(&e, &vc, "2026-11-02T11:00:05Z");
	ingest_ok(&e, &db, "2026-11-02T12:00:05Z");
	ingest_ok(&e, &wc, "2026-11-03T10:00:05Z");

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(store_events(e.s, NULL, INT64_MIN, INT64_MAX, collect_fn, &c, &err), 0);
	ck_assert_uint_eq(c.n, 4);
	ck_assert_str_eq(c.host[0], "db01");
	ck_assert_str_eq(c.host[1], "web01");
	ck_assert_str_eq(c.host[2], "web01");
	ck_assert_str_eq(c.host[3], "web02");
	ck_assert_int_lt(c.to_taken[1], c.to_taken[2]);
	ck_assert_int_eq(c.from_id[2], c.to_id[1]);
	collect_release(&c);

	/* the window [2026-11-02T11:00Z, 2026-11-03T10:00Z], both ends included */
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(store_events(e.s, NULL, iso_ns("2026-11-02T11:00Z"), iso_ns("2026-11-03T10:00Z"),
	    collect_fn, &c, &err), 0);
	ck_assert_uint_eq(c.n, 3);
	ck_assert_str_eq(c.host[0], "db01");
	ck_assert_str_eq(c.host[1], "web01");
	ck_assert_int_eq(c.to_taken[1], iso_ns("2026-11-03T10:00Z"));
	ck_assert_str_eq(c.host[2], "web02");
	collect_release(&c);

	/* a glob */
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(store_events(e.s, "web0[2-9]", INT64_MIN, INT64_MAX, collect_fn, &c, &err), 0);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_str_eq(c.host[0], "web02");
	ck_assert_uint_eq(c.nchanges[0], 5);	/* motd, hosts, new.conf; openssl, telnetd */
	collect_release(&c);
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(store_events(e.s, "mail*", INT64_MIN, INT64_MAX, collect_fn, &c, &err), 0);
	ck_assert_uint_eq(c.n, 0);

	/* a callback that stops: its value comes back */
	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	ck_assert_int_eq(store_events(e.s, NULL, INT64_MIN, INT64_MAX, collect_fn, &c, &err), 42);
	ck_assert_uint_eq(c.n, 2);
	collect_release(&c);

	ck_assert_int_eq(store_hosts(e.s, &h, &n, &err), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(h[0].host, "db01");
	ck_assert_uint_eq(h[0].changes, 1);
	ck_assert(!h[0].evaluated);
	ck_assert_str_eq(h[1].host, "web01");
	ck_assert_uint_eq(h[1].baselines, 3);
	ck_assert_uint_eq(h[1].changes, 2);
	ck_assert_str_eq(h[2].host, "web02");
	ck_assert_uint_eq(h[2].baselines, 2);
	store_hosts_free(h, n);
	env_teardown(&e);
}
END_TEST

/* Closing and opening again keeps everything; a missing store is not created by a reader. */
START_TEST(test_reopen)
{
	const struct bspec a = SPEC("web01", "2026-11-01T10:00:00Z", files_a, pkgs_a);
	const struct bspec b = SPEC("web01", "2026-11-02T10:00:00Z", files_b, pkgs_b);
	struct drift_error err = { 0 };
	struct store *s2 = (struct store *)0x1;
	struct store_host *h = NULL;
	struct collect c = { 0 };
	char got[512], path[160];
	struct ingest_result r;
	size_t n = 0;
	struct env e;

	env_setup(&e);
	ingest_ok(&e, &a, "2026-11-01T10:00:05Z");
	ingest_ok(&e, &b, "2026-11-02T10:00:05Z");
	store_close(e.s);
	ck_assert_msg(store_open(e.dir, false, &e.s, &err) == 0, "%s", err.msg);
	load_taken(e.s, "web01@latest", got, sizeof(got));
	ck_assert_str_eq(got, "2026-11-02T10:00:00Z");
	ck_assert_int_eq(store_hosts(e.s, &h, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(h[0].baselines, 2);
	store_hosts_free(h, n);
	ck_assert_int_eq(store_events(e.s, NULL, INT64_MIN, INT64_MAX, collect_fn, &c, &err), 0);
	ck_assert_uint_eq(c.n, 1);
	collect_release(&c);
	/* history goes on where it stopped */
	r = ingest_ok(&e, &b, "2026-11-02T10:00:09Z");
	ck_assert(r.unchanged);

	snprintf(path, sizeof(path), "%s/nothing-here", e.tmp);
	ck_assert_int_eq(store_open(path, false, &s2, &err), DRIFT_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.msg, "does not exist"));
	ck_assert_ptr_eq(s2, (struct store *)0x1);
	ck_assert_int_ne(access(path, F_OK), 0);
	/* a directory without drift.db */
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(store_open(path, false, &s2, &err), DRIFT_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.msg, "no drift.db"));
	env_teardown(&e);
}
END_TEST

static void
sql_on(const char *dbpath, const char *sql)
{
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

START_TEST(test_schema_version)
{
	struct drift_error err = { 0 };
	struct store *s2 = NULL;
	char path[256], dir2[160];
	struct env e;

	env_setup(&e);
	/* what was created is version 3, in WAL mode (sqlite3 itself says) */
	{
		char cmd[256], *out;

		snprintf(cmd, sizeof(cmd), "sqlite3 '%s/drift.db' 'PRAGMA user_version; PRAGMA journal_mode;'", e.dir);
		out = run(cmd);
		ck_assert_str_eq(out, "3\nwal\n");
		free(out);
	}
	store_close(e.s);
	e.s = NULL;
	snprintf(path, sizeof(path), "%s/drift.db", e.dir);
	sql_on(path, "PRAGMA user_version = 99");
	ck_assert_int_eq(store_open(e.dir, false, &s2, &err), DRIFT_EVERSION);
	ck_assert_ptr_nonnull(strstr(err.msg, "schema version 99"));
	ck_assert_ptr_nonnull(strstr(err.msg, "upgrade drift"));
	ck_assert_int_eq(store_open(e.dir, true, &s2, &err), DRIFT_EVERSION);
	ck_assert_ptr_null(s2);

	/* a database that is someone else's is not taken over */
	snprintf(dir2, sizeof(dir2), "%s/other", e.tmp);
	ck_assert_int_eq(mkdir(dir2, 0700), 0);
	snprintf(path, sizeof(path), "%s/drift.db", dir2);
	sql_on(path, "CREATE TABLE notes (x TEXT)");
	ck_assert_int_eq(store_open(dir2, true, &s2, &err), DRIFT_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "not drift's"));
	ck_assert_int_eq(store_open(dir2, false, &s2, &err), DRIFT_EFORMAT);
	env_teardown(&e);
}
END_TEST

static int64_t
query_int(const struct env *e, const char *sql)
{
	char path[128];
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t n;

	snprintf(path, sizeof(path), "%s/drift.db", e->dir);
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* The window a test expects, as store_windows gives it. */
static void
window_is(const struct store_window *w, int64_t id, const char *hosts, const char *from,
    const char *until, const char *reason, const char *closed)
{
	ck_assert_int_eq(w->id, id);
	ck_assert_str_eq(w->hosts, hosts);
	ck_assert_int_eq(w->from_ns, iso_ns(from));
	ck_assert_int_eq(w->until_ns, iso_ns(until));
	ck_assert_str_eq(w->reason, reason);
	ck_assert(w->closed == (closed != NULL));
	ck_assert_int_eq(w->closed_ns, closed ? iso_ns(closed) : 0);
}

static int64_t
window_ok(struct env *e, const char *hosts, const char *from, const char *until, const char *reason)
{
	struct drift_error err = { 0 };
	int64_t id = 0;

	ck_assert_msg(store_window_open(e->s, hosts, iso_ns(from), iso_ns(until), reason, &id, &err) == 0,
	    "%s", err.msg);
	ck_assert_int_gt(id, 0);
	return id;
}

/*
 * Planned changes: the "to" baseline's taken_at inside [from, until] of a
 * window whose glob matches the host, both ends included; closing ends a
 * window at the closing time, unplanning later changes only.
 */
START_TEST(test_windows)
{
	const struct bspec wa = SPEC("web01", "2026-11-01T10:00:00Z", files_a, pkgs_a);
	const struct bspec wb = SPEC("web01", "2026-11-02T10:00:00Z", files_b, pkgs_b);
	const struct bspec wc = SPEC("web01", "2026-11-02T11:30:00Z", files_c, pkgs_c);
	const struct bspec da = SPEC("db01", "2026-11-01T10:00:00Z", files_a, pkgs_a);
	const struct bspec db = SPEC("db01", "2026-11-02T10:00:00Z", files_b, pkgs_b);
	const struct bspec va = SPEC("web02", "2026-11-04T09:00:00Z", files_a, pkgs_a);
	const struct bspec vb = SPEC("web02", "2026-11-04T10:00:00Z", files_b, pkgs_b);
	const struct bspec vc = SPEC("web02", "2026-11-04T11:00:00Z", files_c, pkgs_c);
	const struct bspec vd = SPEC("web02", "2026-11-04T11:00:01Z", files_a, pkgs_a);
	struct drift_error err = { 0 };
	struct store_window *w = NULL;
	struct collect c;
	int64_t w1, w2, w3, id = 0;
	size_t n = 0;
	struct env e;

	env_setup(&e);
	ck_assert_int_eq(store_windows(e.s, &w, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	store_windows_free(w, n);

	ingest_ok(&e, &wa, "2026-11-01T10:00:05Z");
	ingest_ok(&e, &da, "2026-11-01T10:00:05Z");
	w1 = window_ok(&e, "web*", "2026-11-02T09:00Z", "2026-11-02T12:00Z", "nginx upgrade, ticket #42");
	ingest_ok(&e, &wb, "2026-11-02T10:00:05Z");
	ingest_ok(&e, &db, "2026-11-02T10:00:05Z");
	/* closed at 11:00: the 10:00 change stays planned, the 11:30 one is not */
	ck_assert_msg(store_window_close(e.s, w1, iso_ns("2026-11-02T11:00Z"), &err) == 0, "%s", err.msg);
	ingest_ok(&e, &wc, "2026-11-02T11:30:05Z");

	/* [10:00, 11:00] exactly, and a later window over the same time for every host */
	w2 = window_ok(&e, "web0[2]", "2026-11-04T10:00Z", "2026-11-04T11:00Z", "kernel update");
	w3 = window_ok(&e, "*", "2026-11-04T09:30Z", "2026-11-04T10:30Z", "fleet-wide patching");
	ingest_ok(&e, &va, "2026-11-04T09:00:05Z");
	ingest_ok(&e, &vb, "2026-11-04T10:00:05Z");
	ingest_ok(&e, &vc, "2026-11-04T11:00:05Z");
	ingest_ok(&e, &vd, "2026-11-04T11:00:06Z");
	ck_assert_int_lt(w1, w2);
	ck_assert_int_lt(w2, w3);

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(store_events(e.s, NULL, INT64_MIN, INT64_MAX, collect_fn, &c, &err), 0);
	ck_assert_uint_eq(c.n, 6);
	ck_assert_str_eq(c.host[0], "db01");	/* the glob is web*: not planned */
	ck_assert(!c.planned[0]);
	ck_assert_int_eq(c.window_id[0], 0);
	ck_assert_str_eq(c.host[1], "web01");
	ck_assert(c.planned[1]);
	ck_assert_str_eq(c.reason[1], "nginx upgrade, ticket #42");
	ck_assert_int_eq(c.window_id[1], w1);
	ck_assert_str_eq(c.host[2], "web01");
	ck_assert(!c.planned[2]);
	ck_assert_str_eq(c.host[3], "web02");	/* 10:00: the start is inside; the first window opened wins */
	ck_assert(c.planned[3]);
	ck_assert_str_eq(c.reason[3], "kernel update");
	ck_assert_int_eq(c.window_id[3], w2);
	ck_assert(c.planned[4]);		/* 11:00: so is the end */
	ck_assert_int_eq(c.window_id[4], w2);
	ck_assert(!c.planned[5]);		/* 11:00:01 */
	collect_release(&c);

	/* a glob on the events and the windows together */
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(store_events(e.s, "web01", INT64_MIN, INT64_MAX, collect_fn, &c, &err), 0);
	ck_assert_uint_eq(c.n, 2);
	ck_assert(c.planned[0] && !c.planned[1]);
	collect_release(&c);

	/* closing: twice is refused, saying when; an unknown id is not found; an ended window keeps its end */
	ck_assert_int_eq(store_window_close(e.s, w1, iso_ns("2026-11-03T00:00Z"), &err), DRIFT_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "already closed at 2026-11-02T11:00:00Z"));
	ck_assert_int_eq(store_window_close(e.s, 999, iso_ns("2026-11-03T00:00Z"), &err), DRIFT_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.msg, "no window 999"));
	ck_assert_int_eq(store_window_close(e.s, w2, iso_ns("2026-11-05T00:00Z"), &err), 0);

	ck_assert_int_eq(store_windows(e.s, &w, &n, &err), 0);
	ck_assert_uint_eq(n, 3);
	window_is(&w[0], w1, "web*", "2026-11-02T09:00Z", "2026-11-02T11:00Z", "nginx upgrade, ticket #42",
	    "2026-11-02T11:00Z");
	window_is(&w[1], w2, "web0[2]", "2026-11-04T10:00Z", "2026-11-04T11:00Z", "kernel update",
	    "2026-11-05T00:00Z");
	window_is(&w[2], w3, "*", "2026-11-04T09:30Z", "2026-11-04T10:30Z", "fleet-wide patching", NULL);
	store_windows_free(w, n);
	ck_assert_int_eq(query_int(&e, "SELECT count(*) FROM windows"), 3);

	/* refused: nothing is written */
	ck_assert_int_eq(store_window_open(e.s, "", 0, 1, "x", &id, &err), DRIFT_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "hosts"));
	ck_assert_int_eq(store_window_open(e.s, "web*", 0, 1, "", &id, &err), DRIFT_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "reason"));
	ck_assert_int_eq(store_window_open(e.s, "web*", 0, 1, "two\nlines", &id, &err), DRIFT_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "control characters"));
	ck_assert_int_eq(store_window_open(e.s, "web*", 10, 9, "backwards", &id, &err), DRIFT_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "end before it starts"));
	ck_assert_int_eq(query_int(&e, "SELECT count(*) FROM windows"), 3);
	env_teardown(&e);
}
END_TEST

/*
 * A store written by a drift with schema version 1 (no windows, no
 * alerts) is migrated in place when opened: its data stays, windows work,
 * and its old events raise no alert (the alerter starts after them).
 */
START_TEST(test_migration_v1)
{
	const struct bspec a = SPEC("web01", "2026-11-01T10:00:00Z", files_a, pkgs_a);
	const struct bspec b = SPEC("web01", "2026-11-02T10:00:00Z", files_b, pkgs_b);
	struct drift_error err = { 0 };
	struct store_host *h = NULL;
	struct collect c;
	char path[160], cmd[256], got[64], *out;
	size_t n = 0;
	struct env e;

	env_setup(&e);
	ingest_ok(&e, &a, "2026-11-01T10:00:05Z");
	ingest_ok(&e, &b, "2026-11-02T10:00:05Z");
	store_close(e.s);
	e.s = NULL;
	/* back to what version 1 wrote: the same tables, without windows and alerts */
	snprintf(path, sizeof(path), "%s/drift.db", e.dir);
	sql_on(path, "DROP TABLE windows; DROP TABLE deliveries; DROP TABLE alert_state;"
	    " DROP TABLE alerts; DROP TABLE alert_cursor; PRAGMA user_version = 1;");
	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' 'PRAGMA user_version; SELECT count(*) FROM sqlite_master"
	    " WHERE name = '\"'windows'\"';'", path);
	out = run(cmd);
	ck_assert_str_eq(out, "1\n0\n");
	free(out);

	ck_assert_msg(store_open(e.dir, false, &e.s, &err) == 0, "%s", err.msg);
	out = run(cmd);
	ck_assert_str_eq(out, "3\n1\n");
	free(out);
	ck_assert_int_eq(query_int(&e, "SELECT last_event FROM alert_cursor"),
	    query_int(&e, "SELECT max(id) FROM events"));
	ck_assert_int_eq(rows(&e, "baselines"), 2);
	ck_assert_int_eq(rows(&e, "events"), 1);
	load_taken(e.s, "web01@latest", got, sizeof(got));
	ck_assert_str_eq(got, "2026-11-02T10:00:00Z");
	ck_assert_int_eq(store_hosts(e.s, &h, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(h[0].changes, 1);
	store_hosts_free(h, n);

	/* a window opened after the fact over the old change plans it */
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(store_events(e.s, NULL, INT64_MIN, INT64_MAX, collect_fn, &c, &err), 0);
	ck_assert_uint_eq(c.n, 1);
	ck_assert(!c.planned[0]);
	collect_release(&c);
	window_ok(&e, "web01", "2026-11-02T09:00Z", "2026-11-02T11:00Z", "migrated");
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(store_events(e.s, NULL, INT64_MIN, INT64_MAX, collect_fn, &c, &err), 0);
	ck_assert_uint_eq(c.n, 1);
	ck_assert(c.planned[0]);
	ck_assert_str_eq(c.reason[0], "migrated");
	collect_release(&c);

	/* opening again: already version 3, nothing to do, the window is still there */
	store_close(e.s);
	ck_assert_msg(store_open(e.dir, false, &e.s, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(query_int(&e, "SELECT count(*) FROM windows"), 1);
	env_teardown(&e);
}
END_TEST

/* --- alerts --- */

/* A with motd made 0600: the critical rule of std_yaml passes. */
static const struct fspec files_fixed[] = {
	{ "/etc", NULL, 0755, false },
	{ "/etc/hosts", "127.0.0.1 localhost\n", 0600, true },
	{ "/etc/motd", "welcome to web01\n", 0600, true },
	{ "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n", 0644, false },
};

struct alert_list {
	size_t n;
	char what[16][64];	/* "host cause state" */
	char json[16][1024];
	bool firing[16];
};

static int
alert_list_fn(void *ctx, const struct alert_info *a)
{
	struct alert_list *l = ctx;

	ck_assert_uint_lt(l->n, 16);
	snprintf(l->what[l->n], sizeof(l->what[0]), "%s %s %s", a->host, a->cause, a->state);
	snprintf(l->json[l->n], sizeof(l->json[0]), "%s", a->json);
	l->firing[l->n] = a->firing;
	l->n++;
	return 0;
}

static size_t
update_ok(struct env *e, const struct alert_policy *p, const char *now)
{
	struct drift_error err = { 0 };
	size_t raised = 99;

	ck_assert_msg(alerts_update(e->s, p, iso_ns(now), &raised, &err) == 0, "%s", err.msg);
	return raised;
}

/* The JSON field key of an alert, read back by python (the oracle for our writer). */
static char *
json_field(const struct env *e, const char *json, const char *key)
{
	char path[128], cmd[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/alert.json", e->tmp);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(json, f);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]], end=\"\")'"
	    " '%s' '%s'", path, key);
	return run(cmd);
}

/*
 * Each cause fires once per host until it clears, then resolves once;
 * alerts and their deliveries are recorded together; changes inside a
 * window raise nothing.
 */
START_TEST(test_alerts_lifecycle)
{
	const struct bspec a = SPEC("web01", "2026-11-01T10:00:00Z", files_a, pkgs_a);
	const struct bspec b = SPEC("web01", "2026-11-01T11:00:00Z", files_b, pkgs_b);
	const struct bspec fixed = SPEC("web01", "2026-11-01T14:00:00Z", files_fixed, pkgs_b);
	static const char *const sinks[] = { "syslog", "exec /bin/true" };
	const struct alert_policy p = { 3600 * 1000000000LL, sinks, 2, 0 };
	const struct standard *stds[1];
	struct standard *std = NULL;
	struct drift_error err = { 0 };
	struct ingest_result res;
	struct alert_list l;
	struct env e;
	char *v;

	env_setup(&e);
	ck_assert_msg(standard_load_buffer("test.yaml", std_yaml, strlen(std_yaml), &std, &err) == 0, "%s", err.msg);
	stds[0] = std;

	/* nothing yet */
	ck_assert_uint_eq(update_ok(&e, &p, "2026-11-01T09:00:00Z"), 0);
	/* A: motd is 0644, a critical finding */
	ck_assert_msg(ingest_full(&e, &a, "web01", stds, 1, "2026-11-01T10:00:05Z", &res, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(update_ok(&e, &p, "2026-11-01T10:00:10Z"), 1);
	ck_assert_uint_eq(update_ok(&e, &p, "2026-11-01T10:00:20Z"), 0);	/* once */
	ck_assert_int_eq(query_int(&e, "SELECT count(*) FROM deliveries"), 2);
	/* B: changed, no window: unplanned; still critical, not raised again */
	ck_assert_msg(ingest_full(&e, &b, "web01", stds, 1, "2026-11-01T11:00:05Z", &res, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(update_ok(&e, &p, "2026-11-01T11:00:10Z"), 1);
	ck_assert_uint_eq(update_ok(&e, &p, "2026-11-01T11:00:20Z"), 0);
	/* B again, later: the host reported with no further unplanned change */
	ck_assert_msg(ingest_full(&e, &b, "web01", stds, 1, "2026-11-01T11:10:05Z", &res, &err) == 0, "%s", err.msg);
	ck_assert(res.unchanged);
	ck_assert_uint_eq(update_ok(&e, &p, "2026-11-01T11:10:10Z"), 1);
	/* silent for more than an hour: stale, once */
	ck_assert_uint_eq(update_ok(&e, &p, "2026-11-01T12:10:00Z"), 0);
	ck_assert_uint_eq(update_ok(&e, &p, "2026-11-01T12:10:06Z"), 1);
	ck_assert_uint_eq(update_ok(&e, &p, "2026-11-01T13:00:00Z"), 0);
	/* fixed inside a window: no unplanned; critical and stale resolve */
	window_ok(&e, "web*", "2026-11-01T13:30:00Z", "2026-11-01T14:30:00Z", "ticket 4711");
	ck_assert_msg(ingest_full(&e, &fixed, "web01", stds, 1, "2026-11-01T14:00:05Z", &res, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(update_ok(&e, &p, "2026-11-01T14:00:10Z"), 2);
	ck_assert_uint_eq(update_ok(&e, &p, "2026-11-01T14:00:20Z"), 0);

	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(alerts_walk(e.s, true, alert_list_fn, &l, &err), 0);
	ck_assert_uint_eq(l.n, 6);
	ck_assert_str_eq(l.what[0], "web01 critical firing");
	ck_assert_str_eq(l.what[1], "web01 unplanned firing");
	ck_assert_str_eq(l.what[2], "web01 unplanned resolved");
	ck_assert_str_eq(l.what[3], "web01 stale firing");
	/* the last two in one update: the order of causes there is not a promise */
	ck_assert(strcmp(l.what[4], "web01 critical resolved") == 0 || strcmp(l.what[4], "web01 stale resolved") == 0);
	ck_assert(strcmp(l.what[5], "web01 critical resolved") == 0 || strcmp(l.what[5], "web01 stale resolved") == 0);
	ck_assert_str_ne(l.what[4], l.what[5]);
	/* the JSON a sink receives */
	v = json_field(&e, l.json[0], "summary");
	ck_assert_str_eq(v, "web01 has 1 critical finding against its standards");
	free(v);
	v = json_field(&e, l.json[1], "summary");
	ck_assert_str_eq(v, "web01 changed outside any change window: 3 changes in the baseline taken at "
	    "2026-11-01T11:00:00Z");
	free(v);
	v = json_field(&e, l.json[1], "command");
	ck_assert_str_eq(v, "drift report --host web01 --since '2026-11-01T10:00:00Z'");
	free(v);
	v = json_field(&e, l.json[3], "summary");
	ck_assert_str_eq(v, "web01 has not reported for 1h 1s (last report at 2026-11-01T11:10:05Z; stale after 1h)");
	free(v);
	v = json_field(&e, l.json[3], "at");
	ck_assert_str_eq(v, "2026-11-01T12:10:06Z");
	free(v);
	v = json_field(&e, l.json[3], "id");
	ck_assert_int_eq(strtol(v, NULL, 10), 4);
	free(v);
	/* none fires now */
	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(alerts_walk(e.s, false, alert_list_fn, &l, &err), 0);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_int_eq(query_int(&e, "SELECT count(*) FROM deliveries"), 12);
	standard_free(std);
	env_teardown(&e);
}
END_TEST

struct pending_list {
	size_t n;
	int64_t alert[16];
	unsigned attempts[16];
	char error[16][64];
};

static int
pending_fn(void *ctx, const struct alert_pending *p)
{
	struct pending_list *l = ctx;

	ck_assert_uint_lt(l->n, 16);
	ck_assert_str_eq(p->sink, "webhook http://127.0.0.1:1/");
	l->alert[l->n] = p->alert;
	l->attempts[l->n] = p->attempts;
	snprintf(l->error[l->n], sizeof(l->error[0]), "%s", p->last_error ? p->last_error : "-");
	l->n++;
	return 0;
}

/* The outbox: oldest first per sink; a failure holds the sink back and is recorded; a restart forgets nothing. */
START_TEST(test_alerts_outbox)
{
	const struct bspec a = SPEC("web01", "2026-11-01T10:00:00Z", files_a, pkgs_a);
	const struct bspec d = SPEC("db01", "2026-11-01T10:00:00Z", files_a, pkgs_a);
	static const char *const sinks[] = { "webhook http://127.0.0.1:1/" };
	const struct alert_policy p = { 60 * 1000000000LL, sinks, 1, 0 };
	struct drift_error err = { 0 };
	struct alert_delivery dl;
	struct pending_list l;
	int64_t first;
	struct env e;

	env_setup(&e);
	ingest_ok(&e, &a, "2026-11-01T10:00:05Z");
	ingest_ok(&e, &d, "2026-11-01T10:00:06Z");
	ck_assert_uint_eq(update_ok(&e, &p, "2026-11-01T10:05:00Z"), 2);	/* both stale */
	ck_assert_int_eq(alerts_next_delivery(e.s, sinks[0], &dl, &err), 0);
	ck_assert_int_gt(dl.alert, 0);
	first = dl.alert;
	ck_assert_str_eq(dl.host, "db01");	/* hosts by name */
	ck_assert_str_eq(dl.state, "firing");
	ck_assert_uint_eq(dl.attempts, 0);
	alert_delivery_release(&dl);
	ck_assert_int_eq(alerts_record_attempt(e.s, first, sinks[0], iso_ns("2026-11-01T10:05:01Z"),
	    "connection refused", iso_ns("2026-11-01T10:06:01Z"), &err), 0);
	/* closed and opened again: the same alert is still first, with its failure */
	store_close(e.s);
	ck_assert_msg(store_open(e.dir, false, &e.s, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(alerts_next_delivery(e.s, sinks[0], &dl, &err), 0);
	ck_assert_int_eq(dl.alert, first);
	ck_assert_uint_eq(dl.attempts, 1);
	ck_assert_int_eq(dl.next_ns, iso_ns("2026-11-01T10:06:01Z"));
	alert_delivery_release(&dl);
	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(alerts_walk_pending(e.s, pending_fn, &l, &err), 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_int_eq(l.alert[0], first);
	ck_assert_uint_eq(l.attempts[0], 1);
	ck_assert_str_eq(l.error[0], "connection refused");
	ck_assert_str_eq(l.error[1], "-");
	/* delivered: the next one comes up */
	ck_assert_int_eq(alerts_record_attempt(e.s, first, sinks[0], iso_ns("2026-11-01T10:06:02Z"), NULL, 0, &err), 0);
	ck_assert_int_eq(alerts_next_delivery(e.s, sinks[0], &dl, &err), 0);
	ck_assert_int_gt(dl.alert, first);
	ck_assert_str_eq(dl.host, "web01");
	alert_delivery_release(&dl);
	ck_assert_int_eq(alerts_next_delivery(e.s, "syslog", &dl, &err), 0);
	ck_assert_int_eq(dl.alert, 0);	/* nothing queued for a sink not configured then */
	ck_assert_int_eq(query_int(&e, "SELECT attempts FROM deliveries WHERE delivered_ns IS NOT NULL"), 2);
	/* refused for good: kept with the reason, no longer waiting, the sink moves on */
	ck_assert_int_eq(alerts_next_delivery(e.s, sinks[0], &dl, &err), 0);
	first = dl.alert;
	alert_delivery_release(&dl);
	ck_assert_int_eq(alerts_record_attempt(e.s, first, sinks[0], iso_ns("2026-11-01T10:06:03Z"),
	    "answered HTTP 400; not tried again", 0, &err), 0);
	ck_assert_int_eq(alerts_next_delivery(e.s, sinks[0], &dl, &err), 0);
	ck_assert_int_eq(dl.alert, 0);
	ck_assert_int_eq(query_int(&e, "SELECT count(*) FROM deliveries WHERE delivered_ns = 0"), 1);
	env_teardown(&e);
}
END_TEST

/* Sinks gone from the configuration give up their waiting deliveries; URLs are shown without their path. */
START_TEST(test_alerts_sinks)
{
	const struct bspec a = SPEC("web01", "2026-11-01T10:00:00Z", files_a, pkgs_a);
	static const char *const old[] = { "webhook https://hooks.example.com/T0/secret", "syslog" };
	static const char *const now[] = { "syslog" };
	struct alert_policy p = { 60 * 1000000000LL, old, 2, 0 };
	struct drift_error err = { 0 };
	char shown[128];
	size_t dropped = 9;
	struct env e;

	env_setup(&e);
	ingest_ok(&e, &a, "2026-11-01T10:00:05Z");
	/* silent since 10:00:05, but watched only since 10:30: not stale at 10:31, stale at 10:32 */
	p.watching_since_ns = iso_ns("2026-11-01T10:30:30Z");
	ck_assert_uint_eq(update_ok(&e, &p, "2026-11-01T10:31:00Z"), 0);
	ck_assert_uint_eq(update_ok(&e, &p, "2026-11-01T10:31:31Z"), 1);
	ck_assert_int_eq(query_int(&e, "SELECT count(*) FROM deliveries WHERE delivered_ns IS NULL"), 2);
	ck_assert_int_eq(alerts_drop_unconfigured(e.s, now, 1, &dropped, &err), 0);
	ck_assert_uint_eq(dropped, 1);
	ck_assert_int_eq(query_int(&e, "SELECT count(*) FROM deliveries WHERE delivered_ns IS NULL"
	    " AND sink = 'syslog'"), 1);
	ck_assert_int_eq(query_int(&e, "SELECT count(*) FROM deliveries WHERE delivered_ns = 0"
	    " AND last_error LIKE '%no longer in the configuration%'"), 1);
	ck_assert_int_eq(alerts_drop_unconfigured(e.s, now, 1, &dropped, &err), 0);
	ck_assert_uint_eq(dropped, 0);
	env_teardown(&e);

	alerts_sink_display(old[0], shown, sizeof(shown));
	ck_assert_str_eq(shown, "webhook https://hooks.example.com/...");
	alerts_sink_display("webhook http://127.0.0.1:8080/", shown, sizeof(shown));
	ck_assert_str_eq(shown, "webhook http://127.0.0.1:8080/");
	alerts_sink_display("exec /usr/local/bin/page", shown, sizeof(shown));
	ck_assert_str_eq(shown, "exec /usr/local/bin/page");
}
END_TEST

/* A captured content by digest, whichever host brought it; checked against the digest. */
START_TEST(test_store_content)
{
	const struct bspec a = SPEC("web01", "2026-11-01T10:00:00Z", files_a, pkgs_a);
	static const char motd[] = "welcome\n";
	struct drift_error err = { 0 };
	struct buf out = BUF_INIT(1 << 20);
	uint8_t sha[DIGEST_LEN], other[DIGEST_LEN];
	char hex[2 * DIGEST_LEN + 1], path[256];
	struct env e;
	FILE *f;

	env_setup(&e);
	ingest_ok(&e, &a, "2026-11-01T10:00:05Z");
	ck_assert_int_eq(digest_sha256(motd, strlen(motd), sha), 0);
	ck_assert_msg(store_content(e.s, sha, 1024, &out, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(out.len, strlen(motd));
	ck_assert(memcmp(out.data, motd, out.len) == 0);
	buf_release(&out);
	/* too large for the caller's bound */
	ck_assert_int_eq(store_content(e.s, sha, 3, &out, &err), DRIFT_ETOOBIG);
	/* never captured (passwd is hashed, not kept) */
	ck_assert_int_eq(digest_sha256("root:x:0:0:root:/root:/bin/bash\n", 32, other), 0);
	ck_assert_int_eq(store_content(e.s, other, 1024, &out, &err), DRIFT_ENOTFOUND);
	/* altered on disk: refused, not handed out */
	digest_hex(sha, DIGEST_LEN, hex);
	snprintf(path, sizeof(path), "%s/blobs/%.2s/%s", e.dir, hex, hex);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("welcomE\n", f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_lt(store_content(e.s, sha, 1024, &out, &err), 0);
	ck_assert_uint_eq(out.len, 0);
	buf_release(&out);
	env_teardown(&e);
}
END_TEST

/*
 * Writers in several processes, one host: every upload is stored once,
 * history has no gap or fork, and every event joins two neighbours.
 */
#define WRITERS 4
#define UPLOADS 8

START_TEST(test_concurrent_writers)
{
	static char motd[WRITERS][UPLOADS][32], taken[WRITERS][UPLOADS][40];
	static struct fspec files[WRITERS][UPLOADS][N(files_a)];
	uint8_t *data[WRITERS][UPLOADS];
	size_t len[WRITERS][UPLOADS];
	pid_t pid[WRITERS];
	struct env e;
	int w, k, status;

	env_setup(&e);
	for (w = 0; w < WRITERS; w++) {
		for (k = 0; k < UPLOADS; k++) {
			struct bspec b = { "web01", taken[w][k], files[w][k], N(files_a), pkgs_a, N(pkgs_a) };

			memcpy(files[w][k], files_a, sizeof(files_a));
			snprintf(motd[w][k], sizeof(motd[w][k]), "writer %d upload %d\n", w, k);
			files[w][k][2].content = motd[w][k];
			snprintf(taken[w][k], sizeof(taken[w][k]), "2026-11-0%dT10:%02d:00Z", w + 1, k);
			data[w][k] = make_bundle(&e, &b, &len[w][k]);
		}
	}
	for (w = 0; w < WRITERS; w++) {
		ck_assert_int_ge(pid[w] = fork(), 0);
		if (pid[w] == 0) {
			struct drift_error err = { 0 };
			struct ingest_result res;
			struct store *s = NULL;

			if (store_open(e.dir, false, &s, &err) < 0)
				_exit(10);
			for (k = 0; k < UPLOADS; k++)
				if (store_ingest(s, data[w][k], len[w][k], NULL, "web01", NULL, 0,
				    1790000000000000000LL + k, &res, &err) < 0 || res.unchanged) {
					fprintf(stderr, "writer %d: %s\n", w, err.msg);
					_exit(11);
				}
			store_close(s);
			_exit(0);
		}
	}
	for (w = 0; w < WRITERS; w++) {
		ck_assert_int_eq(waitpid(pid[w], &status, 0), pid[w]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %d failed", w);
		for (k = 0; k < UPLOADS; k++)
			free(data[w][k]);
	}
	ck_assert_int_eq(rows(&e, "baselines"), WRITERS * UPLOADS);
	ck_assert_int_eq(rows(&e, "seen"), 0);
	ck_assert_int_eq(query_int(&e, "SELECT count(DISTINCT seq) FROM baselines WHERE seq BETWEEN 1 AND 32"),
	    WRITERS * UPLOADS);
	ck_assert_int_eq(rows(&e, "events"), WRITERS * UPLOADS - 1);
	ck_assert_int_eq(query_int(&e, "SELECT count(*) FROM events e JOIN baselines f ON f.id = e.from_id"
	    " JOIN baselines t ON t.id = e.to_id WHERE t.seq = f.seq + 1 AND e.nchanges = 1"),
	    WRITERS * UPLOADS - 1);
	ck_assert_int_eq(rows(&e, "contents"), WRITERS * UPLOADS + 1);
	assert_blobs_named_by_sha(&e);
	env_teardown(&e);
}
END_TEST

/* A real agent snapshot of a tiny root goes in and comes back entry for entry. */
START_TEST(test_agent_snapshot)
{
	struct snapshot_options o = { 0 };
	struct agent_config cfg;
	struct drift_error err = { 0 };
	struct snapshot *snap = NULL;
	struct baseline *orig = NULL, *back = NULL;
	struct ingest_result res;
	char root[160], cmd[2048], bundle[192];
	struct env e;
	size_t i;
	FILE *f;
	uint8_t *data;
	long len;

	env_setup(&e);
	snprintf(root, sizeof(root), "%s/root", e.tmp);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/etc/ssh' '%s/var/lib/dpkg' && "
	    "printf 'welcome\\n' > '%s/etc/motd' && printf 'Port 22\\n' > '%s/etc/ssh/sshd_config' && "
	    "ln -s motd '%s/etc/motd.link' && chmod 0600 '%s/etc/ssh/sshd_config' && "
	    "printf 'Package: bash\\nStatus: install ok installed\\nArchitecture: amd64\\nVersion: 5.2.15-2+b2\\n\\n' "
	    "> '%s/var/lib/dpkg/status'", root, root, root, root, root, root, root);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(agent_config_defaults(&cfg), 0);
	strlist_clear(&cfg.paths);
	ck_assert_int_eq(strlist_push(&cfg.paths, "/etc"), 0);
	strlist_clear(&cfg.capture);
	ck_assert_int_eq(strlist_push(&cfg.capture, "/etc/**"), 0);
	o.root = root;
	o.cfg = &cfg;
	o.jobs = 1;
	o.host_id = "web07.example.net";
	ck_assert_msg(snapshot_take(&o, &snap, &err) == 0, "%s", err.msg);
	snprintf(bundle, sizeof(bundle), "%s/snap.drift", e.tmp);
	ck_assert_msg(snapshot_write_bundle(snap, bundle, &err) == 0, "%s", err.msg);
	snapshot_free(snap);
	agent_config_release(&cfg);

	ck_assert_ptr_nonnull(f = fopen(bundle, "rb"));
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	ck_assert_ptr_nonnull(data = malloc((size_t)len));
	ck_assert_uint_eq(fread(data, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	ck_assert_msg(store_ingest(e.s, data, (size_t)len, NULL, "web07.example.net", NULL, 0,
	    iso_ns("2026-11-20T00:00Z"), &res, &err) == 0, "%s", err.msg);
	free(data);
	ck_assert(!res.unchanged);

	ck_assert_int_eq(baseline_read_file(bundle, NULL, &orig, &err), 0);
	ck_assert_msg(store_load(e.s, "web07.example.net@latest", &back, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(back->pb->n_files, orig->pb->n_files);
	ck_assert_uint_eq(back->pb->n_packages, 1);
	ck_assert_str_eq(back->pb->packages[0]->version, "5.2.15-2+b2");
	ck_assert_int_eq(back->pb->taken_at_ns, orig->pb->taken_at_ns);
	ck_assert_uint_eq(back->ncontents, orig->ncontents);
	ck_assert_uint_ge(back->ncontents, 2);
	for (i = 0; i < orig->pb->n_files; i++) {
		const Drift__FileEntry *x = orig->pb->files[i], *y = back->pb->files[i];
		size_t nx = drift__file_entry__get_packed_size(x), ny = drift__file_entry__get_packed_size(y);
		uint8_t *px = malloc(nx + 1), *py = malloc(ny + 1);
		const struct content *cx = baseline_file_content(orig, x), *cy = baseline_file_content(back, y);

		drift__file_entry__pack(x, px);
		drift__file_entry__pack(y, py);
		ck_assert_uint_eq(nx, ny);
		ck_assert_mem_eq(px, py, nx);
		free(px);
		free(py);
		ck_assert((cx == NULL) == (cy == NULL));
		if (cx != NULL) {
			ck_assert_uint_eq(cx->len, cy->len);
			ck_assert_mem_eq(cx->data, cy->data, cx->len);
		}
	}
	baseline_free(orig);
	baseline_free(back);
	env_teardown(&e);
}
END_TEST

Suite *
make_store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_host_id_valid);
	tcase_add_test(tc, test_stored_then_unchanged);
	tcase_add_test(tc, test_changed_event);
	tcase_add_test(tc, test_host_mismatch);
	tcase_add_test(tc, test_bad_bundles_refused);
	tcase_add_test(tc, test_load_references);
	tcase_add_loop_test(tc, test_bad_references, 0, (int)N(badrefs));
	tcase_add_test(tc, test_contents_dedup);
	tcase_add_test(tc, test_blob_failure_leaves_no_row);
	tcase_add_test(tc, test_clock_skew);
	tcase_add_test(tc, test_replay_of_older);
	tcase_add_test(tc, test_findings_and_hosts);
	tcase_add_test(tc, test_events_window);
	tcase_add_test(tc, test_reopen);
	tcase_add_test(tc, test_schema_version);
	tcase_add_test(tc, test_windows);
	tcase_add_test(tc, test_migration_v1);
	tcase_add_test(tc, test_alerts_lifecycle);
	tcase_add_test(tc, test_alerts_outbox);
	tcase_add_test(tc, test_alerts_sinks);
	tcase_add_test(tc, test_store_content);
	tcase_add_test(tc, test_agent_snapshot);
	tcase_add_test(tc, test_concurrent_writers);
	suite_add_tcase(s, tc);
	return s;
}
