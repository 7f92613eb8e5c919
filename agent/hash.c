/* SPDX-License-Identifier: MIT */
/* hash.c - SHA-256 of every regular file on all cores, capturing config contents. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "drift.pb-c.h"
#include "entry.h"

#define HASH_CHUNK (256 * 1024)
#define HASH_BATCH 8

struct hasher {
	const char *root;	/* prefix for opening, "" for "/" */
	struct wlist *l;
	struct wentry **queue;
	size_t nqueue;
	size_t next;		/* atomic */
	size_t done;		/* atomic */
	uint64_t bytes;		/* atomic */
	EVP_MD *md;
	int failed;		/* first fatal error (ENOMEM) */
};

bool
content_is_secret(const char *data, size_t len)
{
	/* PEM private keys of every flavour: "-----BEGIN ... PRIVATE KEY-----". */
	const char *p = data, *end = data + len;

	while (p < end && (p = memmem(p, (size_t)(end - p), "-----BEGIN ", 11)) != NULL) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((eol ? eol : end) - p);

		if (memmem(p, n, "PRIVATE KEY", 11) != NULL)
			return true;
		p += 11;
	}
	return memmem(data, len, "PuTTY-User-Key-File", 19) != NULL;
}

static bool
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static void
set_error(struct hasher *h, struct wentry *e, const char *what, int errnum)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	char msg[256];

	snprintf(msg, sizeof(msg), "%s: %s", what, strerror(errnum));
	pthread_mutex_lock(&lock);	/* the arena is shared */
	e->error = arena_strndup(&h->l->arena, msg, strlen(msg));
	pthread_mutex_unlock(&lock);
	if (e->error == NULL)
		e->error = what;
}

/* Hash one file; per-file trouble is recorded in e, never returned. */
static int
hash_one(struct hasher *h, struct wentry *e, EVP_MD_CTX *ctx, char *chunk, char *pathbuf, size_t pathcap)
{
	struct stat before, after;
	char *content = NULL;
	size_t clen = 0;
	uint64_t total = 0;
	int fd, flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	bool capture;

	if ((size_t)snprintf(pathbuf, pathcap, "%s%s", h->root, e->path) >= pathcap) {
		e->error = "path too long to open";
		return 0;
	}
	fd = open(pathbuf, flags | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = open(pathbuf, flags);
	if (fd < 0) {
		if (errno == ENOENT)
			e->error = "vanished before it could be read";
		else if (errno == ELOOP)
			e->error = "replaced by a symlink before it could be read";
		else
			set_error(h, e, "cannot open", errno);
		return 0;
	}
	if (fstat(fd, &before) < 0) {
		set_error(h, e, "cannot stat", errno);
		goto out;
	}
	if (!S_ISREG(before.st_mode) || before.st_ino != e->ino || before.st_dev != e->dev) {
		e->error = "replaced while walking";
		goto out;
	}
	/* The metadata recorded is the one that goes with the hash. */
	e->size = (uint64_t)before.st_size;
	e->mtime_ns = (int64_t)before.st_mtim.tv_sec * 1000000000 + before.st_mtim.tv_nsec;
	e->ctime_ns = (int64_t)before.st_ctim.tv_sec * 1000000000 + before.st_ctim.tv_nsec;
	e->mode = before.st_mode & 07777;
	capture = e->capture && (uint64_t)before.st_size <= 64u * 1024 * 1024;
	if (capture && before.st_size > 0 && (content = malloc((size_t)before.st_size)) == NULL)
		capture = false;
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (EVP_DigestInit_ex(ctx, h->md, NULL) != 1) {
		e->error = "cannot start SHA-256";
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, chunk, HASH_CHUNK);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			set_error(h, e, "cannot read", errno);
			goto out;
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(ctx, chunk, (size_t)n);
		if (capture) {
			if (clen + (size_t)n > (size_t)before.st_size) {
				capture = false;	/* grew: the stat check below will say so */
			} else {
				memcpy(content + clen, chunk, (size_t)n);
				clen += (size_t)n;
			}
		}
		total += (uint64_t)n;
	}
	__atomic_add_fetch(&h->bytes, total, __ATOMIC_RELAXED);
	if (fstat(fd, &after) < 0 || !same_file(&before, &after) || total != (uint64_t)before.st_size) {
		e->error = "changed while being read; hash not recorded";
		goto out;
	}
	if (EVP_DigestFinal_ex(ctx, e->sha256, NULL) != 1) {
		e->error = "cannot finish SHA-256";
		goto out;
	}
	e->hashed = true;
	/* Only text is kept, and never anything that looks like a private key. */
	if (capture && clen == total && memchr(content ? content : "", '\0', clen) == NULL &&
	    !content_is_secret(content ? content : "", clen)) {
		if (content == NULL && (content = malloc(1)) == NULL)
			goto out;
		e->content = content;
		e->content_len = (uint32_t)clen;
		content = NULL;	/* owned by the entry */
	}
out:
	free(content);
	close(fd);
	return 0;
}

