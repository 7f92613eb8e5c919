/* SPDX-License-Identifier: MIT */
/* buf.c - growable byte buffer with a mandatory size limit. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
buf_release(struct buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

int
buf_grow(struct buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (extra > b->max || b->len > b->max - extra)
		return DRIFT_ETOOBIG;
	need = b->len + extra + 1;	/* room for the terminating NUL */
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (ncap > b->max + 1 && need <= b->max + 1)
		ncap = b->max + 1;
	if ((p = realloc(b->data, ncap)) == NULL)
		return DRIFT_ENOMEM;
	b->data = p;
	b->cap = ncap;
	return 0;
}

int
buf_add(struct buf *b, const void *data, size_t len)
{
	int r;

	if ((r = buf_grow(b, len)) < 0)
		return r;
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_addstr(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_addch(struct buf *b, int c)
{
	char ch = (char)c;

	return buf_add(b, &ch, 1);
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, r;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return DRIFT_EINVAL;
	if ((r = buf_grow(b, (size_t)n)) < 0)
		return r;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

int
buf_read_fd(struct buf *b, int fd)
{
	size_t oldlen = b->len;
	ssize_t n;
	int r;

	for (;;) {
		size_t room;

		if ((r = buf_grow(b, b->len < b->max ? 1 : 0)) < 0)
			goto fail;
		if (b->len == b->max) {
			/* Full: one more byte means the input is too big. */
			char probe;

			n = read(fd, &probe, 1);
			if (n == 0)
				return 0;
			r = n < 0 ? DRIFT_EIO : DRIFT_ETOOBIG;
			goto fail;
		}
		room = b->cap - b->len - 1;
		if (room < 4096 && b->cap - 1 < b->max) {
			size_t want = b->max - b->len < 65536 ? b->max - b->len : 65536;

			if ((r = buf_grow(b, want)) < 0)
				goto fail;
			room = b->cap - b->len - 1;
		}
		if (room > b->max - b->len)
			room = b->max - b->len;
		n = read(fd, b->data + b->len, room);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = DRIFT_EIO;
			goto fail;
		}
		if (n == 0)
			return 0;
		b->len += (size_t)n;
		b->data[b->len] = '\0';
	}
fail:
	{
		int saved = errno;

		b->len = oldlen;
		if (b->data != NULL)
			b->data[b->len] = '\0';
		errno = saved;
	}
	return r;
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char *p = b->data;

	if (len != NULL)
		*len = b->len;
	if (p == NULL && (p = calloc(1, 1)) == NULL)
		return NULL;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}
