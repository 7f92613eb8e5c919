/* SPDX-License-Identifier: MIT */
/* baseline.c - decoding, validating and querying one host snapshot. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "baseline.h"

const struct baseline_limits baseline_default_limits = {
	.pb_max = (size_t)1 << 30,
	.content_max = (size_t)64 << 20,
	.total_max = (size_t)4 << 30,
	.members_max = 4u << 20,
};

struct baseline *
baseline_new(const char *name)
{
	struct baseline *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	arena_init(&b->arena);
	if ((b->name = strdup(name ? name : "-")) == NULL) {
		free(b);
		return NULL;
	}
	return b;
}

void
baseline_free(struct baseline *b)
{
	if (b == NULL)
		return;
	arena_release(&b->arena);
	free(b->contents);
	free(b->name);
	free(b);
}

int
path_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c = n ? memcmp(a, b, n) : 0;

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

int
file_entry_cmp(const Drift__FileEntry *a, const Drift__FileEntry *b)
{
	return path_cmp(a->path.data, a->path.len, b->path.data, b->path.len);
}

int
package_entry_cmp(const Drift__PackageEntry *a, const Drift__PackageEntry *b)
{
	int c;

	if ((c = strcmp(a->name, b->name)) != 0)
		return c;
	if ((c = strcmp(a->arch, b->arch)) != 0)
		return c;
	return strcmp(a->manager, b->manager);
}

const char *
file_type_name(Drift__FileType t)
{
	switch (t) {
	case DRIFT__FILE_TYPE__FILE_TYPE_REGULAR: return "regular";
	case DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY: return "directory";
	case DRIFT__FILE_TYPE__FILE_TYPE_SYMLINK: return "symlink";
	case DRIFT__FILE_TYPE__FILE_TYPE_FIFO: return "fifo";
	case DRIFT__FILE_TYPE__FILE_TYPE_SOCKET: return "socket";
	case DRIFT__FILE_TYPE__FILE_TYPE_CHAR: return "char";
	case DRIFT__FILE_TYPE__FILE_TYPE_BLOCK: return "block";
	default: return "unknown";
	}
}

char
file_type_char(Drift__FileType t)
{
	switch (t) {
	case DRIFT__FILE_TYPE__FILE_TYPE_REGULAR: return '-';
	case DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY: return 'd';
	case DRIFT__FILE_TYPE__FILE_TYPE_SYMLINK: return 'l';
	case DRIFT__FILE_TYPE__FILE_TYPE_FIFO: return 'p';
	case DRIFT__FILE_TYPE__FILE_TYPE_SOCKET: return 's';
	case DRIFT__FILE_TYPE__FILE_TYPE_CHAR: return 'c';
	case DRIFT__FILE_TYPE__FILE_TYPE_BLOCK: return 'b';
	default: return '?';
	}
}

char *
format_time_ns(int64_t ns, char *buf, size_t size)
{
	int64_t sec = ns / 1000000000;
	long frac = (long)(ns % 1000000000);
	struct tm tm;
	time_t t;
	size_t n;

	if (frac < 0) {
		frac += 1000000000;
		sec -= 1;
	}
	t = (time_t)sec;
	if (gmtime_r(&t, &tm) == NULL) {
		snprintf(buf, size, "@%lld", (long long)sec);
		return buf;
	}
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	if (frac != 0)
		snprintf(buf + n, size - n, ".%09ldZ", frac);
	else
		snprintf(buf + n, size - n, "Z");
	return buf;
}

/* --- captured contents: open addressing keyed by the digest --- */

static size_t
content_slot(const uint8_t *sha, size_t cap)
{
	uint64_t h;

	memcpy(&h, sha, sizeof(h));
	return (size_t)(h & (cap - 1));
}

static int
content_grow(struct baseline *b)
{
	size_t ncap = b->ncontents_cap ? b->ncontents_cap * 2 : 64, i;
	struct content *nv = calloc(ncap, sizeof(*nv));

	if (nv == NULL)
		return DRIFT_ENOMEM;
	for (i = 0; i < b->ncontents_cap; i++) {
		size_t s;

		if (b->contents[i].data == NULL)
			continue;
		s = content_slot(b->contents[i].sha256, ncap);
		while (nv[s].data != NULL)
			s = (s + 1) & (ncap - 1);
		nv[s] = b->contents[i];
	}
	free(b->contents);
	b->contents = nv;
	b->ncontents_cap = ncap;
	return 0;
}

