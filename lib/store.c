/* SPDX-License-Identifier: MIT */
/* store.c - the collector's durable record: ingesting bundles, blobs on disk, loading and listing. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zstd.h>

#include "buf.h"
#include "diff.h"
#include "digest.h"
#include "json.h"
#include "quote.h"
#include "render.h"
#include "store.h"
#include "store_sql.h"
#include "timeparse.h"

/* "ab/<64 hex>" */
#define BLOB_NAME_LEN (3 + DIGEST_HEX_LEN)

bool
store_host_id_valid(const char *host)
{
	size_t n;

	if (host == NULL)
		return false;
	for (n = 0; host[n] != '\0'; n++) {
		char c = host[n];

		if (n >= DRIFT_HOST_ID_MAX)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '_' || c == '-'))
			return false;
	}
	return n > 0 && strcmp(host, ".") != 0 && strcmp(host, "..") != 0;
}

/* A host id from the network, printable for a message (at most 80 bytes, odd bytes as '?'). */
static const char *
printable_host(const char *host, char *buf, size_t size)
{
	size_t i;

	for (i = 0; host[i] != '\0' && i + 1 < size && i < 80; i++)
		buf[i] = (host[i] >= 0x20 && host[i] < 0x7f && host[i] != '\'') ? host[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* --- opening --- */

int
store_open(const char *dir, bool create, struct store **out, struct drift_error *err)
{
	struct store *s;
	int r;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
	s->dirfd = s->blobsfd = -1;
	if ((s->dir = strdup(dir)) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto out;
	}
	if (create && mkdir(dir, 0750) < 0 && errno != EEXIST) {
		r = drift_error_errno(err, errno, "store '%s': cannot create the directory", dir);
		goto out;
	}
	if ((s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			r = drift_error_set(err, DRIFT_ENOTFOUND,
			    "store '%s' does not exist (drift-collector creates it; or give --store)", dir);
		else
			r = drift_error_errno(err, errno, "store '%s': cannot open", dir);
		goto out;
	}
	if (create) {
		if (mkdirat(s->dirfd, "blobs", 0750) == 0) {
			if (fsync(s->dirfd) < 0) {
				r = drift_error_errno(err, errno, "store '%s': fsync", dir);
				goto out;
			}
		} else if (errno != EEXIST) {
			r = drift_error_errno(err, errno, "store '%s': cannot create blobs/", dir);
			goto out;
		}
	}
	if ((r = store_sql_open(s, create, err)) < 0)
		goto out;
	if ((s->blobsfd = openat(s->dirfd, "blobs", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = drift_error_errno(err, errno, "store '%s': cannot open blobs/", dir);
		goto out;
	}
	*out = s;
	s = NULL;
	r = 0;
out:
	store_close(s);
	return r;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	store_sql_close(s);
	if (s->blobsfd >= 0)
		close(s->blobsfd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->dir);
	free(s);
}

/* --- blobs: DIR/blobs/ab/<hex>, each named by the SHA-256 of its bytes --- */

static void
blob_name(const uint8_t sha[DIGEST_LEN], char name[BLOB_NAME_LEN + 1])
{
	digest_hex(sha, DIGEST_LEN, name + 3);
	name[0] = name[3];
	name[1] = name[4];
	name[2] = '/';
}

static int
write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Make a blob durable under its final name: a temporary file beside it,
 * written, fsync'd, renamed, then the directory fsync'd. Called before the
 * rows naming it commit, so a row never lacks its blob; a crash in between
 * leaves an orphan file, which is harmless (and rewritten when needed).
 */
static int
blob_write(struct store *s, const uint8_t sha[DIGEST_LEN], const void *data, size_t len,
    struct drift_error *err)
{
	static unsigned long counter;
	char name[BLOB_NAME_LEN + 1], sub[3], tmp[BLOB_NAME_LEN + 64];
	int fd = -1, subfd = -1, r, attempt;

	blob_name(sha, name);
	memcpy(sub, name, 2);
	sub[2] = '\0';
	if (mkdirat(s->blobsfd, sub, 0750) == 0) {
		if (fsync(s->blobsfd) < 0)
			return drift_error_errno(err, errno, "store '%s': fsync blobs/", s->dir);
	} else if (errno != EEXIST) {
		return drift_error_errno(err, errno, "store '%s': cannot create blobs/%s", s->dir, sub);
	}
	for (attempt = 0; attempt < 2 && fd < 0; attempt++) {
		snprintf(tmp, sizeof(tmp), "%s/.tmp-%s-%ld-%lu", sub, name + 3, (long)getpid(),
		    __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
		fd = openat(s->blobsfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640);
		if (fd < 0 && errno == EEXIST)
			unlinkat(s->blobsfd, tmp, 0);	/* left by a crashed process with our pid */
		else if (fd < 0)
			break;
	}
	if (fd < 0)
		return drift_error_errno(err, errno, "store '%s': cannot create blobs/%s", s->dir, tmp);
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		r = drift_error_errno(err, errno, "store '%s': cannot write blobs/%s", s->dir, tmp);
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		r = drift_error_errno(err, errno, "store '%s': cannot write blobs/%s", s->dir, tmp);
		goto fail;
	}
	fd = -1;
	if (renameat(s->blobsfd, tmp, s->blobsfd, name) < 0) {
		r = drift_error_errno(err, errno, "store '%s': cannot rename blobs/%s", s->dir, tmp);
		goto fail;
	}
	if ((subfd = openat(s->blobsfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fsync(subfd) < 0) {
		r = drift_error_errno(err, errno, "store '%s': fsync blobs/%s", s->dir, sub);
		if (subfd >= 0)
			close(subfd);
		return r;
	}
	close(subfd);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlinkat(s->blobsfd, tmp, 0);
	return r;
}

/* Read a blob of exactly `size` bytes and check it against its name. */
static int
blob_read(struct store *s, const uint8_t sha[DIGEST_LEN], size_t size, struct buf *out,
    struct drift_error *err)
{
	char name[BLOB_NAME_LEN + 1];
	uint8_t got[DIGEST_LEN];
	struct stat st;
	int fd, r;

	blob_name(sha, name);
	if ((fd = openat(s->blobsfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return drift_error_errno(err, errno, "store '%s': blob %s is missing", s->dir, name);
	if (fstat(fd, &st) < 0) {
		r = drift_error_errno(err, errno, "store '%s': blob %s", s->dir, name);
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (uintmax_t)st.st_size != (uintmax_t)size) {
		r = drift_error_set(err, DRIFT_EFORMAT,
		    "store '%s': blob %s is %jd bytes, the database says %zu (the store was altered)",
		    s->dir, name, (intmax_t)st.st_size, size);
		goto out;
	}
	buf_init(out, size);
	if ((r = buf_grow(out, size)) < 0 || (r = buf_read_fd(out, fd)) < 0) {
		if (r == DRIFT_ENOMEM)
			r = drift_error_set(err, r, "out of memory");
		else if (r == DRIFT_ETOOBIG)
			r = drift_error_set(err, DRIFT_EFORMAT, "store '%s': blob %s grew while being read",
			    s->dir, name);
		else
			r = drift_error_errno(err, errno, "store '%s': cannot read blob %s", s->dir, name);
		goto out;
	}
	if ((r = digest_sha256(out->data ? out->data : "", out->len, got)) < 0) {
		drift_error_set(err, r, "SHA-256 failed");
		goto out;
	}
	if (out->len != size || memcmp(got, sha, DIGEST_LEN) != 0) {
		r = drift_error_set(err, DRIFT_EFORMAT,
		    "store '%s': blob %s does not match its SHA-256 (the store was altered)", s->dir, name);
		goto out;
	}
	r = 0;
out:
	close(fd);
	if (r < 0)
		buf_release(out);
	return r;
}

/* --- what makes two baselines "the same" --- */

/* A varint at *p (< end); advances. False when truncated or longer than 10 bytes. */
static bool
varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	unsigned shift;

	*v = 0;
	for (shift = 0; shift < 70 && *p < end; shift += 7) {
		uint8_t c = *(*p)++;

		*v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return true;
	}
	return false;
}

/*
 * SHA-256 over the files (6) and packages (7) records of the encoded
 * Baseline, in order: each is its key, its length and the packed entry.
 * protobuf-c writes known fields in field order, so this is every
 * FileEntry then every PackageEntry, and says "same entries" whatever
 * taken_at, the host facts or the settings say.
 */
static int
entries_digest(const uint8_t *enc, size_t len, uint8_t out[DIGEST_LEN], struct drift_error *err)
{
	const uint8_t *p = enc, *end = enc + len;
	EVP_MD_CTX *ctx;
	unsigned int n = 0;
	int ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	while (ok && p < end) {
		const uint8_t *start = p;
		uint64_t key, v;

		if (!varint(&p, end, &key)) {
			ok = 0;
			break;
		}
		switch (key & 7) {
		case 0:
			ok = varint(&p, end, &v);
			break;
		case 1:
			ok = end - p >= 8;
			p += ok ? 8 : 0;
			break;
		case 2:
			ok = varint(&p, end, &v) && v <= (uint64_t)(end - p);
			p += ok ? v : 0;
			break;
		case 5:
			ok = end - p >= 4;
			p += ok ? 4 : 0;
			break;
		default:
			ok = 0;	/* groups: never written by protobuf-c for this message */
		}
		if (ok && (key == (6 << 3 | 2) || key == (7 << 3 | 2)))
			ok = EVP_DigestUpdate(ctx, start, (size_t)(p - start)) == 1;
	}
	if (ok)
		ok = EVP_DigestFinal_ex(ctx, out, &n) == 1 && n == DIGEST_LEN;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return drift_error_set(err, DRIFT_EINTERNAL, "cannot digest the encoded baseline");
	return 0;
}

/* --- loading a stored baseline --- */

/* Baseline `id` with the contents its entries refer to; inside a transaction. */
static int
load_id(struct store *s, int64_t id, const char *name, struct baseline **out, struct drift_error *err)
{
	struct baseline_limits lim = baseline_default_limits;
	struct buf z = BUF_INIT(0), c = BUF_INIT(0);
	struct baseline *b = NULL;
	sqlite3_stmt *st;
	uint8_t sha[DIGEST_LEN];
	char *raw = NULL;
	int64_t size, zsize;
	unsigned long long fsize;
	size_t i, got;
	int rc, r;

	if ((st = store_sql_stmt(s, ST_BASELINE_GET, err)) == NULL)
		return DRIFT_EIO;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			return drift_error_set(err, DRIFT_ENOTFOUND, "store '%s' has no baseline #%" PRId64,
			    s->dir, id);
		return store_sql_fail(s, err, "reading a baseline");
	}
	size = sqlite3_column_int64(st, 2);
	zsize = sqlite3_column_int64(st, 3);
	if (sqlite3_column_bytes(st, 1) != DIGEST_LEN || size < 0 || zsize < 0 ||
	    (uint64_t)size > SIZE_MAX / 2 || (uint64_t)zsize > SIZE_MAX / 2)
		return drift_error_set(err, DRIFT_EFORMAT, "store '%s': baseline #%" PRId64 " has a damaged row",
		    s->dir, id);
	memcpy(sha, sqlite3_column_blob(st, 1), DIGEST_LEN);
	sqlite3_reset(st);
	if ((r = blob_read(s, sha, (size_t)zsize, &z, err)) < 0)
		goto out;
	fsize = ZSTD_getFrameContentSize(z.data ? z.data : "", z.len);
	if (fsize == ZSTD_CONTENTSIZE_ERROR || fsize == ZSTD_CONTENTSIZE_UNKNOWN ||
	    fsize != (unsigned long long)size) {
		r = drift_error_set(err, DRIFT_EFORMAT,
		    "store '%s': baseline #%" PRId64 " is not the zstd frame of %" PRId64 " bytes it should be",
		    s->dir, id, size);
		goto out;
	}
	if ((raw = malloc(size ? (size_t)size : 1)) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto out;
	}
	got = ZSTD_decompress(raw, (size_t)size, z.data, z.len);
	if (ZSTD_isError(got) || got != (size_t)size) {
		r = drift_error_set(err, DRIFT_EFORMAT, "store '%s': baseline #%" PRId64 " does not decompress: %s",
		    s->dir, id, ZSTD_isError(got) ? ZSTD_getErrorName(got) : "short");
		goto out;
	}
	buf_release(&z);
	lim.pb_max = (size_t)size;
	if ((r = baseline_read_memory(name, raw, (size_t)size, &lim, &b, err)) < 0)
		goto out;
	free(raw);
	raw = NULL;
	for (i = 0; i < b->pb->n_files; i++) {
		const Drift__FileEntry *f = b->pb->files[i];
		int64_t csize;

		if (!f->content_captured || f->sha256.len != DIGEST_LEN ||
		    baseline_content(b, f->sha256.data) != NULL)
			continue;
		if ((st = store_sql_stmt(s, ST_CONTENT_GET, err)) == NULL) {
			r = DRIFT_EIO;
			goto out;
		}
		sqlite3_bind_blob(st, 1, f->sha256.data, DIGEST_LEN, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) == SQLITE_DONE)
			continue;	/* the bundle did not carry it */
		if (rc != SQLITE_ROW) {
			r = store_sql_fail(s, err, "reading contents");
			goto out;
		}
		csize = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if (csize < 0 || (uint64_t)csize > SIZE_MAX / 2) {
			r = drift_error_set(err, DRIFT_EFORMAT, "store '%s': a contents row is damaged", s->dir);
			goto out;
		}
		if ((r = blob_read(s, f->sha256.data, (size_t)csize, &c, err)) < 0)
			goto out;
		r = baseline_add_content(b, f->sha256.data, c.data ? c.data : "", c.len);
		buf_release(&c);
		if (r < 0) {
			drift_error_set(err, r, "out of memory");
			goto out;
		}
	}
	*out = b;
	b = NULL;
	r = 0;
out:
	buf_release(&z);
	buf_release(&c);
	free(raw);
	baseline_free(b);
	return r;
}

/* --- an event: what changed, and which findings are new --- */

struct event_out {
	char *changes_json, *text, *findings_json;
	size_t changes_len, text_len, findings_len;
	size_t truncated;
	size_t critical, warning, info;	/* failed findings of the new baseline */
	size_t new_critical;
	bool evaluated;
};

static void
event_out_release(struct event_out *o)
{
	free(o->changes_json);
	free(o->text);
	free(o->findings_json);
	memset(o, 0, sizeof(*o));
}

/* The first k changes of d as JSON and text (the summary line still counts all of d). */
static int
render_first(const struct baseline *old, const struct baseline *new_, const struct diff *d, size_t k,
    struct event_out *o)
{
	struct diff sub = *d;
	FILE *f;
	int r;

	sub.n = k;
	sub.npkg = d->npkg < k ? d->npkg : k;
	if ((f = open_memstream(&o->changes_json, &o->changes_len)) == NULL)
		return DRIFT_ENOMEM;
	render_json_changes(f, old, new_, &sub);
	r = render_finish(f);
	if (fclose(f) != 0 && r == 0)
		r = DRIFT_ENOMEM;
	if (r < 0)
		return DRIFT_ENOMEM;
	if ((f = open_memstream(&o->text, &o->text_len)) == NULL)
		return DRIFT_ENOMEM;
	r = render_text_ops.diff(f, old, new_, &sub);
	if (k < d->n)
		fprintf(f, "\n(%zu more changes are not shown here; drift diff shows them all)\n", d->n - k);
	if (r == 0)
		r = render_finish(f);
	if (fclose(f) != 0 && r == 0)
		r = DRIFT_ENOMEM;
	return r < 0 ? DRIFT_ENOMEM : 0;
}

static int
render_changes(const struct baseline *old, const struct baseline *new_, const struct diff *d,
    struct event_out *o)
{
	size_t k = d->n;
	int r;

	for (;;) {
		if ((r = render_first(old, new_, d, k, o)) < 0)
			return r;
		if ((o->changes_len <= STORE_EVENT_MAX && o->text_len <= STORE_EVENT_MAX) || k == 0)
			break;
		/* Too big to keep: halve until it fits, keeping the first changes. */
		free(o->changes_json);
		free(o->text);
		o->changes_json = o->text = NULL;
		k /= 2;
	}
	o->truncated = d->n - k;
	return 0;
}

static int
finding_cmp(const void *a, const void *b)
{
	const struct finding *x = *(const struct finding *const *)a, *y = *(const struct finding *const *)b;
	int c;

	if ((c = strcmp(x->rule, y->rule)) != 0)
		return c;
	if ((c = strcmp(x->check, y->check)) != 0)
		return c;
	return path_cmp((const uint8_t *)x->subject, x->subject_len, (const uint8_t *)y->subject,
	    y->subject_len);
}

/* One new finding, as JSON (with the standard's name) and as text. */
static int
put_finding(FILE *jf, FILE *tf, bool first, const struct standard *std, const struct finding *x)
{
	char *one = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&one, &len)) == NULL)
		return DRIFT_ENOMEM;
	render_json_finding(f, x);
	if (fclose(f) != 0 || len == 0 || one[len - 1] != '}') {
		free(one);
		return DRIFT_ENOMEM;
	}
	fputs(first ? "\n  " : ",\n  ", jf);
	fwrite(one, 1, len - 1, jf);
	free(one);
	fputs(", \"standard\": ", jf);
	json_cstr(jf, std->name);
	putc('}', jf);

	fprintf(tf, "%-9s ", x->status == FINDING_UNEVALUATED ? "UNCHECKED" :
	    x->severity == SEVERITY_CRITICAL ? "CRITICAL" :
	    x->severity == SEVERITY_WARNING ? "WARNING" : "INFO");
	quote_path(tf, x->subject, x->subject_len);
	fprintf(tf, ": %s\n", x->message ? x->message : "");
	if (x->remedy != NULL)
		fprintf(tf, "          fix: %s\n", x->remedy);
	fprintf(tf, "          rule: %s (%s)\n", x->rule, std->name);
	return 0;
}

/*
 * Hold new_ (and old, when there is one) to every standard that applies;
 * count new_'s failures; write the findings new_ has and old did not
 * (same rule, check and subject) as JSON and text.
 */
static int
evaluate_all(const struct baseline *old, const struct baseline *new_,
    const struct standard *const *stds, size_t nstds, struct event_out *o, char **ftext, size_t *ftext_len)
{
	struct evaluation ne, oe;
	const struct finding **keys = NULL;
	FILE *jf = NULL, *tf = NULL;
	size_t i, j, nnew = 0, nkeys;
	int r = 0;

	memset(&ne, 0, sizeof(ne));
	memset(&oe, 0, sizeof(oe));
	if ((jf = open_memstream(&o->findings_json, &o->findings_len)) == NULL ||
	    (tf = open_memstream(ftext, ftext_len)) == NULL) {
		r = DRIFT_ENOMEM;
		goto out;
	}
	putc('[', jf);
	for (i = 0; i < nstds; i++) {
		const struct standard *std = stds[i];

		if (!standard_applies(std, new_->pb))
			continue;
		o->evaluated = true;
		if ((r = standard_evaluate(std, new_, &ne)) < 0)
			goto out;
		o->critical += ne.count[SEVERITY_CRITICAL];
		o->warning += ne.count[SEVERITY_WARNING];
		o->info += ne.count[SEVERITY_INFO];
		if (old != NULL && standard_applies(std, old->pb) &&
		    (r = standard_evaluate(std, old, &oe)) < 0)
			goto out;
		nkeys = oe.n;
		if (nkeys > 0) {
			if ((keys = calloc(nkeys, sizeof(*keys))) == NULL) {
				r = DRIFT_ENOMEM;
				goto out;
			}
			for (j = 0; j < nkeys; j++)
				keys[j] = &oe.v[j];
			qsort(keys, nkeys, sizeof(*keys), finding_cmp);
		}
		for (j = 0; j < ne.n; j++) {
			const struct finding *x = &ne.v[j];

			if (nkeys > 0 && bsearch(&x, keys, nkeys, sizeof(*keys), finding_cmp) != NULL)
				continue;
			if (x->status == FINDING_FAIL && x->severity == SEVERITY_CRITICAL)
				o->new_critical++;
			/* Bounded like the changes: past the limit, count only. */
			if (ftell(jf) > (long)STORE_EVENT_MAX || ftell(tf) > (long)STORE_EVENT_MAX)
				continue;
			if (nnew == 0)
				fputs("new findings\n", tf);
			if ((r = put_finding(jf, tf, nnew == 0, std, x)) < 0)
				goto out;
			nnew++;
		}
		free(keys);
		keys = NULL;
		evaluation_release(&ne);
		evaluation_release(&oe);
	}
	putc(']', jf);
out:
	free(keys);
	evaluation_release(&ne);
	evaluation_release(&oe);
	if (r == 0 && (render_finish(jf) < 0 || render_finish(tf) < 0))
		r = DRIFT_ENOMEM;	/* a memory stream fails only for want of memory */
	if (jf != NULL && fclose(jf) != 0 && r == 0)
		r = DRIFT_ENOMEM;
	if (tf != NULL && fclose(tf) != 0 && r == 0)
		r = DRIFT_ENOMEM;
	return r;
}

/* --- ingest --- */

struct latest {
	int64_t host_id;	/* 0: a new host */
	int64_t id, seq, taken_at_ns;	/* id 0: no baseline yet */
	uint8_t digest[DIGEST_LEN];
};

static int
find_latest(struct store *s, const char *host, struct latest *l, struct drift_error *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(l, 0, sizeof(*l));
	if ((st = store_sql_stmt(s, ST_HOST_GET, err)) == NULL)
		return DRIFT_EIO;
	sqlite3_bind_text(st, 1, host, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return store_sql_fail(s, err, "looking up the host");
	l->host_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if ((st = store_sql_stmt(s, ST_LATEST, err)) == NULL)
		return DRIFT_EIO;
	sqlite3_bind_int64(st, 1, l->host_id);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return store_sql_fail(s, err, "looking up the latest baseline");
	l->id = sqlite3_column_int64(st, 0);
	l->seq = sqlite3_column_int64(st, 1);
	l->taken_at_ns = sqlite3_column_int64(st, 2);
	if (sqlite3_column_bytes(st, 3) == DIGEST_LEN)
		memcpy(l->digest, sqlite3_column_blob(st, 3), DIGEST_LEN);
	sqlite3_reset(st);
	return 0;
}

/* An earlier baseline of the host with exactly this taken_at and these entries (a replay), or 0. */
static int
find_replay(struct store *s, const struct latest *l, int64_t taken, const uint8_t digest[DIGEST_LEN],
    int64_t *id, struct drift_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*id = 0;
	if (l->host_id == 0)
		return 0;
	if ((st = store_sql_stmt(s, ST_REPLAY, err)) == NULL)
		return DRIFT_EIO;
	sqlite3_bind_int64(st, 1, l->host_id);
	sqlite3_bind_int64(st, 2, taken);
	sqlite3_bind_blob(st, 3, digest, DIGEST_LEN, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		return store_sql_fail(s, err, "looking for an earlier copy");
	sqlite3_reset(st);
	return 0;
}

static int
step_done(struct store *s, sqlite3_stmt *st, const char *what, struct drift_error *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sql_fail(s, err, what);
	return 0;
}

/* Insert the host if new, else record its latest upload. */
static int
touch_host(struct store *s, const char *host, struct latest *l, int64_t received, int64_t taken,
    int64_t skew, struct drift_error *err)
{
	sqlite3_stmt *st;
	int r;

	if (l->host_id == 0) {
		if ((st = store_sql_stmt(s, ST_HOST_INSERT, err)) == NULL)
			return DRIFT_EIO;
		sqlite3_bind_text(st, 1, host, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, received);
		sqlite3_bind_int64(st, 3, taken);
		sqlite3_bind_int64(st, 4, skew);
		if ((r = step_done(s, st, "adding the host", err)) < 0)
			return r;
		l->host_id = sqlite3_last_insert_rowid(s->db);
		return 0;
	}
	if ((st = store_sql_stmt(s, ST_HOST_UPDATE, err)) == NULL)
		return DRIFT_EIO;
	sqlite3_bind_int64(st, 1, l->host_id);
	sqlite3_bind_int64(st, 2, received);
	sqlite3_bind_int64(st, 3, taken);
	sqlite3_bind_int64(st, 4, skew);
	return step_done(s, st, "updating the host", err);
}

static int
insert_seen(struct store *s, int64_t id, int64_t taken, int64_t received, struct drift_error *err)
{
	sqlite3_stmt *st;

	if ((st = store_sql_stmt(s, ST_SEEN_INSERT, err)) == NULL)
		return DRIFT_EIO;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, taken);
	sqlite3_bind_int64(st, 3, received);
	return step_done(s, st, "recording the upload", err);
}

/*
 * Blobs of the contents the new baseline refers to that the store lacks.
 * Outside the write transaction: a content another upload adds meanwhile
 * is only written twice (same name, same bytes); rows are never deleted,
 * so a row seen here keeps its blob.
 */
static int
write_contents(struct store *s, const struct baseline *b, struct drift_error *err)
{
	sqlite3_stmt *st;
	bool began;
	size_t i;
	int rc, r;

	if ((r = store_sql_begin(s, false, &began, err)) < 0)
		return r;
	for (i = 0; i < b->pb->n_files; i++) {
		const struct content *c = baseline_file_content(b, b->pb->files[i]);

		if (c == NULL)
			continue;
		if ((st = store_sql_stmt(s, ST_CONTENT_GET, err)) == NULL) {
			r = DRIFT_EIO;
			goto out;
		}
		sqlite3_bind_blob(st, 1, c->sha256, DIGEST_LEN, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc == SQLITE_ROW)
			continue;	/* kept already, for this host or another */
		if (rc != SQLITE_DONE) {
			r = store_sql_fail(s, err, "looking up contents");
			goto out;
		}
		if ((r = blob_write(s, c->sha256, c->data, c->len, err)) < 0)
			goto out;
	}
	r = store_sql_commit(s, began, err);
	began = false;
out:
	store_sql_rollback(s, began);
	return r;
}

/* The rows of those contents (their blobs are on disk by now). */
static int
record_contents(struct store *s, const struct baseline *b, int64_t received, struct drift_error *err)
{
	sqlite3_stmt *st;
	size_t i;
	int r;

	for (i = 0; i < b->pb->n_files; i++) {
		const struct content *c = baseline_file_content(b, b->pb->files[i]);

		if (c == NULL)
			continue;
		if ((st = store_sql_stmt(s, ST_CONTENT_INSERT, err)) == NULL)
			return DRIFT_EIO;
		sqlite3_bind_blob(st, 1, c->sha256, DIGEST_LEN, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (int64_t)c->len);
		sqlite3_bind_int64(st, 3, received);
		if ((r = step_done(s, st, "recording contents", err)) < 0)
			return r;
	}
	return 0;
}

static int64_t
sub_sat(int64_t a, int64_t b)
{
	int64_t d;

	if (__builtin_sub_overflow(a, b, &d))
		return b < 0 ? INT64_MAX : INT64_MIN;
	return d;
}

/* An upload being ingested: everything that does not depend on the store. */
struct upload {
	struct baseline *b;
	const char *host;	/* in b */
	int64_t taken, received, skew;
	uint8_t digest[DIGEST_LEN];	/* of the entries */
	uint8_t *enc;		/* the encoded Baseline */
	size_t enclen;
	char *z;		/* zstd of enc, once needed */
	size_t zlen;
	uint8_t blobsha[DIGEST_LEN];
	bool blobs_written;
};

/* What storing it means against the host's history as it was read. */
struct plan {
	struct latest l;
	int64_t replay;		/* unchanged: the baseline it repeats */
	struct baseline *prev;
	struct diff d;
	struct event_out ev;
	char *ftext;		/* new findings, for people */
	size_t ftext_len;
};

static void
plan_release(struct plan *p)
{
	diff_release(&p->d);
	baseline_free(p->prev);
	event_out_release(&p->ev);
	free(p->ftext);
	memset(p, 0, sizeof(*p));
}

static int
compress_upload(struct upload *u, struct drift_error *err)
{
	size_t cap = ZSTD_compressBound(u->enclen), n;
	int r;

	if ((u->z = malloc(cap)) == NULL)
		return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
	n = ZSTD_compress(u->z, cap, u->enc, u->enclen, 1);
	if (ZSTD_isError(n))
		return drift_error_set(err, DRIFT_ENOMEM, "zstd: %s", ZSTD_getErrorName(n));
	u->zlen = n;
	if ((r = digest_sha256(u->z, u->zlen, u->blobsha)) < 0)
		return drift_error_set(err, r, "SHA-256 failed");
	return 0;
}

/*
 * Read the host's history, and when the upload is new: diff it against
 * the previous baseline, evaluate, render the event and make the blobs
 * durable. Only reads the database; the heavy part runs outside any
 * transaction unless the caller holds one.
 */
static int
plan_make(struct store *s, struct upload *u, const struct standard *const *stds, size_t nstds,
    struct plan *p, struct drift_error *err)
{
	struct drift_error e2 = { 0 };
	bool began;
	int r;

	if ((r = store_sql_begin(s, false, &began, err)) < 0)
		return r;
	if ((r = find_latest(s, u->host, &p->l, err)) < 0)
		goto out;
	if (p->l.id != 0 && memcmp(p->l.digest, u->digest, DIGEST_LEN) == 0)
		p->replay = p->l.id;
	else if ((r = find_replay(s, &p->l, u->taken, u->digest, &p->replay, err)) < 0)
		goto out;
	if (p->replay == 0 && p->l.id != 0) {
		char name[300];

		snprintf(name, sizeof(name), "%s@#%" PRId64, u->host, p->l.id);
		if ((r = load_id(s, p->l.id, name, &p->prev, &e2)) < 0) {
			/* The store's trouble, not the upload's: never a 4xx that discards the bundle. */
			r = drift_error_set(err, r == DRIFT_ENOMEM ? r : DRIFT_EIO,
			    "cannot read the previous baseline: %s", drift_error_message(&e2));
			goto out;
		}
	}
	r = store_sql_commit(s, began, err);
	began = false;
	if (r < 0 || p->replay != 0)
		goto out;

	if (p->prev != NULL && (r = diff_baselines(p->prev->pb, u->b->pb, &p->d)) < 0) {
		drift_error_set(err, r, "out of memory");
		goto out;
	}
	if ((r = evaluate_all(p->prev, u->b, stds, nstds, &p->ev, &p->ftext, &p->ftext_len)) < 0) {
		drift_error_set(err, r, "evaluating the baseline: %s", drift_strerror(r));
		goto out;
	}
	if (p->prev != NULL && p->d.n > 0) {
		if ((r = render_changes(p->prev, u->b, &p->d, &p->ev)) < 0) {
			drift_error_set(err, r, "out of memory");
			goto out;
		}
		if (p->ftext_len > 0) {
			/* The new findings follow the changes in the text. */
			char *t = realloc(p->ev.text, p->ev.text_len + p->ftext_len + 2);

			if (t == NULL) {
				r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
				goto out;
			}
			t[p->ev.text_len++] = '\n';
			memcpy(t + p->ev.text_len, p->ftext, p->ftext_len + 1);
			p->ev.text = t;
			p->ev.text_len += p->ftext_len;
		}
	}
	/* Blobs before any row names them: a row must never lack its file. */
	if (!u->blobs_written) {
		if ((u->z == NULL && (r = compress_upload(u, err)) < 0) ||
		    (r = blob_write(s, u->blobsha, u->z, u->zlen, err)) < 0 ||
		    (r = write_contents(s, u->b, err)) < 0)
			goto out;
		u->blobs_written = true;
	}
	r = 0;
out:
	store_sql_rollback(s, began);
	return r;
}

/* The rows, inside the write transaction, against the history the plan was made from. */
static int
plan_apply(struct store *s, struct upload *u, struct plan *p, struct ingest_result *out,
    struct drift_error *err)
{
	const struct event_out *ev = &p->ev;
	sqlite3_stmt *st;
	int r;

	if ((r = touch_host(s, u->host, &p->l, u->received, u->taken, u->skew, err)) < 0)
		return r;
	if (p->replay != 0) {
		if ((r = insert_seen(s, p->replay, u->taken, u->received, err)) < 0)
			return r;
		out->baseline_id = p->replay;
		out->unchanged = true;
		return 0;
	}
	if ((st = store_sql_stmt(s, ST_BASELINE_INSERT, err)) == NULL)
		return DRIFT_EIO;
	sqlite3_bind_int64(st, 1, p->l.host_id);
	sqlite3_bind_int64(st, 2, p->l.seq + 1);
	sqlite3_bind_int64(st, 3, u->taken);
	sqlite3_bind_int64(st, 4, u->received);
	sqlite3_bind_int64(st, 5, u->skew);
	sqlite3_bind_int(st, 6, p->l.id != 0 && u->taken < p->l.taken_at_ns);
	sqlite3_bind_blob(st, 7, u->digest, DIGEST_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, u->blobsha, DIGEST_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, (int64_t)u->enclen);
	sqlite3_bind_int64(st, 10, (int64_t)u->zlen);
	sqlite3_bind_int64(st, 11, (int64_t)u->b->pb->n_files);
	sqlite3_bind_int64(st, 12, (int64_t)u->b->pb->n_packages);
	sqlite3_bind_int64(st, 13, (int64_t)ev->critical);
	sqlite3_bind_int64(st, 14, (int64_t)ev->warning);
	sqlite3_bind_int64(st, 15, (int64_t)ev->info);
	sqlite3_bind_int(st, 16, ev->evaluated);
	if ((r = step_done(s, st, "recording the baseline", err)) < 0)
		return r;
	out->baseline_id = sqlite3_last_insert_rowid(s->db);
	if (p->prev != NULL && p->d.n > 0) {
		if ((st = store_sql_stmt(s, ST_EVENT_INSERT, err)) == NULL)
			return DRIFT_EIO;
		sqlite3_bind_int64(st, 1, p->l.host_id);
		sqlite3_bind_int64(st, 2, p->l.id);
		sqlite3_bind_int64(st, 3, out->baseline_id);
		sqlite3_bind_int64(st, 4, p->l.taken_at_ns);
		sqlite3_bind_int64(st, 5, u->taken);
		sqlite3_bind_int(st, 6, u->taken < p->l.taken_at_ns);
		sqlite3_bind_int64(st, 7, (int64_t)p->d.n);
		sqlite3_bind_int64(st, 8, (int64_t)ev->truncated);
		sqlite3_bind_text64(st, 9, ev->changes_json, ev->changes_len, SQLITE_STATIC, SQLITE_UTF8);
		sqlite3_bind_text64(st, 10, ev->findings_json, ev->findings_len, SQLITE_STATIC, SQLITE_UTF8);
		sqlite3_bind_text64(st, 11, ev->text, ev->text_len, SQLITE_STATIC, SQLITE_UTF8);
		if ((r = step_done(s, st, "recording the change event", err)) < 0)
			return r;
	}
	if ((r = record_contents(s, u->b, u->received, err)) < 0)
		return r;
	out->changes = p->d.n;
	out->new_critical = ev->new_critical;
	return 0;
}

/* Plans made outside the write lock that went stale this often: make the next one inside it. */
#define INGEST_OPTIMISTIC_TRIES 2

int
store_ingest(struct store *s, const void *bundle, size_t len,
    const struct baseline_limits *limits, const char *expect_host,
    const struct standard *const *stds, size_t nstds, int64_t received_at_ns,
    struct ingest_result *res, struct drift_error *err)
{
	struct drift_error e2 = { 0 };
	struct ingest_result out;
	struct upload u;
	struct plan p;
	struct latest now;
	char hbuf[96], hbuf2[96];
	bool began = false, locked;
	int attempt, r;

	memset(&u, 0, sizeof(u));
	memset(&p, 0, sizeof(p));
	memset(&out, 0, sizeof(out));
	if ((r = baseline_read_memory("upload", bundle, len, limits, &u.b, &e2)) < 0) {
		drift_error_set(err, r, "bundle refused: %s", drift_error_message(&e2));
		goto out;
	}
	u.host = u.b->pb->host_id;
	if (expect_host != NULL && strcmp(u.host, expect_host) != 0) {
		r = drift_error_set(err, DRIFT_EINVAL,
		    "bundle refused: it is for host '%s' but the client certificate names '%s' "
		    "(a host may only send its own baselines)",
		    printable_host(u.host, hbuf, sizeof(hbuf)),
		    printable_host(expect_host, hbuf2, sizeof(hbuf2)));
		goto out;
	}
	if (!store_host_id_valid(u.host)) {
		r = drift_error_set(err, DRIFT_EFORMAT,
		    "bundle refused: host id '%s' is not valid (1 to 64 characters of A-Z, a-z, 0-9, '.', '_', '-')",
		    printable_host(u.host, hbuf, sizeof(hbuf)));
		goto out;
	}
	u.taken = u.b->pb->taken_at_ns;
	u.received = received_at_ns;
	u.skew = sub_sat(received_at_ns, u.taken);
	u.enclen = drift__baseline__get_packed_size(u.b->pb);
	if ((u.enc = malloc(u.enclen ? u.enclen : 1)) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto out;
	}
	if (drift__baseline__pack(u.b->pb, u.enc) != u.enclen) {
		r = drift_error_set(err, DRIFT_EINTERNAL, "encoding the baseline gave another size");
		goto out;
	}
	if ((r = entries_digest(u.enc, u.enclen, u.digest, err)) < 0)
		goto out;

	/*
	 * Diffing, evaluating and writing blobs happen before the write lock
	 * is taken, so ingests on other connections overlap; the lock only
	 * covers checking that the host's history did not move meanwhile and
	 * adding the rows. If it moved, plan again.
	 */
	for (attempt = 0;; attempt++) {
		locked = attempt >= INGEST_OPTIMISTIC_TRIES;
		if (locked && (r = store_sql_begin(s, true, &began, err)) < 0)
			goto out;
		if ((r = plan_make(s, &u, stds, nstds, &p, err)) < 0)
			goto out;
		if (!locked) {
			if ((r = store_sql_begin(s, true, &began, err)) < 0 ||
			    (r = find_latest(s, u.host, &now, err)) < 0)
				goto out;
			if (now.host_id != p.l.host_id || now.id != p.l.id) {
				store_sql_rollback(s, began);
				began = false;
				plan_release(&p);
				continue;
			}
		}
		if ((r = plan_apply(s, &u, &p, &out, err)) < 0)
			goto out;
		r = store_sql_commit(s, began, err);
		began = false;
		if (r < 0)
			goto out;
		break;
	}
	snprintf(out.host, sizeof(out.host), "%s", u.host);
	out.taken_at_ns = u.taken;
	*res = out;
	r = 0;
out:
	store_sql_rollback(s, began);
	plan_release(&p);
	free(u.enc);
	free(u.z);
	baseline_free(u.b);
	return r;
}

/* --- reading --- */

static int
host_rowid(struct store *s, const char *host, int64_t *id, struct drift_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = store_sql_stmt(s, ST_HOST_GET, err)) == NULL)
		return DRIFT_EIO;
	sqlite3_bind_text(st, 1, host, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return drift_error_set(err, DRIFT_ENOTFOUND, "no host '%s' in store '%s'", host, s->dir);
	if (rc != SQLITE_ROW)
		return store_sql_fail(s, err, "looking up the host");
	*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

/* Which baseline a reference names, inside a transaction. */
static int
resolve(struct store *s, const char *ref, const char *host, const char *what, int64_t *id,
    struct drift_error *err)
{
	char t1[48], t2[48];
	sqlite3_stmt *st;
	int64_t hid, when, oldest;
	int rc, r;

	if (what[0] == '#') {
		const char *p = what + 1;
		int64_t v = 0;

		for (; *p >= '0' && *p <= '9' && v <= (INT64_MAX - 9) / 10; p++)
			v = v * 10 + (*p - '0');
		if (p == what + 1 || *p != '\0')
			return drift_error_set(err, DRIFT_EINVAL,
			    "'%s': expected a baseline number after '#' (like %s@#12)", ref, host);
		if ((st = store_sql_stmt(s, ST_BASELINE_GET, err)) == NULL)
			return DRIFT_EIO;
		sqlite3_bind_int64(st, 1, v);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), host) == 0) {
			sqlite3_reset(st);
			*id = v;
			return 0;
		}
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return store_sql_fail(s, err, "reading a baseline");
		if ((r = host_rowid(s, host, &hid, err)) < 0)
			return r;
		return drift_error_set(err, DRIFT_ENOTFOUND, "'%s': host '%s' has no baseline #%" PRId64,
		    ref, host, v);
	}
	if ((r = host_rowid(s, host, &hid, err)) < 0)
		return r;
	if (strcmp(what, "latest") == 0) {
		if ((st = store_sql_stmt(s, ST_LATEST, err)) == NULL)
			return DRIFT_EIO;
		sqlite3_bind_int64(st, 1, hid);
	} else if (strcmp(what, "last-good") == 0) {
		if ((st = store_sql_stmt(s, ST_LAST_GOOD, err)) == NULL)
			return DRIFT_EIO;
		sqlite3_bind_int64(st, 1, hid);
	} else {
		if ((r = time_parse(what, time_now_ns(), &when, err)) < 0)
			return r;
		if ((st = store_sql_stmt(s, ST_AT_TIME, err)) == NULL)
			return DRIFT_EIO;
		sqlite3_bind_int64(st, 1, hid);
		sqlite3_bind_int64(st, 2, when);
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_sql_fail(s, err, "looking up the baseline");
	if (strcmp(what, "latest") == 0)
		return drift_error_set(err, DRIFT_ENOTFOUND, "'%s': host '%s' has no baseline", ref, host);
	if (strcmp(what, "last-good") == 0)
		return drift_error_set(err, DRIFT_ENOTFOUND,
		    "'%s': every baseline of host '%s' has a critical finding", ref, host);
	if ((st = store_sql_stmt(s, ST_OLDEST, err)) == NULL)
		return DRIFT_EIO;
	sqlite3_bind_int64(st, 1, hid);
	if (sqlite3_step(st) != SQLITE_ROW)
		return store_sql_fail(s, err, "looking up the oldest baseline");
	oldest = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return drift_error_set(err, DRIFT_ENOTFOUND,
	    "'%s': host '%s' has no baseline taken at or before %s (the oldest was taken at %s)",
	    ref, host, format_time_ns(when, t1, sizeof(t1)), format_time_ns(oldest, t2, sizeof(t2)));
}

int
store_load(struct store *s, const char *ref, struct baseline **out, struct drift_error *err)
{
	struct baseline *b = NULL;
	char host[256];
	const char *at = strchr(ref, '@');
	size_t hlen;
	int64_t id = 0;
	bool began = false;
	int r;

	hlen = at ? (size_t)(at - ref) : 0;
	if (at == NULL || at[1] == '\0')
		return drift_error_set(err, DRIFT_EINVAL,
		    "'%.300s': expected HOST@latest, HOST@TIME (like web01@2026-11-22T10:00Z or "
		    "'web01@2 hours ago') or HOST@#ID", ref);
	if (hlen > DRIFT_HOST_ID_MAX)
		return drift_error_set(err, DRIFT_EINVAL, "'%.300s': the host id is longer than 64 characters", ref);
	memcpy(host, ref, hlen);
	host[hlen] = '\0';
	if (!store_host_id_valid(host))
		return drift_error_set(err, DRIFT_EINVAL,
		    "'%.300s': '%s' is not a host id (1 to 64 characters of A-Z, a-z, 0-9, '.', '_', '-')",
		    ref, host);
	if ((r = store_sql_begin(s, false, &began, err)) < 0)
		return r;
	if ((r = resolve(s, ref, host, at + 1, &id, err)) < 0)
		goto out;
	if ((r = load_id(s, id, ref, &b, err)) < 0)
		goto out;
	r = store_sql_commit(s, began, err);
	began = false;
	if (r == 0) {
		*out = b;
		b = NULL;
	}
out:
	store_sql_rollback(s, began);
	baseline_free(b);
	return r;
}

int
store_content(struct store *s, const uint8_t sha256[DIGEST_LEN], size_t max, struct buf *out,
    struct drift_error *err)
{
	sqlite3_stmt *st;
	bool began = false;
	int64_t size;
	int rc, r;

	if ((r = store_sql_begin(s, false, &began, err)) < 0)
		return r;
	if ((st = store_sql_stmt(s, ST_CONTENT_GET, err)) == NULL) {
		r = DRIFT_EIO;
		goto out;
	}
	sqlite3_bind_blob(st, 1, sha256, DIGEST_LEN, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		r = drift_error_set(err, DRIFT_ENOTFOUND, "store '%s' holds no content with that SHA-256", s->dir);
		goto out;
	}
	if (rc != SQLITE_ROW) {
		r = store_sql_fail(s, err, "reading contents");
		goto out;
	}
	size = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (size < 0 || (uint64_t)size > SIZE_MAX / 2) {
		r = drift_error_set(err, DRIFT_EFORMAT, "store '%s': a contents row is damaged", s->dir);
		goto out;
	}
	if ((uint64_t)size > max) {
		r = drift_error_set(err, DRIFT_ETOOBIG, "store '%s': the content is %" PRId64 " bytes, more than %zu",
		    s->dir, size, max);
		goto out;
	}
	if ((r = blob_read(s, sha256, (size_t)size, out, err)) < 0)
		goto out;
	r = store_sql_commit(s, began, err);
	began = false;
	if (r < 0)
		buf_release(out);
out:
	store_sql_rollback(s, began);
	return r;
}

void
store_hosts_free(struct store_host *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i].host);
	free(v);
}

int
store_hosts(struct store *s, struct store_host **out, size_t *nout, struct drift_error *err)
{
	struct store_host *v = NULL, *nv;
	sqlite3_stmt *st;
	size_t n = 0, cap = 0;
	int rc, r;

	if ((st = store_sql_prepare(s, ST_HOSTS, err)) == NULL)
		return DRIFT_EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_host *h;

		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
				goto out;
			}
			v = nv;
		}
		h = &v[n];
		memset(h, 0, sizeof(*h));
		if ((h->host = strdup((const char *)sqlite3_column_text(st, 0))) == NULL) {
			r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
			goto out;
		}
		n++;
		h->first_seen_ns = sqlite3_column_int64(st, 1);
		h->last_report_ns = sqlite3_column_int64(st, 2);
		h->last_taken_ns = sqlite3_column_int64(st, 3);
		h->skew_ns = sqlite3_column_int64(st, 4);
		h->baselines = (size_t)sqlite3_column_int64(st, 5);
		h->changes = (size_t)sqlite3_column_int64(st, 6);
		h->critical = (size_t)sqlite3_column_int64(st, 7);
		h->warning = (size_t)sqlite3_column_int64(st, 8);
		h->evaluated = sqlite3_column_int(st, 9) != 0;
	}
	if (rc != SQLITE_DONE) {
		r = store_sql_fail(s, err, "listing hosts");
		goto out;
	}
	*out = v;
	*nout = n;
	v = NULL;
	r = 0;
