/* SPDX-License-Identifier: MIT */
/* spool.c - the directory where bundles wait, oldest first, until the collector takes them. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "spool.h"

#define NAME_DIGITS	20	/* taken_at in ns, zero-padded */
#define NAME_HEX	8
#define NAME_SUFFIX	".drift"
#define NAME_LEN	(NAME_DIGITS + 1 + NAME_HEX + sizeof(NAME_SUFFIX) - 1)
#define TMP_PREFIX	".tmp-"

struct spool {
	char *dir;
	int dfd;		/* the directory, locked */
	uint64_t max;
	spool_log_fn log;
	void *log_ctx;
};

struct entry {
	char *name;
	uint64_t size;
};

struct entries {
	struct entry *v;
	size_t n, cap;
	uint64_t total;
};

static void spool_logf(struct spool *sp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
spool_logf(struct spool *sp, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (sp->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sp->log(sp->log_ctx, msg);
}

bool
spool_name_valid(const char *name)
{
	size_t i;

	if (strlen(name) != NAME_LEN)
		return false;
	for (i = 0; i < NAME_DIGITS; i++)
		if (name[i] < '0' || name[i] > '9')
			return false;
	if (name[i++] != '-')
		return false;
	for (; i < NAME_DIGITS + 1 + NAME_HEX; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	return strcmp(name + i, NAME_SUFFIX) == 0;
}

/* Make sure a rename or unlink in the directory survives a crash. */
static int
sync_dir(int dfd, const char *what, struct drift_error *err)
{
	if (fsync(dfd) < 0 && errno != EINVAL)
		return drift_error_errno(err, errno, "cannot sync directory '%s'", what);
	return 0;
}

static void
entries_release(struct entries *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->v[i].name);
	free(e->v);
	memset(e, 0, sizeof(*e));
}

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

/*
 * The bundles in dfd, oldest first. Only regular files with a bundle
 * name count; a bundle name on anything else (a symlink someone planted,
 * a directory) is skipped and said so, never followed.
 */
static int
read_entries(struct spool *sp, int dfd, const char *what, struct entries *out,
    struct drift_error *err)
{
	struct entries e = { 0 };
	struct dirent *de;
	struct stat st;
	DIR *d = NULL;
	int fd, r;

	if ((fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return drift_error_errno(err, errno, "cannot list '%s'", what);
	if ((d = fdopendir(fd)) == NULL) {
		r = drift_error_errno(err, errno, "cannot list '%s'", what);
		close(fd);
		goto out;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0) {
				r = drift_error_errno(err, errno, "cannot list '%s'", what);
				goto out;
			}
			break;
		}
		if (!spool_name_valid(de->d_name))
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			r = drift_error_errno(err, errno, "cannot stat '%s/%s'", what, de->d_name);
			goto out;
		}
		if (!S_ISREG(st.st_mode)) {
			spool_logf(sp, "ignoring '%s/%s': not a regular file (%s); remove it",
			    what, de->d_name, S_ISLNK(st.st_mode) ? "a symbolic link" : "not a file");
			continue;
		}
		if (e.n == e.cap) {
			size_t cap = e.cap ? e.cap * 2 : 16;
			struct entry *v = realloc(e.v, cap * sizeof(*v));

			if (v == NULL) {
				r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
				goto out;
			}
			e.v = v;
			e.cap = cap;
		}
		if ((e.v[e.n].name = strdup(de->d_name)) == NULL) {
			r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
			goto out;
		}
		e.v[e.n++].size = (uint64_t)st.st_size;
		e.total += (uint64_t)st.st_size;
	}
	if (e.n > 0)
		qsort(e.v, e.n, sizeof(*e.v), cmp_entry);
	*out = e;
	memset(&e, 0, sizeof(e));
	r = 0;
out:
	if (d != NULL)
		closedir(d);
	entries_release(&e);
	return r;
}

/* Temporary files of a run that crashed: nobody else writes here while we hold the lock. */
static void
remove_stale_temps(struct spool *sp)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if ((fd = openat(sp->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0)
			unlinkat(sp->dfd, de->d_name, 0);
	closedir(d);
}

int
spool_open(struct spool **out, const char *dir, uint64_t max, spool_log_fn log,
    void *log_ctx, struct drift_error *err)
{
	struct spool *sp;
	struct stat st;
	int r;

	if (dir == NULL || *dir == '\0')
		return drift_error_set(err, DRIFT_EINVAL, "spool: no directory given");
	if (max == 0)
		return drift_error_set(err, DRIFT_EINVAL, "spool: max must be more than 0 bytes");
	if ((sp = calloc(1, sizeof(*sp))) == NULL)
		return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
	sp->dfd = -1;
	sp->max = max;
	sp->log = log;
	sp->log_ctx = log_ctx;
	if ((sp->dir = strdup(dir)) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto fail;
	}
	/* parents 0755, the spool itself 0700 */
	if ((r = fileio_mkdirs(dir, 0700, err)) < 0)
		goto fail;
	if ((sp->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			r = drift_error_set(err, DRIFT_EINVAL,
			    "spool '%s': not a directory (a symbolic link is not accepted)", dir);
		else
			r = drift_error_errno(err, errno, "cannot open spool '%s'", dir);
		goto fail;
	}
	if (fstat(sp->dfd, &st) < 0) {
		r = drift_error_errno(err, errno, "cannot stat spool '%s'", dir);
		goto fail;
	}
	if ((st.st_uid != geteuid() && st.st_uid != 0) || (st.st_mode & 022) != 0) {
		r = drift_error_set(err, DRIFT_EINVAL,
		    "spool '%s': writable by other users or owned by another user; "
		    "make it owned by the agent's user with mode 0700", dir);
		goto fail;
	}
	if (flock(sp->dfd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK) {
			r = drift_error_errno(err, errno, "cannot lock spool '%s'", dir);
			goto fail;
		}
		spool_logf(sp, "spool '%s' is in use by another drift-agent; waiting for it to finish", dir);
		while (flock(sp->dfd, LOCK_EX) < 0) {
			if (errno != EINTR) {
				r = drift_error_errno(err, errno, "cannot lock spool '%s'", dir);
				goto fail;
			}
		}
	}
	remove_stale_temps(sp);
	*out = sp;
	return 0;
fail:
	spool_free(sp);
	return r;
}

void
spool_free(struct spool *sp)
{
	if (sp == NULL)
		return;
	if (sp->dfd >= 0)
		close(sp->dfd);	/* releases the lock */
	free(sp->dir);
	free(sp);
}

const char *
spool_dir(const struct spool *sp)
{
	return sp->dir;
}

static void
random_hex(char out[NAME_HEX + 1])
{
	uint32_t v;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v)) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		v = (uint32_t)ts.tv_nsec ^ ((uint32_t)getpid() << 16) ^ (uint32_t)ts.tv_sec;
	}
	snprintf(out, NAME_HEX + 1, "%08" PRIx32, v);
}

