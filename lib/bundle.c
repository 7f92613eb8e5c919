/* SPDX-License-Identifier: MIT */
/* bundle.c - reading and writing the tar (zstd) that carries a baseline. */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "baseline.h"
#include "buf.h"
#include "bundle.h"

/* --- reading --- */

/*
 * A tar header whose checksum adds up (unsigned, or signed as old tars
 * wrote it). "ustar" at offset 257 alone also turns up inside bare
 * baselines, in a long host id or path.
 */
static bool
tar_header_ok(const unsigned char *p)
{
	unsigned long want = 0, usum = 0;
	long ssum = 0;
	size_t i;

	for (i = 148; i < 156 && p[i] == ' '; i++)
		;
	if (i == 156 || p[i] < '0' || p[i] > '7')
		return false;
	for (; i < 156 && p[i] >= '0' && p[i] <= '7'; i++)
		want = want * 8 + (unsigned long)(p[i] - '0');
	for (i = 0; i < 512; i++) {
		unsigned char c = i >= 148 && i < 156 ? ' ' : p[i];

		usum += c;
		ssum += (signed char)c;
	}
	return want == usum || (long)want == ssum;
}

static bool
looks_like_archive(const unsigned char *p, size_t len)
{
	static const unsigned char zstd[] = { 0x28, 0xb5, 0x2f, 0xfd };
	static const unsigned char gz[] = { 0x1f, 0x8b };
	static const unsigned char xz[] = { 0xfd, '7', 'z', 'X', 'Z' };

	if (len >= 4 && memcmp(p, zstd, 4) == 0)
		return true;
	if (len >= 2 && memcmp(p, gz, 2) == 0)
		return true;
	if (len >= 5 && memcmp(p, xz, 5) == 0)
		return true;
	if (len >= 3 && memcmp(p, "BZh", 3) == 0)
		return true;
	return len >= 512 && memcmp(p + 257, "ustar", 5) == 0 && tar_header_ok(p);
}

static int
read_member(struct archive *ar, struct buf *data, size_t max, size_t hint, const char *name,
    struct drift_error *err)
{
	const void *blk;
	size_t len;
	la_int64_t off;
	int ar_r, r;

	buf_init(data, max);
	/* The header's size is only a hint (it is untrusted): never beyond max. */
	if (hint > 0 && buf_grow(data, hint < max ? hint : max) < 0)
		return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
	while ((ar_r = archive_read_data_block(ar, &blk, &len, &off)) == ARCHIVE_OK) {
		/* Sparse holes would be zero-filled; we never write them, so refuse. */
		if (off < 0 || (size_t)off != data->len)
			return drift_error_set(err, DRIFT_EFORMAT, "member '%s' is sparse", name);
		if ((r = buf_add(data, blk, len)) < 0) {
			if (r == DRIFT_ETOOBIG)
				return drift_error_set(err, r, "member '%s' is larger than %zu bytes", name, max);
			return drift_error_set(err, r, "member '%s': %s", name, drift_strerror(r));
		}
	}
	if (ar_r != ARCHIVE_EOF)
		return drift_error_set(err, DRIFT_EFORMAT, "member '%s': %s", name, archive_error_string(ar));
	return 0;
}

static int
read_archive(struct baseline *b, struct archive *ar, const struct baseline_limits *lim,
    struct drift_error *err)
{
	struct archive_entry *ent;
	struct buf data = BUF_INIT(0);
	size_t total = 0, members = 0;
	bool have_pb = false;
	int ar_r, r = 0;