out:
	sqlite3_finalize(st);
	store_hosts_free(v, n);
	return r;
}

/* --- maintenance windows --- */

static int
need_windows(struct store *s, struct drift_error *err)
{
	return store_sql_need(s, 2, "maintenance windows", err);
}

/* A glob or reason a window takes: 1 to max bytes, no control characters. */
static int
window_text(const char *what, const char *v, size_t max, struct drift_error *err)
{
	size_t i;

	if (v == NULL || v[0] == '\0')
		return drift_error_set(err, DRIFT_EINVAL, "window %s: must not be empty", what);
	for (i = 0; v[i] != '\0'; i++) {
		if (i >= max)
			return drift_error_set(err, DRIFT_EINVAL, "window %s: longer than %zu bytes", what, max);
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return drift_error_set(err, DRIFT_EINVAL,
			    "window %s: control characters are not allowed (byte %zu)", what, i + 1);
	}
	return 0;
}

int
store_window_open(struct store *s, const char *hosts_glob, int64_t from_ns, int64_t until_ns,
    const char *reason, int64_t *id, struct drift_error *err)
{
	sqlite3_stmt *st;
	bool began = false;
	int r;

	if ((r = window_text("hosts", hosts_glob, STORE_WINDOW_HOSTS_MAX, err)) < 0 ||
	    (r = window_text("reason", reason, STORE_WINDOW_REASON_MAX, err)) < 0)
		return r;
	if (until_ns < from_ns)
		return drift_error_set(err, DRIFT_EINVAL, "window: it would end before it starts");
	if ((r = need_windows(s, err)) < 0)
		return r;
	if ((r = store_sql_begin(s, true, &began, err)) < 0)
		return r;
	if ((st = store_sql_stmt(s, ST_WINDOW_INSERT, err)) == NULL) {
		r = DRIFT_EIO;
		goto out;
	}
	sqlite3_bind_text(st, 1, hosts_glob, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, from_ns);
	sqlite3_bind_int64(st, 3, until_ns);
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, time_now_ns());
	if ((r = step_done(s, st, "opening a window", err)) < 0)
		goto out;
	*id = sqlite3_last_insert_rowid(s->db);
	r = store_sql_commit(s, began, err);
	began = false;
