/* SPDX-License-Identifier: MIT */
/* arena.h - bump allocator: many small objects, one release. */
#ifndef DRIFT_ARENA_H
#define DRIFT_ARENA_H

#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

/*
 * Decoding a 200k-entry baseline makes about a million small objects;
 * carving them from large blocks and freeing them all at once is what
 * keeps `drift diff` fast. Objects cannot be freed one by one.
 */
struct arena_block;
struct arena {
	struct arena_block *head;
	size_t total;		/* bytes handed out, for limits and stats */
};

void arena_init(struct arena *a);
/* Free every block; the arena may be reused. */
void arena_release(struct arena *a);
/* 16-byte aligned memory, or NULL when out of memory. */
void *arena_alloc(struct arena *a, size_t size);
/* Copies; NULL when out of memory. */
char *arena_strndup(struct arena *a, const char *s, size_t len);
void *arena_memdup(struct arena *a, const void *p, size_t len);
/* A protobuf-c allocator drawing from a (its free is a no-op). */
void arena_protobuf_allocator(struct arena *a, ProtobufCAllocator *out);

#endif