/* A fresh name for a bundle taken at taken_at_ns that is not in use. */
static int
new_name(struct spool *sp, int64_t taken_at_ns, char name[NAME_LEN + 1], struct drift_error *err)
{
	char hex[NAME_HEX + 1];
	struct stat st;
	int tries;

	if (taken_at_ns < 0)
		taken_at_ns = 0;
	for (tries = 0; tries < 16; tries++) {
		random_hex(hex);
		snprintf(name, NAME_LEN + 1, "%0*" PRId64 "-%s" NAME_SUFFIX, NAME_DIGITS, taken_at_ns, hex);
		if (fstatat(sp->dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
			return 0;
	}
	return drift_error_set(err, DRIFT_EIO, "spool '%s': cannot find a free name", sp->dir);
}

int
spool_add(struct spool *sp, int64_t taken_at_ns, spool_write_fn writer, void *ctx,
    char **name, struct drift_error *err)
{
	char final[NAME_LEN + 1], tmp[sizeof(TMP_PREFIX) + NAME_LEN];
	struct entries e = { 0 };
	struct stat st;
	char *path = NULL, *dup = NULL;
	bool created = false;
	size_t i, n;
	int fd = -1, r;

	if ((r = new_name(sp, taken_at_ns, final, err)) < 0)
		return r;
	snprintf(tmp, sizeof(tmp), TMP_PREFIX "%s", final);
	n = strlen(sp->dir) + 1 + strlen(tmp) + 1;
	if ((path = malloc(n)) == NULL || (name != NULL && (dup = strdup(final)) == NULL)) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto out;
	}
	snprintf(path, n, "%s/%s", sp->dir, tmp);
	created = true;
	if ((r = writer(ctx, path, err)) < 0)
		goto out;
	if ((fd = openat(sp->dfd, tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)) < 0) {
		r = drift_error_errno(err, errno, "cannot open '%s'", path);
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		r = drift_error_errno(err, errno, "cannot stat '%s'", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = drift_error_set(err, DRIFT_EIO, "'%s': not a regular file", path);
		goto out;
	}
	if (fsync(fd) < 0) {
		r = drift_error_errno(err, errno, "cannot sync '%s'", path);
		goto out;
	}
	if ((uint64_t)st.st_size > sp->max) {
		r = drift_error_set(err, DRIFT_ETOOBIG,
		    "the bundle (%" PRIu64 " bytes) is larger than spool.max (%" PRIu64 " bytes) "
		    "on its own; raise spool.max", (uint64_t)st.st_size, sp->max);
		goto out;
	}
	if ((r = read_entries(sp, sp->dfd, sp->dir, &e, err)) < 0)
		goto out;
	/* The new bundle is durable before anything old is given up. */
	if (renameat(sp->dfd, tmp, sp->dfd, final) < 0) {
		r = drift_error_errno(err, errno, "cannot rename '%s' into the spool", path);
		goto out;
	}
	created = false;
	if ((r = sync_dir(sp->dfd, sp->dir, err)) < 0)
		goto out;
	/* The newest state matters most: make room by dropping the oldest. */
	for (i = 0; i < e.n && e.total + (uint64_t)st.st_size > sp->max; i++) {
		if (unlinkat(sp->dfd, e.v[i].name, 0) < 0 && errno != ENOENT) {
			r = drift_error_errno(err, errno, "cannot remove '%s/%s'", sp->dir, e.v[i].name);
			goto out;
		}
		e.total -= e.v[i].size;
		spool_logf(sp, "spool full: dropped the oldest bundle '%s/%s' (%" PRIu64 " bytes) "
		    "to stay within spool.max (%" PRIu64 " bytes); newer bundles are kept",
		    sp->dir, e.v[i].name, e.v[i].size, sp->max);
	}
	if (i > 0 && (r = sync_dir(sp->dfd, sp->dir, err)) < 0)
		goto out;
	if (name != NULL) {
		*name = dup;
		dup = NULL;
	}
	r = 0;
out:
	if (created)
		unlinkat(sp->dfd, tmp, 0);
	if (fd >= 0)
		close(fd);
	entries_release(&e);
	free(path);
	free(dup);
	return r;
}

static int
entries_to_list(struct entries *e, struct strlist *out, struct drift_error *err)
{
	struct strlist l = { 0 };
	size_t i;

	for (i = 0; i < e->n; i++) {
		if (strlist_push(&l, e->v[i].name) < 0) {
			strlist_clear(&l);
			return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		}
	}
	*out = l;
	return 0;
}

int
spool_list(struct spool *sp, struct strlist *out, struct drift_error *err)
{
	struct entries e = { 0 };
	int r;

	if ((r = read_entries(sp, sp->dfd, sp->dir, &e, err)) < 0)
		return r;
	r = entries_to_list(&e, out, err);
	entries_release(&e);
	return r;
}

int
spool_open_bundle(struct spool *sp, const char *name, int *fd, uint64_t *size,
    struct drift_error *err)
{
	struct stat st;
	int f;

	if (!spool_name_valid(name))
		return drift_error_set(err, DRIFT_EINVAL, "'%s': not a spooled bundle name", name);
	if ((f = openat(sp->dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)) < 0) {
		if (errno == ENOENT)
			return drift_error_set(err, DRIFT_ENOTFOUND, "'%s/%s': no longer in the spool",
			    sp->dir, name);
		if (errno == ELOOP)
			return drift_error_set(err, DRIFT_EINVAL,
			    "'%s/%s': a symbolic link; the spool never follows one", sp->dir, name);
		return drift_error_errno(err, errno, "cannot open '%s/%s'", sp->dir, name);
	}
	if (fstat(f, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(f);
		return drift_error_set(err, DRIFT_EINVAL, "'%s/%s': not a regular file", sp->dir, name);
	}
	*fd = f;
	*size = (uint64_t)st.st_size;
	return 0;
}

int
spool_remove(struct spool *sp, const char *name, struct drift_error *err)
{
	if (!spool_name_valid(name))
		return drift_error_set(err, DRIFT_EINVAL, "'%s': not a spooled bundle name", name);
	if (unlinkat(sp->dfd, name, 0) < 0) {
		if (errno == ENOENT)
			return drift_error_set(err, DRIFT_ENOTFOUND, "'%s/%s': no longer in the spool",
			    sp->dir, name);
		return drift_error_errno(err, errno, "cannot remove '%s/%s'", sp->dir, name);
	}
	return sync_dir(sp->dfd, sp->dir, err);
}

/* refused/ below the spool, created 0700, never through a symlink. */
static int
open_refused(struct spool *sp, int *out, struct drift_error *err)
{
	int fd;

	if (mkdirat(sp->dfd, SPOOL_REFUSED_DIR, 0700) < 0 && errno != EEXIST)
		return drift_error_errno(err, errno, "cannot create '%s/" SPOOL_REFUSED_DIR "'", sp->dir);
	fd = openat(sp->dfd, SPOOL_REFUSED_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			return drift_error_set(err, DRIFT_EINVAL, "'%s/" SPOOL_REFUSED_DIR "': not a directory "
			    "(a symbolic link is not accepted)", sp->dir);
		return drift_error_errno(err, errno, "cannot open '%s/" SPOOL_REFUSED_DIR "'", sp->dir);
	}
	*out = fd;
	return 0;
}

int
spool_refuse(struct spool *sp, const char *name, struct drift_error *err)
{
	struct entries e = { 0 };
	char what[4096];
	size_t i;
	int rfd = -1, r;

	if (!spool_name_valid(name))
		return drift_error_set(err, DRIFT_EINVAL, "'%s': not a spooled bundle name", name);
	if ((r = open_refused(sp, &rfd, err)) < 0)
		return r;
	snprintf(what, sizeof(what), "%s/" SPOOL_REFUSED_DIR, sp->dir);
	if (renameat(sp->dfd, name, rfd, name) < 0) {
		if (errno == ENOENT)
			r = drift_error_set(err, DRIFT_ENOTFOUND, "'%s/%s': no longer in the spool",
			    sp->dir, name);
		else
			r = drift_error_errno(err, errno, "cannot move '%s/%s' to '%s'", sp->dir, name, what);
		goto out;
	}
	if ((r = sync_dir(rfd, what, err)) < 0 || (r = sync_dir(sp->dfd, sp->dir, err)) < 0)
		goto out;
	if ((r = read_entries(sp, rfd, what, &e, err)) < 0)
		goto out;
	for (i = 0; i + SPOOL_REFUSED_KEEP < e.n; i++) {
		if (unlinkat(rfd, e.v[i].name, 0) < 0 && errno != ENOENT) {
			r = drift_error_errno(err, errno, "cannot remove '%s/%s'", what, e.v[i].name);
			goto out;
		}
		spool_logf(sp, "removed the refused bundle '%s/%s': only the newest %d refused "
		    "bundles are kept", what, e.v[i].name, SPOOL_REFUSED_KEEP);
	}
	if (i > 0)
		r = sync_dir(rfd, what, err);
out:
	entries_release(&e);
	if (rfd >= 0)
		close(rfd);
	return r;
}

int
spool_list_refused(struct spool *sp, struct strlist *out, struct drift_error *err)
{
	struct entries e = { 0 };
	char what[4096];
	int rfd, r;

	if ((r = open_refused(sp, &rfd, err)) < 0)
		return r;
	snprintf(what, sizeof(what), "%s/" SPOOL_REFUSED_DIR, sp->dir);
	if ((r = read_entries(sp, rfd, what, &e, err)) == 0)
		r = entries_to_list(&e, out, err);
	entries_release(&e);
	close(rfd);
	return r;
}