out:
	store_sql_rollback(s, began);
	return r;
}

int
store_window_close(struct store *s, int64_t id, int64_t now_ns, struct drift_error *err)
{
	char t[48];
	sqlite3_stmt *st;
	bool began = false;
	int rc, r;

	if ((r = need_windows(s, err)) < 0)
		return r;
	if ((r = store_sql_begin(s, true, &began, err)) < 0)
		return r;
	if ((st = store_sql_stmt(s, ST_WINDOW_GET, err)) == NULL) {
		r = DRIFT_EIO;
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		r = drift_error_set(err, DRIFT_ENOTFOUND, "no window %" PRId64 " in store '%s'", id, s->dir);
		goto out;
	}
	if (rc != SQLITE_ROW) {
		r = store_sql_fail(s, err, "looking up the window");
		goto out;
	}
	if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
		r = drift_error_set(err, DRIFT_EINVAL, "window %" PRId64 ": already closed at %s", id,
		    format_time_ns(sqlite3_column_int64(st, 1), t, sizeof(t)));
		sqlite3_reset(st);
		goto out;
	}
	sqlite3_reset(st);
	if ((st = store_sql_stmt(s, ST_WINDOW_CLOSE, err)) == NULL) {
		r = DRIFT_EIO;
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now_ns);
	if ((r = step_done(s, st, "closing the window", err)) < 0)
		goto out;
	r = store_sql_commit(s, began, err);
	began = false;