	while ((ar_r = archive_read_next_header(ar, &ent)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(ent);
		bool is_pb, is_content;
		size_t max;

		if (name == NULL)
			name = "";
		if (++members > lim->members_max) {
			r = drift_error_set(err, DRIFT_ETOOBIG, "more than %zu members", lim->members_max);
			goto out;
		}
		is_pb = strcmp(name, BUNDLE_BASELINE_NAME) == 0;
		is_content = strncmp(name, BUNDLE_CONTENT_DIR, strlen(BUNDLE_CONTENT_DIR)) == 0;
		if ((!is_pb && !is_content) || archive_entry_filetype(ent) != AE_IFREG)
			continue;	/* not ours: a newer writer's, or a directory */
		if (is_pb && have_pb) {
			r = drift_error_set(err, DRIFT_EFORMAT, "two baseline.pb members");
			goto out;
		}
		max = is_pb ? lim->pb_max : lim->content_max;
		if (total >= lim->total_max) {
			r = drift_error_set(err, DRIFT_ETOOBIG, "more than %zu bytes in all", lim->total_max);
			goto out;
		}
		if (max > lim->total_max - total)
			max = lim->total_max - total;
		buf_release(&data);
		if ((r = read_member(ar, &data, max,
		    archive_entry_size_is_set(ent) && archive_entry_size(ent) > 0 ?
		    (size_t)archive_entry_size(ent) : 0, name, err)) < 0)
			goto out;
		total += data.len;
		if (is_pb) {
			if ((r = baseline_decode_into(b, data.data ? data.data : "", data.len, err)) < 0)
				goto out;
			have_pb = true;
		} else {
			const char *hex = name + strlen(BUNDLE_CONTENT_DIR);
			uint8_t want[DIGEST_LEN], got[DIGEST_LEN];

			if (digest_from_hex(hex, strlen(hex), want) < 0) {
				r = drift_error_set(err, DRIFT_EFORMAT, "member '%s' is not named by a SHA-256", name);
				goto out;
			}
			if ((r = digest_sha256(data.data ? data.data : "", data.len, got)) < 0)
				goto out;
			if (memcmp(want, got, DIGEST_LEN) != 0) {
				r = drift_error_set(err, DRIFT_EFORMAT, "member '%s' does not match its SHA-256", name);
				goto out;
			}
			if ((r = baseline_add_content(b, got, data.data ? data.data : "", data.len)) < 0)
				goto out;
		}
	}
	if (ar_r != ARCHIVE_EOF) {
		r = drift_error_set(err, DRIFT_EFORMAT, "not a readable bundle: %s",
		    archive_error_string(ar) ? archive_error_string(ar) : "unknown archive error");
		goto out;
	}
	if (!have_pb)
		r = drift_error_set(err, DRIFT_EFORMAT, "bundle has no baseline.pb member");
out:
	buf_release(&data);
	return r;
}

int
baseline_read_memory(const char *name, const void *data, size_t len,
    const struct baseline_limits *lim, struct baseline **out, struct drift_error *err)
{
	struct baseline *b;
	struct archive *ar = NULL;
	int r;

	if (lim == NULL)
		lim = &baseline_default_limits;
	if ((b = baseline_new(name)) == NULL)
		return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
	if (!looks_like_archive(data, len)) {
		if (len > lim->pb_max) {
			r = drift_error_set(err, DRIFT_ETOOBIG, "baseline larger than %zu bytes", lim->pb_max);
			goto out;
		}
		r = baseline_decode_into(b, len ? data : "", len, err);
		goto out;
	}
	if ((ar = archive_read_new()) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto out;
	}
	archive_read_support_filter_all(ar);
	archive_read_support_format_tar(ar);
	if (archive_read_open_memory(ar, data, len) != ARCHIVE_OK) {
		r = drift_error_set(err, DRIFT_EFORMAT, "not a readable bundle: %s", archive_error_string(ar));
		goto out;
	}
	r = read_archive(b, ar, lim, err);
out:
	if (ar != NULL)
		archive_read_free(ar);
	if (r < 0) {
		baseline_free(b);
		return r;
	}
	*out = b;
	return 0;
}

int
baseline_read_file(const char *path, const struct baseline_limits *lim,
    struct baseline **out, struct drift_error *err)
{
	struct buf data = BUF_INIT(0);
	struct stat st;
	size_t max;
	int fd, r;