const struct content *
baseline_content(const struct baseline *b, const uint8_t sha256[DIGEST_LEN])
{
	size_t s;

	if (b->ncontents_cap == 0)
		return NULL;
	s = content_slot(sha256, b->ncontents_cap);
	while (b->contents[s].data != NULL) {
		if (memcmp(b->contents[s].sha256, sha256, DIGEST_LEN) == 0)
			return &b->contents[s];
		s = (s + 1) & (b->ncontents_cap - 1);
	}
	return NULL;
}

const struct content *
baseline_file_content(const struct baseline *b, const Drift__FileEntry *f)
{
	if (!f->content_captured || f->sha256.len != DIGEST_LEN)
		return NULL;
	return baseline_content(b, f->sha256.data);
}

int
baseline_add_content(struct baseline *b, const uint8_t sha256[DIGEST_LEN],
    const void *data, size_t len)
{
	struct content *c;
	size_t s;
	int r;

	if (baseline_content(b, sha256) != NULL)
		return 0;
	if ((b->ncontents + 1) * 2 > b->ncontents_cap && (r = content_grow(b)) < 0)
		return r;
	s = content_slot(sha256, b->ncontents_cap);
	while (b->contents[s].data != NULL)
		s = (s + 1) & (b->ncontents_cap - 1);
	c = &b->contents[s];
	if ((c->data = arena_memdup(&b->arena, data, len)) == NULL)
		return DRIFT_ENOMEM;
	memcpy(c->sha256, sha256, DIGEST_LEN);
	c->len = len;
	b->ncontents++;
	return 0;
}

/* --- validation: what every reader may rely on afterwards --- */

/*
 * "/" or "/a/b": no empty, "." or ".." component and no trailing slash, so
 * no reader (diff, restore plans) can be led outside the tree by a path.
 */
static bool
path_is_canonical(const uint8_t *p, size_t len)
{
	size_t i = 1, start;

	if (len == 1)
		return true;
	while (i <= len) {
		start = i;
		while (i < len && p[i] != '/')
			i++;
		if (i == start)
			return false;	/* "//" or a trailing "/" */
		if (p[start] == '.' && (i - start == 1 || (i - start == 2 && p[start + 1] == '.')))
			return false;
		i++;
	}
	return true;
}

static int
validate_file(const Drift__FileEntry *f, size_t i, struct drift_error *err)
{
	if (f->path.len == 0 || f->path.data[0] != '/')
		return drift_error_set(err, DRIFT_EFORMAT, "file entry %zu: path is not absolute", i);
	if (memchr(f->path.data, '\0', f->path.len) != NULL)
		return drift_error_set(err, DRIFT_EFORMAT, "file entry %zu: path contains a NUL byte", i);
	if (!path_is_canonical(f->path.data, f->path.len))
		return drift_error_set(err, DRIFT_EFORMAT,
		    "file entry %zu: path has an empty, '.' or '..' component", i);
	if (f->path.len > 65536)
		return drift_error_set(err, DRIFT_EFORMAT, "file entry %zu: path longer than 64 KiB", i);
	if (f->sha256.len != 0 && f->sha256.len != DIGEST_LEN)
		return drift_error_set(err, DRIFT_EFORMAT,
		    "file entry %zu: sha256 is %zu bytes, not 32", i, f->sha256.len);
	if ((int)f->type < 0 || f->type > DRIFT__FILE_TYPE__FILE_TYPE_BLOCK)
		return drift_error_set(err, DRIFT_EFORMAT, "file entry %zu: unknown type %d", i, (int)f->type);
	if (f->mode > 07777)
		return drift_error_set(err, DRIFT_EFORMAT, "file entry %zu: mode %o has bits beyond 07777", i, f->mode);
	if (f->target.len > 0 && memchr(f->target.data, '\0', f->target.len) != NULL)
		return drift_error_set(err, DRIFT_EFORMAT, "file entry %zu: symlink target contains a NUL byte", i);
	if (f->content_captured && f->sha256.len != DIGEST_LEN)
		return drift_error_set(err, DRIFT_EFORMAT, "file entry %zu: content captured without a digest", i);
	return 0;
}