out:
	store_sql_rollback(s, began);
	return r;
}

void
store_windows_free(struct store_window *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		free(v[i].hosts);
		free(v[i].reason);
	}
	free(v);
}

int
store_load_windows(struct store *s, struct store_window **out, size_t *nout, struct drift_error *err)
{
	struct store_window *v = NULL, *nv;
	sqlite3_stmt *st = NULL;
	size_t n = 0, cap = 0;
	int rc, r;

	*out = NULL;
	*nout = 0;
	if (s->schema < 2)
		return 0;
	if ((st = store_sql_prepare(s, ST_WINDOWS, err)) == NULL)
		return DRIFT_EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_window *w;
		const char *hosts = (const char *)sqlite3_column_text(st, 1);
		const char *reason = (const char *)sqlite3_column_text(st, 4);

		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
				goto out;
			}
			v = nv;
		}
		w = &v[n];
		memset(w, 0, sizeof(*w));
		if (hosts == NULL || reason == NULL || (w->hosts = strdup(hosts)) == NULL ||
		    (w->reason = strdup(reason)) == NULL) {
			free(w->hosts);
			r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
			goto out;
		}
		n++;
		w->id = sqlite3_column_int64(st, 0);
		w->from_ns = sqlite3_column_int64(st, 2);
		w->until_ns = sqlite3_column_int64(st, 3);
		w->closed = sqlite3_column_type(st, 5) != SQLITE_NULL;
		w->closed_ns = w->closed ? sqlite3_column_int64(st, 5) : 0;
	}
	if (rc != SQLITE_DONE) {
		r = store_sql_fail(s, err, "listing windows");
		goto out;
	}
	*out = v;
	*nout = n;
	v = NULL;
	n = 0;
	r = 0;