	if (lim == NULL)
		lim = &baseline_default_limits;
	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
		return drift_error_errno(err, errno, "cannot open");
	if (fstat(fd, &st) < 0) {
		r = drift_error_errno(err, errno, "cannot stat");
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		r = drift_error_set(err, DRIFT_EINVAL, "is a directory, not a baseline");
		goto out;
	}
	/* The compressed file can never be larger than everything inside it. */
	max = lim->total_max > lim->pb_max ? lim->total_max : lim->pb_max;
	buf_init(&data, max);
	if (S_ISREG(st.st_mode) && (r = buf_grow(&data, (size_t)st.st_size)) < 0) {
		r = drift_error_set(err, r, "file of %lld bytes is over the limit", (long long)st.st_size);
		goto out;
	}
	if (S_ISREG(st.st_mode) && fd != STDIN_FILENO)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	if ((r = buf_read_fd(&data, fd)) < 0) {
		if (r == DRIFT_ETOOBIG)
			r = drift_error_set(err, r, "larger than %zu bytes", max);
		else
			r = drift_error_errno(err, errno, "cannot read");
		goto out;
	}
	r = baseline_read_memory(path, data.data ? data.data : "", data.len, lim, out, err);
out:
	if (fd != STDIN_FILENO)
		close(fd);
	buf_release(&data);
	return r;
}

/* --- writing --- */

struct bundle_writer {
	struct archive *ar;
	char *path;		/* final name, NULL for stdout */
	char *tmp;		/* temporary name beside it */
	int fd;
	bool have_pb;
	/* digests already written: open addressing, so 200k contents stay linear */
	uint8_t (*seen)[DIGEST_LEN];
	size_t nseen, seencap;	/* seencap is a power of two, 0 or > 2*nseen */
	/* write buffering for the streamed baseline member */
	char *chunk;
	size_t chunklen;
	size_t emitted;
};

#define EMIT_CHUNK (256 * 1024)

int
bundle_writer_open(struct bundle_writer **out, const char *path, struct drift_error *err)
{
	struct bundle_writer *w;
	int r;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
	w->fd = -1;
	if (strcmp(path, "-") == 0) {
		w->fd = STDOUT_FILENO;
	} else {
		size_t n = strlen(path) + 32;

		if ((w->path = strdup(path)) == NULL || (w->tmp = malloc(n)) == NULL) {
			r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
			goto fail;
		}
		snprintf(w->tmp, n, "%s.tmp.%ld", path, (long)getpid());
		w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (w->fd < 0) {
			r = drift_error_errno(err, errno, "cannot create '%s'", w->tmp);
			goto fail;
		}
	}
	if ((w->ar = archive_write_new()) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto fail;
	}
	if (archive_write_add_filter_zstd(w->ar) != ARCHIVE_OK ||
	    archive_write_set_filter_option(w->ar, "zstd", "compression-level", "3") != ARCHIVE_OK ||
	    archive_write_set_format_pax_restricted(w->ar) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(w->ar, 1) != ARCHIVE_OK ||
	    archive_write_open_fd(w->ar, w->fd) != ARCHIVE_OK) {
		r = drift_error_set(err, DRIFT_EIO, "cannot start the bundle: %s", archive_error_string(w->ar));
		goto fail;
	}
	*out = w;
	return 0;
fail:
	bundle_writer_abort(w);
	return r;
}

static struct archive_entry *
member_header(const char *name, size_t size)
{
	struct archive_entry *e = archive_entry_new();

	if (e == NULL)
		return NULL;
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_mtime(e, time(NULL), 0);
	return e;
}

static int
emit_flush(struct bundle_writer *w)
{
	if (w->chunklen == 0)
		return 0;
	if (archive_write_data(w->ar, w->chunk, w->chunklen) != (la_ssize_t)w->chunklen)
		return DRIFT_EIO;
	w->chunklen = 0;
	return 0;
}

static int
emit(void *wctx, const void *data, size_t len)
{
	struct bundle_writer *w = wctx;
	const char *p = data;
	int r;

	w->emitted += len;
	while (len > 0) {
		size_t n = EMIT_CHUNK - w->chunklen;

		if (n > len)
			n = len;
		memcpy(w->chunk + w->chunklen, p, n);
		w->chunklen += n;
		p += n;
		len -= n;
		if (w->chunklen == EMIT_CHUNK && (r = emit_flush(w)) < 0)
			return r;
	}
	return 0;
}

int
bundle_writer_add_baseline(struct bundle_writer *w, size_t size,
    int (*fill)(void *ctx, bundle_emit_fn fn, void *wctx), void *ctx, struct drift_error *err)
{
	struct archive_entry *e;
	int r;

	if (w->have_pb)
		return drift_error_set(err, DRIFT_EINTERNAL, "baseline written twice");
	if ((e = member_header(BUNDLE_BASELINE_NAME, size)) == NULL)
		return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
	if (archive_write_header(w->ar, e) != ARCHIVE_OK) {
		archive_entry_free(e);
		return drift_error_set(err, DRIFT_EIO, "cannot write the bundle: %s", archive_error_string(w->ar));
	}
	archive_entry_free(e);
	if ((w->chunk = malloc(EMIT_CHUNK)) == NULL)
		return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
	w->chunklen = 0;
	w->emitted = 0;
	r = fill(ctx, emit, w);
	if (r == 0)
		r = emit_flush(w);
	free(w->chunk);
	w->chunk = NULL;
	if (r < 0)
		return drift_error_set(err, r, "cannot write the baseline: %s",
		    archive_error_string(w->ar) ? archive_error_string(w->ar) : drift_strerror(r));
	if (w->emitted != size)
		return drift_error_set(err, DRIFT_EINTERNAL, "baseline was %zu bytes, announced %zu",
		    w->emitted, size);
	w->have_pb = true;
	return 0;
}

/*
 * The set of digests written. An all-zero slot is empty; a real SHA-256 of
 * all zeros would only cost one duplicate member, never a wrong bundle.
 */
static const uint8_t zero_digest[DIGEST_LEN];

static size_t
seen_slot(const struct bundle_writer *w, const uint8_t *sha)
{
	uint64_t h;
	size_t i;

	memcpy(&h, sha, sizeof(h));
	i = (size_t)h & (w->seencap - 1);
	while (memcmp(w->seen[i], zero_digest, DIGEST_LEN) != 0 &&
	    memcmp(w->seen[i], sha, DIGEST_LEN) != 0)
		i = (i + 1) & (w->seencap - 1);
	return i;
}

static int
seen_grow(struct bundle_writer *w)
{
	size_t ncap = w->seencap ? w->seencap * 2 : 256, i, oldcap = w->seencap;
	uint8_t (*old)[DIGEST_LEN] = w->seen;

	if ((w->seen = calloc(ncap, DIGEST_LEN)) == NULL) {
		w->seen = old;
		return DRIFT_ENOMEM;
	}
	w->seencap = ncap;
	for (i = 0; i < oldcap; i++)
		if (memcmp(old[i], zero_digest, DIGEST_LEN) != 0)
			memcpy(w->seen[seen_slot(w, old[i])], old[i], DIGEST_LEN);
	free(old);
	return 0;
}

int
bundle_writer_add_content(struct bundle_writer *w, const uint8_t sha256[DIGEST_LEN],
    const void *data, size_t len, struct drift_error *err)
{
	char name[sizeof(BUNDLE_CONTENT_DIR) + DIGEST_HEX_LEN];
	struct archive_entry *e;
	size_t i;

	if ((w->nseen + 1) * 2 > w->seencap && seen_grow(w) < 0)
		return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
	i = seen_slot(w, sha256);
	if (memcmp(w->seen[i], zero_digest, DIGEST_LEN) != 0)
		return 0;	/* already in the bundle */
	memcpy(w->seen[i], sha256, DIGEST_LEN);
	w->nseen++;
	memcpy(name, BUNDLE_CONTENT_DIR, strlen(BUNDLE_CONTENT_DIR));
	digest_hex(sha256, DIGEST_LEN, name + strlen(BUNDLE_CONTENT_DIR));
	if ((e = member_header(name, len)) == NULL)
		return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
	if (archive_write_header(w->ar, e) != ARCHIVE_OK ||
	    (len > 0 && archive_write_data(w->ar, data, len) != (la_ssize_t)len)) {
		archive_entry_free(e);
		return drift_error_set(err, DRIFT_EIO, "cannot write the bundle: %s", archive_error_string(w->ar));
	}
	archive_entry_free(e);
	return 0;
}

int
bundle_writer_finish(struct bundle_writer *w, struct drift_error *err)
{
	int r = 0;

	if (archive_write_close(w->ar) != ARCHIVE_OK) {
		r = drift_error_set(err, DRIFT_EIO, "cannot finish the bundle: %s", archive_error_string(w->ar));
		goto out;
	}
	if (w->path != NULL) {
		if (fsync(w->fd) < 0) {
			r = drift_error_errno(err, errno, "cannot write '%s'", w->tmp);
			goto out;
		}
		if (close(w->fd) < 0) {
			w->fd = -1;
			r = drift_error_errno(err, errno, "cannot write '%s'", w->tmp);
			goto out;
		}
		w->fd = -1;
		if (rename(w->tmp, w->path) < 0) {
			r = drift_error_errno(err, errno, "cannot rename '%s' to '%s'", w->tmp, w->path);
			goto out;
		}
		free(w->tmp);
		w->tmp = NULL;
	}
out:
	bundle_writer_abort(w);
	return r;
}

void
bundle_writer_abort(struct bundle_writer *w)
{
	if (w == NULL)
		return;
	if (w->ar != NULL)
		archive_write_free(w->ar);
	if (w->path != NULL && w->fd >= 0)
		close(w->fd);
	if (w->tmp != NULL)
		unlink(w->tmp);
	free(w->tmp);
	free(w->path);
	free(w->seen);
	free(w->chunk);
	free(w);
}
