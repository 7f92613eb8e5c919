/* SPDX-License-Identifier: MIT */
/* arena.c - bump allocator: many small objects, one release. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARENA_BLOCK (1024 * 1024)
#define ARENA_ALIGN 16

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

void
arena_init(struct arena *a)
{
	a->head = NULL;
	a->total = 0;
}

void
arena_release(struct arena *a)
{
	struct arena_block *b, *next;

	if (a == NULL)
		return;
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
	a->total = 0;
}

/* align is a power of two; strings take 1 so 200k paths waste nothing. */
static void *
arena_alloc_aligned(struct arena *a, size_t size, size_t align)
{
	struct arena_block *b = a->head;
	size_t need, pad = 0;
	void *p;

	if (size > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	need = size ? size : 1;
	if (b != NULL)
		pad = (align - (b->used & (align - 1))) & (align - 1);
	if (b == NULL || b->size - b->used < need + pad) {
		size_t bsize = need > ARENA_BLOCK / 4 ? need : ARENA_BLOCK;

		if ((b = malloc(sizeof(*b) + bsize)) == NULL)
			return NULL;
		b->used = 0;
		b->size = bsize;
		if (bsize == need && a->head != NULL) {
			/* A big object: keep filling the current block. */
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	} else {
		b->used += pad;	/* fits in the current block */
	}
	p = b->data + b->used;
	b->used += need;
	a->total += need;
	return p;
}

void *
arena_alloc(struct arena *a, size_t size)
{
	return arena_alloc_aligned(a, size, ARENA_ALIGN);
}

char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = arena_alloc_aligned(a, len + 1, 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void *
arena_memdup(struct arena *a, const void *src, size_t len)
{
	void *p = arena_alloc(a, len ? len : 1);

	if (p != NULL && len > 0)
		memcpy(p, src, len);
	return p;
}

static void *
arena_pb_alloc(void *data, size_t size)
{
	return arena_alloc(data, size);
}

static void
arena_pb_free(void *data, void *p)
{
	(void)data;
	(void)p;
}

void
arena_protobuf_allocator(struct arena *a, ProtobufCAllocator *out)
{
	out->alloc = arena_pb_alloc;
	out->free = arena_pb_free;
	out->allocator_data = a;
}
