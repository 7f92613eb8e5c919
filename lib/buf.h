/* SPDX-License-Identifier: MIT */
/* buf.h - growable byte buffer with a mandatory size limit. */
#ifndef DRIFT_BUF_H
#define DRIFT_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A buffer never grows beyond `max` bytes of content: appending past it
 * fails with DRIFT_ETOOBIG and leaves the buffer as it was. Everything read
 * from a file or the network goes through one, so "too large" is a clean
 * error. Once anything was added, data[len] is always '\0'.
 */
struct buf {
	char *data;	/* NULL until the first append */
	size_t len;
	size_t cap;
	size_t max;
};

#define BUF_INIT(limit) { NULL, 0, 0, (limit) }

void buf_init(struct buf *b, size_t max);
/* Free the memory; the buffer may be reused after buf_init. */
void buf_release(struct buf *b);
/* Empty the buffer, keeping its memory. */
void buf_reset(struct buf *b);

/* Append; 0, DRIFT_ETOOBIG or DRIFT_ENOMEM (buffer unchanged on failure). */
int buf_add(struct buf *b, const void *data, size_t len);
int buf_addstr(struct buf *b, const char *s);
int buf_addch(struct buf *b, int c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Make room for `extra` more bytes without changing len. */
int buf_grow(struct buf *b, size_t extra);

/*
 * Read fd to end of file, appending. DRIFT_ETOOBIG if the content would
 * pass max, DRIFT_EIO (errno kept) on a read error; on failure len is
 * restored.
 */
int buf_read_fd(struct buf *b, int fd);

/* Hand the memory to the caller (free() it); the buffer becomes empty. */
char *buf_detach(struct buf *b, size_t *len);

#endif