out:
	sqlite3_finalize(st);
	store_windows_free(v, n);
	return r;
}

int
store_windows(struct store *s, struct store_window **out, size_t *nout, struct drift_error *err)
{
	bool began = false;
	int r;

	if ((r = store_sql_begin(s, false, &began, err)) < 0)
		return r;
	if ((r = store_load_windows(s, out, nout, err)) < 0)
		goto out;
	r = store_sql_commit(s, began, err);
	began = false;
	if (r < 0) {
		store_windows_free(*out, *nout);
		*out = NULL;
		*nout = 0;
	}
out:
	store_sql_rollback(s, began);
	return r;
}

const struct store_window *
store_planned_by(const struct store_window *w, size_t n, const char *host, int64_t taken_ns)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (taken_ns >= w[i].from_ns && taken_ns <= w[i].until_ns &&
		    fnmatch(w[i].hosts, host, 0) == 0)
			return &w[i];
	return NULL;
}

int
store_events(struct store *s, const char *host_glob, int64_t since_ns, int64_t until_ns,
    int (*fn)(void *ctx, const struct store_event *ev), void *ctx, struct drift_error *err)
{
	struct store_window *win = NULL;
	size_t nwin = 0;
	sqlite3_stmt *st = NULL;
	bool began = false;
	int rc, r;

	/* One snapshot for the whole walk, shared by store_load calls in fn. */
	if ((r = store_sql_begin(s, false, &began, err)) < 0)
		return r;
	if ((r = store_load_windows(s, &win, &nwin, err)) < 0)
		goto out;
	if ((st = store_sql_prepare(s, ST_EVENTS, err)) == NULL) {
		r = DRIFT_EIO;
		goto out;
	}
	sqlite3_bind_int64(st, 1, since_ns);
	sqlite3_bind_int64(st, 2, until_ns);
	r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const struct store_window *w;
		struct store_event ev;

		memset(&ev, 0, sizeof(ev));
		ev.host = (const char *)sqlite3_column_text(st, 0);
		if (ev.host == NULL)
			continue;
		if (host_glob != NULL && fnmatch(host_glob, ev.host, 0) != 0)
			continue;
		ev.from_taken_ns = sqlite3_column_int64(st, 1);
		ev.to_taken_ns = sqlite3_column_int64(st, 2);
		ev.from_id = sqlite3_column_int64(st, 3);
		ev.to_id = sqlite3_column_int64(st, 4);
		ev.clock_skew = sqlite3_column_int(st, 5) != 0;
		ev.changes_json = (const char *)sqlite3_column_text(st, 6);
		ev.findings_json = (const char *)sqlite3_column_text(st, 7);
		ev.text = (const char *)sqlite3_column_text(st, 8);
		ev.nchanges = (size_t)sqlite3_column_int64(st, 9);
		ev.truncated = (size_t)sqlite3_column_int64(st, 10);
		w = store_planned_by(win, nwin, ev.host, ev.to_taken_ns);
		if (w != NULL) {
			ev.planned = true;
			ev.reason = w->reason;
			ev.window_id = w->id;
		}
		if (ev.changes_json == NULL || ev.findings_json == NULL || ev.text == NULL) {
			r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
			break;
		}
		if ((r = fn(ctx, &ev)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = store_sql_fail(s, err, "listing events");
	sqlite3_finalize(st);
	st = NULL;
	if (r == 0) {
		r = store_sql_commit(s, began, err);
		began = false;
	}
out:
	sqlite3_finalize(st);
	store_sql_rollback(s, began);
	store_windows_free(win, nwin);
	return r;
}