/* The largest field number protobuf allows (2^29 - 1). */
#define PB_FIELD_NUMBER_MAX 536870911u

/*
 * Unknown fields are kept so that an older drift passes newer data through,
 * but only those it can write back: protobuf-c reads a tag spelled in more
 * bytes than needed ("80 00") as field number 0, keeps it, and writes it
 * back as the single byte 00, which no reader (protobuf-c included) takes.
 * Numbers beyond 2^29 - 1 are refused too: protobuf forbids them and other
 * readers of the same bytes would refuse them. Every message is walked
 * through its descriptor, so a message added to the schema later is covered.
 */
static int
check_unknown_fields(const ProtobufCMessage *m, struct drift_error *err)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	unsigned i;
	size_t j;
	int r;

	for (i = 0; i < m->n_unknown_fields; i++) {
		uint32_t tag = m->unknown_fields[i].tag;

		if (tag == 0 || tag > PB_FIELD_NUMBER_MAX)
			return drift_error_set(err, DRIFT_EFORMAT,
			    "message '%s': unknown field number %" PRIu32 " is outside 1..%u",
			    d->name, tag, PB_FIELD_NUMBER_MAX);
	}
	for (i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *member = (const char *)m + f->offset;

		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)(const void *)((const char *)m + f->quantifier_offset);
			ProtobufCMessage *const *v = *(ProtobufCMessage *const *const *)(const void *)member;

			for (j = 0; j < n; j++)
				if ((r = check_unknown_fields(v[j], err)) < 0)
					return r;
		} else {
			const ProtobufCMessage *sub = *(const ProtobufCMessage *const *)(const void *)member;

			if (sub != NULL && (r = check_unknown_fields(sub, err)) < 0)
				return r;
		}
	}
	return 0;
}

static int
validate(const Drift__Baseline *pb, struct drift_error *err)
{
	size_t i;
	int r;

	if (pb->format_version < 1)
		return drift_error_set(err, DRIFT_EFORMAT, "not a drift baseline (no format version)");
	if (pb->format_version > BASELINE_FORMAT_MAX)
		return drift_error_set(err, DRIFT_EVERSION,
		    "baseline format %u is newer than this drift understands (%d); upgrade drift",
		    pb->format_version, BASELINE_FORMAT_MAX);
	for (i = 0; i < pb->n_files; i++) {
		if ((r = validate_file(pb->files[i], i, err)) < 0)
			return r;
		if (i > 0 && file_entry_cmp(pb->files[i - 1], pb->files[i]) >= 0)
			return drift_error_set(err, DRIFT_EFORMAT,
			    "file entry %zu: entries are not sorted by path or repeat a path", i);
	}
	for (i = 0; i < pb->n_packages; i++) {
		const Drift__PackageEntry *p = pb->packages[i];

		if (p->name[0] == '\0')
			return drift_error_set(err, DRIFT_EFORMAT, "package entry %zu: no name", i);
		if (i > 0 && package_entry_cmp(pb->packages[i - 1], p) >= 0)
			return drift_error_set(err, DRIFT_EFORMAT,
			    "package entry %zu ('%s'): packages are not sorted or repeat", i, p->name);
	}
	return check_unknown_fields(&pb->base, err);
}

int
baseline_decode_into(struct baseline *b, const void *data, size_t len, struct drift_error *err)
{
	ProtobufCAllocator alloc;
	Drift__Baseline *pb;
	int r;

	arena_protobuf_allocator(&b->arena, &alloc);
	pb = drift__baseline__unpack(&alloc, len, data);
	if (pb == NULL)
		return drift_error_set(err, DRIFT_EFORMAT, "not a drift baseline (truncated or corrupt protobuf)");
	if ((r = validate(pb, err)) < 0)
		return r;
	b->pb = pb;
	return 0;
}