static void *
worker(void *arg)
{
	struct hasher *h = arg;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char *chunk = malloc(HASH_CHUNK);
	size_t pathcap = strlen(h->root) + 65536 + 8;
	char *pathbuf = malloc(pathcap);

	if (ctx == NULL || chunk == NULL || pathbuf == NULL) {
		__atomic_store_n(&h->failed, DRIFT_ENOMEM, __ATOMIC_RELAXED);
		goto out;
	}
	for (;;) {
		size_t i = __atomic_fetch_add(&h->next, HASH_BATCH, __ATOMIC_RELAXED), k;

		if (i >= h->nqueue)
			break;
		for (k = i; k < i + HASH_BATCH && k < h->nqueue; k++) {
			hash_one(h, h->queue[k], ctx, chunk, pathbuf, pathcap);
			__atomic_add_fetch(&h->done, 1, __ATOMIC_RELAXED);
		}
	}
out:
	EVP_MD_CTX_free(ctx);
	free(chunk);
	free(pathbuf);
	return NULL;
}

int
hash_entries(const char *root, struct wlist *l, unsigned jobs,
    void (*poll)(void *ctx, const struct hash_stats *st), void *pctx, struct drift_error *err)
{
	struct hasher h = { .l = l };
	pthread_t *tids = NULL;
	unsigned i, started = 0;
	size_t k;
	int r = 0;

	h.root = strcmp(root, "/") == 0 ? "" : root;
	if ((h.md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		return drift_error_set(err, DRIFT_EINTERNAL, "OpenSSL has no SHA-256");
	if ((h.queue = malloc((l->n ? l->n : 1) * sizeof(*h.queue))) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto out;
	}
	for (k = 0; k < l->n; k++) {
		struct wentry *e = wlist_at(l, k);

		if (e->type == DRIFT__FILE_TYPE__FILE_TYPE_REGULAR && e->error == NULL)
			h.queue[h.nqueue++] = e;
	}
	if (jobs == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		jobs = n > 0 ? (unsigned)n : 1;
	}
	if (jobs > 256)
		jobs = 256;
	if ((tids = calloc(jobs, sizeof(*tids))) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < jobs; i++) {
		if (pthread_create(&tids[i], NULL, worker, &h) != 0)
			break;
		started++;
	}
	if (started == 0)
		worker(&h);	/* no threads to be had: do it here */
	while (poll != NULL && started > 0 &&
	    __atomic_load_n(&h.done, __ATOMIC_RELAXED) < h.nqueue) {
		struct hash_stats st = {
			.bytes = __atomic_load_n(&h.bytes, __ATOMIC_RELAXED),
			.done = __atomic_load_n(&h.done, __ATOMIC_RELAXED),
			.total = h.nqueue,
		};
		struct timespec ts = { 0, 200 * 1000 * 1000 };

		poll(pctx, &st);
		nanosleep(&ts, NULL);
	}
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	if (poll != NULL) {
		struct hash_stats st = { .bytes = h.bytes, .done = h.done, .total = h.nqueue };

		poll(pctx, &st);
	}
	if (h.failed < 0)
		r = drift_error_set(err, h.failed, "hashing: %s", drift_strerror(h.failed));
out:
	free(tids);
	free(h.queue);
	EVP_MD_free(h.md);
	return r;
}
