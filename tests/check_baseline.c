/* SPDX-License-Identifier: MIT */
/* check_baseline.c - reading, validating and bundling baselines, round trips through tar. */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baseline.h"
#include "bundle.h"
#include "digest.h"
#include "drift.pb-c.h"
#include "error.h"

/* --- a small valid baseline, in fixed storage, that tests mutate --- */

#define NFILES 4
#define NPKGS 3

struct fixture {
	Drift__Baseline pb;
	Drift__HostFacts host;
	Drift__FileEntry f[NFILES];
	Drift__FileEntry *fp[NFILES];
	Drift__PackageEntry p[NPKGS];
	Drift__PackageEntry *pp[NPKGS];
	Drift__Xattr x;
	Drift__Xattr *xp[1];
	uint8_t sha[2][DIGEST_LEN];
};

static const char content0[] = "127.0.0.1 localhost\n";
static const char content1[] = "welcome\n";

static void
set_bytes(ProtobufCBinaryData *b, const void *data, size_t len)
{
	b->data = (uint8_t *)data;
	b->len = len;
}

static void
set_path(Drift__FileEntry *f, const char *path)
{
	set_bytes(&f->path, path, strlen(path));
}

static void
fixture_init(struct fixture *x)
{
	static const char *const paths[NFILES] = { "/etc", "/etc/hosts", "/etc/motd", "/etc/resolv.conf" };
	static const char *const pkgs[NPKGS][3] = {
		{ "bash", "amd64", "dpkg" }, { "openssl", "amd64", "dpkg" }, { "openssl", "i386", "dpkg" },
	};
	int i;

	memset(x, 0, sizeof(*x));
	drift__baseline__init(&x->pb);
	drift__host_facts__init(&x->host);
	x->host.hostname = "web-01";
	x->host.os_id = "debian";
	x->pb.format_version = BASELINE_FORMAT_VERSION;
	x->pb.host_id = "web-01";
	x->pb.host = &x->host;
	x->pb.taken_at_ns = INT64_C(1795507200400614504);
	for (i = 0; i < NFILES; i++) {
		drift__file_entry__init(&x->f[i]);
		set_path(&x->f[i], paths[i]);
		x->f[i].type = DRIFT__FILE_TYPE__FILE_TYPE_REGULAR;
		x->f[i].mode = 0644;
		x->f[i].owner = "root";
		x->f[i].group = "root";
		x->fp[i] = &x->f[i];
	}
	x->f[0].type = DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY;
	x->f[0].mode = 0755;
	ck_assert_int_eq(digest_sha256(content0, strlen(content0), x->sha[0]), 0);
	ck_assert_int_eq(digest_sha256(content1, strlen(content1), x->sha[1]), 0);
	set_bytes(&x->f[1].sha256, x->sha[0], DIGEST_LEN);
	x->f[1].size = strlen(content0);
	x->f[1].content_captured = true;
	set_bytes(&x->f[2].sha256, x->sha[1], DIGEST_LEN);
	x->f[2].size = strlen(content1);
	x->f[3].type = DRIFT__FILE_TYPE__FILE_TYPE_SYMLINK;
	x->f[3].mode = 0777;
	set_bytes(&x->f[3].target, "../run/resolv.conf", 18);
	drift__xattr__init(&x->x);
	x->x.name = "user.note";
	set_bytes(&x->x.value, "\0\1\2", 3);
	x->xp[0] = &x->x;
	x->f[2].xattrs = x->xp;
	x->f[2].n_xattrs = 1;
	x->pb.files = x->fp;
	x->pb.n_files = NFILES;
	for (i = 0; i < NPKGS; i++) {
		drift__package_entry__init(&x->p[i]);
		x->p[i].name = (char *)pkgs[i][0];
		x->p[i].arch = (char *)pkgs[i][1];
		x->p[i].manager = (char *)pkgs[i][2];
		x->p[i].version = "1.0-1";
		x->p[i].status = "installed";
		x->pp[i] = &x->p[i];
	}
	x->pb.packages = x->pp;
	x->pb.n_packages = NPKGS;
}

/* The encoded baseline (free it). */
static uint8_t *
pack(const Drift__Baseline *pb, size_t *len)
{
	size_t n = drift__baseline__get_packed_size(pb);
	uint8_t *p = malloc(n ? n : 1);

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(drift__baseline__pack(pb, p), n);
	*len = n;
	return p;
}

/* The fixture as read back must hold what was written. */
static void
assert_fixture(const struct baseline *b)
{
	const Drift__Baseline *pb = b->pb;

	ck_assert_ptr_nonnull(pb);
	ck_assert_uint_eq(pb->format_version, 1);
	ck_assert_str_eq(pb->host_id, "web-01");
	ck_assert_ptr_nonnull(pb->host);
	ck_assert_str_eq(pb->host->os_id, "debian");
	ck_assert_int_eq(pb->taken_at_ns, INT64_C(1795507200400614504));
	ck_assert_uint_eq(pb->n_files, NFILES);
	ck_assert_uint_eq(pb->files[1]->path.len, 10);
	ck_assert_mem_eq(pb->files[1]->path.data, "/etc/hosts", 10);
	ck_assert_int_eq(pb->files[0]->type, DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY);
	ck_assert_uint_eq(pb->files[0]->mode, 0755);
	ck_assert_uint_eq(pb->files[1]->sha256.len, DIGEST_LEN);
	ck_assert(pb->files[1]->content_captured);
	ck_assert_uint_eq(pb->files[2]->n_xattrs, 1);
	ck_assert_str_eq(pb->files[2]->xattrs[0]->name, "user.note");
	ck_assert_uint_eq(pb->files[2]->xattrs[0]->value.len, 3);
	ck_assert_mem_eq(pb->files[3]->target.data, "../run/resolv.conf", 18);
	ck_assert_uint_eq(pb->n_packages, NPKGS);
	ck_assert_str_eq(pb->packages[2]->name, "openssl");
	ck_assert_str_eq(pb->packages[2]->arch, "i386");
}

START_TEST(test_bare_round_trip)
{
	struct fixture x;
	struct drift_error err = { 0 };
	struct baseline *b = NULL;
	uint8_t *data;
	size_t len;

	fixture_init(&x);
	data = pack(&x.pb, &len);
	ck_assert_int_eq(baseline_read_memory("mem", data, len, NULL, &b, &err), 0);
	assert_fixture(b);
	ck_assert_str_eq(b->name, "mem");
	/* a bare baseline carries no contents */
	ck_assert_ptr_null(baseline_file_content(b, b->pb->files[1]));
	baseline_free(b);
	baseline_free(NULL);
	free(data);
}
END_TEST

/* --- every validation error --- */

static char nul_path[] = "/etc/ho\0sts";
static char nul_target[] = "../x\0y";
static uint8_t short_sha[31];
static char long_path[65536 + 3];

static void m_version0(struct fixture *x) { x->pb.format_version = 0; }
static void m_version_new(struct fixture *x) { x->pb.format_version = BASELINE_FORMAT_MAX + 1; }
static void m_relative(struct fixture *x) { set_path(&x->f[3], "etc/zzz"); }
static void m_empty_path(struct fixture *x) { set_bytes(&x->f[0].path, "", 0); }
static void m_nul_path(struct fixture *x) { set_bytes(&x->f[1].path, nul_path, sizeof(nul_path) - 1); }
static void m_sha31(struct fixture *x) { set_bytes(&x->f[2].sha256, short_sha, sizeof(short_sha)); }
static void m_type_unknown(struct fixture *x) { x->f[2].type = (Drift__FileType)8; }
static void m_type_negative(struct fixture *x) { x->f[2].type = (Drift__FileType)-1; }
static void m_mode(struct fixture *x) { x->f[2].mode = 010644; }
static void m_nul_target(struct fixture *x) { set_bytes(&x->f[3].target, nul_target, sizeof(nul_target) - 1); }
static void m_captured_nodigest(struct fixture *x) { set_bytes(&x->f[1].sha256, NULL, 0); }

static void
m_long_path(struct fixture *x)
{
	memset(long_path, 'a', sizeof(long_path));
	long_path[0] = '/';
	long_path[1] = 'z';
	set_bytes(&x->f[3].path, long_path, 65537);
}

static void
m_unsorted(struct fixture *x)
{
	x->fp[1] = &x->f[2];
	x->fp[2] = &x->f[1];
}

static void m_duplicate(struct fixture *x) { set_path(&x->f[2], "/etc/hosts"); }
/* "/etc-old" sorts before "/etc/hosts" by bytes ('-' < '/'), not after it */
static void m_bytes_order(struct fixture *x) { set_path(&x->f[2], "/etc-old"); }

static void
m_pkg_unsorted(struct fixture *x)
{
	x->pp[0] = &x->p[1];
	x->pp[1] = &x->p[0];
}

static void m_pkg_arch_unsorted(struct fixture *x) { x->p[1].arch = "x86_64"; }
static void m_pkg_duplicate(struct fixture *x) { x->p[2].arch = "amd64"; }
static void m_pkg_noname(struct fixture *x) { x->p[0].name = ""; }

struct invalid_case {
	const char *what;
	void (*mutate)(struct fixture *);
	int code;
	const char *msg;	/* substring of the message */
};

static const struct invalid_case invalid_cases[] = {
	{ "format_version 0", m_version0, DRIFT_EFORMAT, "no format version" },
	{ "newer format", m_version_new, DRIFT_EVERSION, "newer than this drift understands" },
	{ "relative path", m_relative, DRIFT_EFORMAT, "file entry 3: path is not absolute" },
	{ "empty path", m_empty_path, DRIFT_EFORMAT, "file entry 0: path is not absolute" },
	{ "NUL in path", m_nul_path, DRIFT_EFORMAT, "file entry 1: path contains a NUL byte" },
	{ "31-byte sha256", m_sha31, DRIFT_EFORMAT, "sha256 is 31 bytes, not 32" },
	{ "unknown type", m_type_unknown, DRIFT_EFORMAT, "unknown type 8" },
	{ "negative type", m_type_negative, DRIFT_EFORMAT, "unknown type -1" },
	{ "mode > 07777", m_mode, DRIFT_EFORMAT, "mode 10644 has bits beyond 07777" },
	{ "NUL in target", m_nul_target, DRIFT_EFORMAT, "symlink target contains a NUL byte" },
	{ "content without digest", m_captured_nodigest, DRIFT_EFORMAT, "content captured without a digest" },
	{ "path over 64 KiB", m_long_path, DRIFT_EFORMAT, "path longer than 64 KiB" },
	{ "unsorted files", m_unsorted, DRIFT_EFORMAT, "file entry 2: entries are not sorted" },
	{ "duplicate path", m_duplicate, DRIFT_EFORMAT, "file entry 2: entries are not sorted by path or repeat" },
	{ "byte order", m_bytes_order, DRIFT_EFORMAT, "file entry 2: entries are not sorted" },
	{ "unsorted packages", m_pkg_unsorted, DRIFT_EFORMAT, "package entry 1 ('bash'): packages are not sorted" },
	{ "unsorted package arch", m_pkg_arch_unsorted, DRIFT_EFORMAT, "package entry 2 ('openssl')" },
	{ "duplicate package", m_pkg_duplicate, DRIFT_EFORMAT, "packages are not sorted or repeat" },
	{ "package without name", m_pkg_noname, DRIFT_EFORMAT, "package entry 0: no name" },
};

START_TEST(test_invalid)
{
	const struct invalid_case *c = &invalid_cases[_i];
	struct baseline *sentinel = (struct baseline *)&sentinel, *b = sentinel;
	struct drift_error err = { 0 };
	struct fixture x;
	uint8_t *data;
	size_t len;
	int r;

	fixture_init(&x);
	c->mutate(&x);
	data = pack(&x.pb, &len);
	r = baseline_read_memory("mem", data, len, NULL, &b, &err);
	ck_assert_msg(r == c->code, "%s: got %d (%s), want %d", c->what, r, err.msg, c->code);
	ck_assert_msg(strstr(drift_error_message(&err), c->msg) != NULL,
	    "%s: message '%s' lacks '%s'", c->what, err.msg, c->msg);
	ck_assert_ptr_eq(b, sentinel);	/* output untouched on failure */
	free(data);
}
END_TEST

START_TEST(test_path_64k_accepted)
{
	struct drift_error err = { 0 };
	struct baseline *b = NULL;
	struct fixture x;
	uint8_t *data;
	size_t len;

	fixture_init(&x);
	m_long_path(&x);
	x.f[3].path.len = 65536;
	data = pack(&x.pb, &len);
	ck_assert_int_eq(baseline_read_memory("mem", data, len, NULL, &b, &err), 0);
	ck_assert_uint_eq(b->pb->files[3]->path.len, 65536);
	baseline_free(b);
	free(data);
}
END_TEST

START_TEST(test_garbage_refused)
{
	static const char *const inputs[] = { "", "not a baseline", "\x08", "\x0a\xff\xff\xff\xff\x0f" };
	struct drift_error err = { 0 };
	struct baseline *b = NULL;
	size_t i;

	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		int r = baseline_read_memory("mem", inputs[i], strlen(inputs[i]), NULL, &b, &err);

		ck_assert_msg(r == DRIFT_EFORMAT, "input %zu: %d", i, r);
		ck_assert_ptr_null(b);
	}
}
END_TEST

/*
 * A bare baseline whose bytes 257..261 happen to spell "ustar" (here in a
 * long host id; on a real host, in a path) was taken for a tar archive and
 * refused. The tar header checksum now decides.
 */
START_TEST(test_bare_baseline_with_ustar_at_257)
{
	struct drift_error err = { 0 };
	struct baseline *b = NULL;
	struct fixture x;
	char host_id[301];
	uint8_t *data;
	size_t len;

	fixture_init(&x);
	memset(host_id, 'h', sizeof(host_id) - 1);
	host_id[sizeof(host_id) - 1] = '\0';
	/* 0x08 0x01 (format_version), 0x12 0xac 0x02 (host_id, 300 bytes), then the id */
	memcpy(host_id + 257 - 5, "ustar", 5);
	x.pb.host_id = host_id;
	data = pack(&x.pb, &len);
	ck_assert_mem_eq(data + 257, "ustar", 5);
	ck_assert_msg(baseline_read_memory("mem", data, len, NULL, &b, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(b->pb->host_id, host_id);
	baseline_free(b);
	free(data);
}
END_TEST

/*
 * --- unknown fields: kept so that an older drift passes newer data through,
 * but only those that can be written back ---
 *
 * protobuf-c reads a tag spelled in more bytes than needed ("80 80 80 80 00")
 * as field number 0 and keeps it, then writes it back as the single byte 00,
 * which no reader takes: an accepted baseline did not survive re-encoding
 * (found by fuzz_baseline). protobuf-c cannot write such a tag, so the case
 * packs field 2^29 (tag bytes 80 80 80 80 10) and respells it as field 0.
 */

#define PB_FIELD_MAX 536870911u

enum site { IN_BASELINE, IN_HOST, IN_SETTINGS, IN_FILE, IN_XATTR, IN_PACKAGE };

struct unknown_case {
	const char *what;
	enum site site;
	uint32_t field;
	bool as_zero;		/* respell field 2^29 as field 0 after packing */
	int code;
	const char *msg;	/* substring of the message */
};

static const struct unknown_case unknown_cases[] = {
	{ "field 0 in Baseline", IN_BASELINE, PB_FIELD_MAX + 1, true, DRIFT_EFORMAT,
	  "message 'drift.Baseline': unknown field number 0 is outside 1..536870911" },
	{ "field 0 in HostFacts", IN_HOST, PB_FIELD_MAX + 1, true, DRIFT_EFORMAT,
	  "message 'drift.HostFacts': unknown field number 0" },
	{ "field 0 in Settings", IN_SETTINGS, PB_FIELD_MAX + 1, true, DRIFT_EFORMAT,
	  "message 'drift.Settings': unknown field number 0" },
	{ "field 0 in FileEntry", IN_FILE, PB_FIELD_MAX + 1, true, DRIFT_EFORMAT,
	  "message 'drift.FileEntry': unknown field number 0" },
	{ "field 0 in Xattr", IN_XATTR, PB_FIELD_MAX + 1, true, DRIFT_EFORMAT,
	  "message 'drift.Xattr': unknown field number 0" },
	{ "field 0 in PackageEntry", IN_PACKAGE, PB_FIELD_MAX + 1, true, DRIFT_EFORMAT,
	  "message 'drift.PackageEntry': unknown field number 0" },
	{ "field 2^29 in FileEntry", IN_FILE, PB_FIELD_MAX + 1, false, DRIFT_EFORMAT,
	  "message 'drift.FileEntry': unknown field number 536870912 is outside" },
	{ "field 100 in Baseline", IN_BASELINE, 100, false, 0, NULL },
	{ "field 100 in Settings", IN_SETTINGS, 100, false, 0, NULL },
	{ "field 2^29-1 in Xattr", IN_XATTR, PB_FIELD_MAX, false, 0, NULL },
	{ "field 20 in PackageEntry", IN_PACKAGE, 20, false, 0, NULL },
};

static ProtobufCMessage *
unknown_site(Drift__Baseline *pb, enum site site)
{
	switch (site) {
	case IN_BASELINE: return &pb->base;
	case IN_HOST: return &pb->host->base;
	case IN_SETTINGS: return &pb->settings->base;
	case IN_FILE: return &pb->files[1]->base;
	case IN_XATTR: return &pb->files[2]->xattrs[0]->base;
	case IN_PACKAGE: return &pb->packages[2]->base;
	}
	return NULL;
}

START_TEST(test_unknown_field)
{
	static const uint8_t tag_2_29[] = { 0x80, 0x80, 0x80, 0x80, 0x10, 0x2a };
	const struct unknown_case *c = &unknown_cases[_i];
	struct baseline *sentinel = (struct baseline *)&sentinel, *b = sentinel, *again = NULL;
	ProtobufCMessageUnknownField uf = { 0 };
	struct drift_error err = { 0 };
	const ProtobufCMessage *m;
	Drift__Settings settings;
	struct fixture x;
	uint8_t value = 0x2a, *data, *data2, *at;
	size_t len, len2;
	int r;

	fixture_init(&x);
	drift__settings__init(&settings);
	settings.capture_max = 4096;
	x.pb.settings = &settings;
	uf.tag = c->field;
	uf.wire_type = PROTOBUF_C_WIRE_TYPE_VARINT;
	uf.len = 1;
	uf.data = &value;
	unknown_site(&x.pb, c->site)->n_unknown_fields = 1;
	unknown_site(&x.pb, c->site)->unknown_fields = &uf;
	data = pack(&x.pb, &len);
	if (c->field == PB_FIELD_MAX + 1) {
		at = memmem(data, len, tag_2_29, sizeof(tag_2_29));
		ck_assert_ptr_nonnull(at);
		if (c->as_zero)
			at[4] = 0x00;	/* 80 80 80 80 00: field 0, varint */
	}
	r = baseline_read_memory("mem", data, len, NULL, &b, &err);
	ck_assert_msg(r == c->code, "%s: got %d (%s), want %d", c->what, r, err.msg, c->code);
	if (c->code < 0) {
		ck_assert_msg(strstr(drift_error_message(&err), c->msg) != NULL,
		    "%s: message '%s' lacks '%s'", c->what, err.msg, c->msg);
		ck_assert_ptr_eq(b, sentinel);
		free(data);
		return;
	}
	/* Kept where it was, and written back byte for byte. */
	m = unknown_site(b->pb, c->site);
	ck_assert_uint_eq(m->n_unknown_fields, 1);
	ck_assert_uint_eq(m->unknown_fields[0].tag, c->field);
	data2 = pack(b->pb, &len2);
	ck_assert_uint_eq(len2, len);
	ck_assert_mem_eq(data2, data, len);
	ck_assert_msg(baseline_read_memory("again", data2, len2, NULL, &again, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(unknown_site(again->pb, c->site)->unknown_fields[0].tag, c->field);
	baseline_free(again);
	baseline_free(b);
	free(data2);
	free(data);
}
END_TEST

/* --- tar archives made with libarchive, in memory --- */

struct member {
	const char *name;
	const void *data;
	size_t len;
};

/* A tar (filter: NULL for none, else a libarchive filter name) of the members (free it). */
static char *
make_tar(const struct member *m, size_t n, const char *filter, size_t *outlen)
{
	struct archive *ar = archive_write_new();
	char *out = NULL;
	size_t i, len = 0;
	FILE *f = open_memstream(&out, &len);

	ck_assert_ptr_nonnull(ar);
	ck_assert_ptr_nonnull(f);
	if (filter != NULL)
		ck_assert_int_eq(archive_write_add_filter_by_name(ar, filter), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_set_format_pax_restricted(ar), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_set_bytes_in_last_block(ar, 1), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_open_FILE(ar, f), ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();

		archive_entry_set_pathname(e, m[i].name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)m[i].len);
		ck_assert_int_eq(archive_write_header(ar, e), ARCHIVE_OK);
		if (m[i].len > 0)
			ck_assert_int_eq(archive_write_data(ar, m[i].data, m[i].len), (la_ssize_t)m[i].len);
		archive_entry_free(e);
	}
	ck_assert_int_eq(archive_write_close(ar), ARCHIVE_OK);
	archive_write_free(ar);
	ck_assert_int_eq(fclose(f), 0);
	*outlen = len;
	return out;
}

static void
content_name(const uint8_t sha[DIGEST_LEN], char name[sizeof(BUNDLE_CONTENT_DIR) + DIGEST_HEX_LEN])
{
	memcpy(name, BUNDLE_CONTENT_DIR, strlen(BUNDLE_CONTENT_DIR));
	digest_hex(sha, DIGEST_LEN, name + strlen(BUNDLE_CONTENT_DIR));
}

/* Reads a tar of the fixture plus both contents with the given limits. */
static int
read_fixture_tar(const char *filter, const struct baseline_limits *lim, size_t *pblen,
    struct drift_error *err)
{
	char n0[sizeof(BUNDLE_CONTENT_DIR) + DIGEST_HEX_LEN], n1[sizeof(n0)];
	struct member m[3];
	struct baseline *b = NULL;
	struct fixture x;
	uint8_t *pb;
	char *tar;
	size_t len;
	int r;

	fixture_init(&x);
	pb = pack(&x.pb, pblen);
	content_name(x.sha[0], n0);
	content_name(x.sha[1], n1);
	m[0] = (struct member){ BUNDLE_BASELINE_NAME, pb, *pblen };
	m[1] = (struct member){ n0, content0, strlen(content0) };
	m[2] = (struct member){ n1, content1, strlen(content1) };
	tar = make_tar(m, 3, filter, &len);
	r = baseline_read_memory("mem", tar, len, lim, &b, err);
	if (r == 0) {
		const struct content *c;

		assert_fixture(b);
		ck_assert_uint_eq(b->ncontents, 2);
		ck_assert_ptr_nonnull(c = baseline_file_content(b, b->pb->files[1]));
		ck_assert_uint_eq(c->len, strlen(content0));
		ck_assert_mem_eq(c->data, content0, c->len);
		/* /etc/motd's content is in the bundle, but the entry says not captured */
		ck_assert_ptr_null(baseline_file_content(b, b->pb->files[2]));
		ck_assert_ptr_nonnull(c = baseline_content(b, x.sha[1]));
		ck_assert_mem_eq(c->data, content1, c->len);
		baseline_free(b);
	} else {
		ck_assert_ptr_null(b);
	}
	free(pb);
	free(tar);
	return r;
}

static const char *const filters[] = { NULL, "zstd", "gzip", "xz", "bzip2" };

START_TEST(test_tar_round_trip)
{
	struct drift_error err = { 0 };
	size_t pblen;

	ck_assert_msg(read_fixture_tar(filters[_i], NULL, &pblen, &err) == 0, "%s: %s",
	    filters[_i] ? filters[_i] : "plain tar", err.msg);
}
END_TEST

/* Each limit: met exactly is fine, one byte (or member) more is DRIFT_ETOOBIG. */
START_TEST(test_limits)
{
	struct baseline_limits lim = baseline_default_limits;
	size_t pblen, c0 = strlen(content0), c1 = strlen(content1);
	struct drift_error err = { 0 };
	struct baseline *b = NULL;
	struct fixture x;
	uint8_t *pb;

	/* learn the encoded size */
	ck_assert_int_eq(read_fixture_tar("zstd", &lim, &pblen, &err), 0);

	lim.pb_max = pblen;
	ck_assert_int_eq(read_fixture_tar("zstd", &lim, &pblen, &err), 0);
	lim.pb_max = pblen - 1;
	ck_assert_int_eq(read_fixture_tar("zstd", &lim, &pblen, &err), DRIFT_ETOOBIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "baseline.pb"));
	lim = baseline_default_limits;

	lim.content_max = c0 > c1 ? c0 : c1;
	ck_assert_int_eq(read_fixture_tar("zstd", &lim, &pblen, &err), 0);
	lim.content_max--;
	ck_assert_int_eq(read_fixture_tar("zstd", &lim, &pblen, &err), DRIFT_ETOOBIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "content/"));
	lim = baseline_default_limits;

	lim.total_max = pblen + c0 + c1;
	ck_assert_int_eq(read_fixture_tar("zstd", &lim, &pblen, &err), 0);
	lim.total_max--;
	ck_assert_int_eq(read_fixture_tar("zstd", &lim, &pblen, &err), DRIFT_ETOOBIG);
	lim.total_max = pblen;	/* room for the baseline, none for contents */
	ck_assert_int_eq(read_fixture_tar("zstd", &lim, &pblen, &err), DRIFT_ETOOBIG);
	lim = baseline_default_limits;

	lim.members_max = 3;
	ck_assert_int_eq(read_fixture_tar("zstd", &lim, &pblen, &err), 0);
	lim.members_max = 2;
	ck_assert_int_eq(read_fixture_tar("zstd", &lim, &pblen, &err), DRIFT_ETOOBIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "more than 2 members"));
	lim = baseline_default_limits;

	/* a bare baseline against pb_max */
	fixture_init(&x);
	pb = pack(&x.pb, &pblen);
	lim.pb_max = pblen;
	ck_assert_int_eq(baseline_read_memory("mem", pb, pblen, &lim, &b, &err), 0);
	baseline_free(b);
	b = NULL;
	lim.pb_max = pblen - 1;
	ck_assert_int_eq(baseline_read_memory("mem", pb, pblen, &lim, &b, &err), DRIFT_ETOOBIG);
	ck_assert_ptr_null(b);
	free(pb);
}
END_TEST

/* Bundles that are tar archives but not good ones. */
START_TEST(test_tar_refused)
{
	char n0[sizeof(BUNDLE_CONTENT_DIR) + DIGEST_HEX_LEN];
	struct drift_error err = { 0 };
	struct baseline *b = NULL;
	struct fixture x;
	struct member m[2];
	uint8_t *pb;
	char *tar;
	size_t pblen, len;

	fixture_init(&x);
	pb = pack(&x.pb, &pblen);

	m[0] = (struct member){ BUNDLE_BASELINE_NAME, pb, pblen };
	m[1] = (struct member){ BUNDLE_BASELINE_NAME, pb, pblen };
	tar = make_tar(m, 2, "zstd", &len);
	ck_assert_int_eq(baseline_read_memory("mem", tar, len, NULL, &b, &err), DRIFT_EFORMAT);
	ck_assert_str_eq(err.msg, "two baseline.pb members");
	free(tar);

	content_name(x.sha[0], n0);
	m[0] = (struct member){ n0, content0, strlen(content0) };
	tar = make_tar(m, 1, "zstd", &len);
	ck_assert_int_eq(baseline_read_memory("mem", tar, len, NULL, &b, &err), DRIFT_EFORMAT);
	ck_assert_str_eq(err.msg, "bundle has no baseline.pb member");
	free(tar);

	m[0] = (struct member){ BUNDLE_BASELINE_NAME, pb, pblen };
	m[1] = (struct member){ "content/not-a-digest", "x", 1 };
	tar = make_tar(m, 2, "zstd", &len);
	ck_assert_int_eq(baseline_read_memory("mem", tar, len, NULL, &b, &err), DRIFT_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "is not named by a SHA-256"));
	free(tar);

	/* the digest of content0 over the bytes of content1 */
	m[1] = (struct member){ n0, content1, strlen(content1) };
	tar = make_tar(m, 2, "zstd", &len);
	ck_assert_int_eq(baseline_read_memory("mem", tar, len, NULL, &b, &err), DRIFT_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "does not match its SHA-256"));
	ck_assert_ptr_nonnull(strstr(err.msg, n0));
	/* the same tar cut short */
	ck_assert_int_ne(baseline_read_memory("mem", tar, len / 2, NULL, &b, &err), 0);
	free(tar);

	/* an invalid baseline inside a good tar is refused like a bare one */
	x.pb.format_version = 0;
	free(pb);
	pb = pack(&x.pb, &pblen);
	m[0] = (struct member){ BUNDLE_BASELINE_NAME, pb, pblen };
	tar = make_tar(m, 1, NULL, &len);
	ck_assert_int_eq(baseline_read_memory("mem", tar, len, NULL, &b, &err), DRIFT_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "no format version"));
	ck_assert_ptr_null(b);
	free(tar);
	free(pb);
}
END_TEST

/* --- the bundle writer, through files in a temporary directory --- */

struct tmpdir {
	char dir[64];
	char path[128];	/* dir/b.drift */
};

static void
tmpdir_make(struct tmpdir *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/drift-check-baseline-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/b.drift", t->dir);
}

/* Number of entries in the directory besides . and .. */
static int
tmpdir_count(const struct tmpdir *t)
{
	DIR *d = opendir(t->dir);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
tmpdir_remove(struct tmpdir *t)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* What a shell command printed (free it). */
static char *
command_output(const char *cmd, size_t *outlen)
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
	if (outlen != NULL)
		*outlen = len;
	return out;
}

struct fill_ctx {
	const uint8_t *data;
	size_t len;
	size_t piece;	/* emit in pieces of this size */
	size_t short_by;	/* emit this many bytes fewer than len */
	int fail;	/* return this instead of filling */
};

static int
fill(void *ctx, bundle_emit_fn emit, void *wctx)
{
	struct fill_ctx *c = ctx;
	size_t off = 0, end = c->len - c->short_by;
	int r;

	if (c->fail)
		return c->fail;
	while (off < end) {
		size_t n = end - off < c->piece ? end - off : c->piece;

		if ((r = emit(wctx, c->data + off, n)) < 0)
			return r;
		off += n;
	}
	return 0;
}

START_TEST(test_sha256_vector)
{
	uint8_t d[DIGEST_LEN];
	char hex[DIGEST_HEX_LEN + 1];

	/* FIPS 180-2, appendix B.1 */
	ck_assert_int_eq(digest_sha256("abc", 3, d), 0);
	digest_hex(d, DIGEST_LEN, hex);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(test_bundle_round_trip)
{
	char n0[sizeof(BUNDLE_CONTENT_DIR) + DIGEST_HEX_LEN], n1[sizeof(n0)], cmd[512], want[512];
	struct drift_error err = { 0 };
	struct bundle_writer *w = NULL;
	struct baseline *b = NULL;
	const struct content *c;
	struct fill_ctx fc = { 0 };
	struct tmpdir t;
	struct fixture x;
	struct stat st;
	uint8_t *pb;
	char *out;
	size_t pblen, outlen;

	tmpdir_make(&t);
	fixture_init(&x);
	pb = pack(&x.pb, &pblen);
	fc = (struct fill_ctx){ pb, pblen, 7, 0, 0 };
	ck_assert_int_eq(bundle_writer_open(&w, t.path, &err), 0);
	ck_assert_int_eq(bundle_writer_add_baseline(w, pblen, fill, &fc, &err), 0);
	/* a second baseline member is a bug in the caller */
	ck_assert_int_eq(bundle_writer_add_baseline(w, pblen, fill, &fc, &err), DRIFT_EINTERNAL);
	ck_assert_int_eq(bundle_writer_add_content(w, x.sha[0], content0, strlen(content0), &err), 0);
	ck_assert_int_eq(bundle_writer_add_content(w, x.sha[1], content1, strlen(content1), &err), 0);
	ck_assert_int_eq(bundle_writer_add_content(w, x.sha[0], content0, strlen(content0), &err), 0);
	/* nothing under the final name until finish */
	ck_assert_int_ne(stat(t.path, &st), 0);
	ck_assert_int_eq(tmpdir_count(&t), 1);
	ck_assert_msg(bundle_writer_finish(w, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(tmpdir_count(&t), 1);	/* the temporary name is gone */
	ck_assert_int_eq(stat(t.path, &st), 0);

	ck_assert_msg(baseline_read_file(t.path, NULL, &b, &err) == 0, "%s", err.msg);
	assert_fixture(b);
	ck_assert_str_eq(b->name, t.path);
	ck_assert_uint_eq(b->ncontents, 2);
	ck_assert_ptr_nonnull(c = baseline_file_content(b, b->pb->files[1]));
	ck_assert_uint_eq(c->len, strlen(content0));
	ck_assert_mem_eq(c->data, content0, c->len);
	ck_assert_ptr_nonnull(c = baseline_content(b, x.sha[1]));
	ck_assert_mem_eq(c->data, content1, c->len);
	baseline_free(b);

	/* plain tar reads it: the members, each digest once, baseline.pb first */
	content_name(x.sha[0], n0);
	content_name(x.sha[1], n1);
	snprintf(cmd, sizeof(cmd), "tar --zstd -tf '%s'", t.path);
	out = command_output(cmd, NULL);
	snprintf(want, sizeof(want), "baseline.pb\n%s\n%s\n", n0, n1);
	ck_assert_str_eq(out, want);
	free(out);
	snprintf(cmd, sizeof(cmd), "tar --zstd -xOf '%s' baseline.pb", t.path);
	out = command_output(cmd, &outlen);
	ck_assert_uint_eq(outlen, pblen);
	ck_assert_mem_eq(out, pb, pblen);
	free(out);
	/* and sha256sum agrees with the member's name */
	snprintf(cmd, sizeof(cmd), "tar --zstd -xOf '%s' '%s' | sha256sum", t.path, n1);
	out = command_output(cmd, NULL);
	ck_assert_mem_eq(out, n1 + strlen(BUNDLE_CONTENT_DIR), DIGEST_HEX_LEN);
	free(out);

	free(pb);
	tmpdir_remove(&t);
}
END_TEST

/* A baseline bigger than the writer's 256 KiB chunk, emitted in odd pieces. */
START_TEST(test_bundle_large_baseline)
{
	enum { N = 30000 };
	struct drift_error err = { 0 };
	struct bundle_writer *w = NULL;
	struct baseline *b = NULL;
	struct fill_ctx fc;
	Drift__Baseline pb = DRIFT__BASELINE__INIT;
	Drift__FileEntry *fe = calloc(N, sizeof(*fe)), **fp = calloc(N, sizeof(*fp));
	char (*paths)[24] = calloc(N, sizeof(*paths));
	struct tmpdir t;
	uint8_t *data;
	size_t len, i;

	ck_assert(fe && fp && paths);
	for (i = 0; i < N; i++) {
		drift__file_entry__init(&fe[i]);
		snprintf(paths[i], sizeof(paths[i]), "/srv/data/f%06zu", i);
		set_path(&fe[i], paths[i]);
		fe[i].type = DRIFT__FILE_TYPE__FILE_TYPE_REGULAR;
		fe[i].size = i;
		fp[i] = &fe[i];
	}
	pb.format_version = 1;
	pb.files = fp;
	pb.n_files = N;
	data = pack(&pb, &len);
	ck_assert_uint_gt(len, 2 * 256 * 1024);
	tmpdir_make(&t);
	fc = (struct fill_ctx){ data, len, 100003, 0, 0 };
	ck_assert_int_eq(bundle_writer_open(&w, t.path, &err), 0);
	ck_assert_int_eq(bundle_writer_add_baseline(w, len, fill, &fc, &err), 0);
	ck_assert_int_eq(bundle_writer_finish(w, &err), 0);
	ck_assert_msg(baseline_read_file(t.path, NULL, &b, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(b->pb->n_files, N);
	ck_assert_uint_eq(b->pb->files[N - 1]->size, N - 1);
	ck_assert_mem_eq(b->pb->files[N - 1]->path.data, paths[N - 1], strlen(paths[N - 1]));
	baseline_free(b);
	free(data);
	free(fe);
	free(fp);
	free(paths);
	tmpdir_remove(&t);
}
END_TEST

START_TEST(test_bundle_bad_digest_refused)
{
	struct drift_error err = { 0 };
	struct bundle_writer *w = NULL;
	struct baseline *b = NULL;
	struct fill_ctx fc;
	struct fixture x;
	struct tmpdir t;
	uint8_t *pb;
	size_t pblen;

	tmpdir_make(&t);
	fixture_init(&x);
	pb = pack(&x.pb, &pblen);
	fc = (struct fill_ctx){ pb, pblen, 4096, 0, 0 };
	ck_assert_int_eq(bundle_writer_open(&w, t.path, &err), 0);
	ck_assert_int_eq(bundle_writer_add_baseline(w, pblen, fill, &fc, &err), 0);
	ck_assert_int_eq(bundle_writer_add_content(w, x.sha[0], content1, strlen(content1), &err), 0);
	ck_assert_int_eq(bundle_writer_finish(w, &err), 0);
	ck_assert_int_eq(baseline_read_file(t.path, NULL, &b, &err), DRIFT_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "does not match its SHA-256"));
	ck_assert_ptr_null(b);
	free(pb);
	tmpdir_remove(&t);
}
END_TEST

START_TEST(test_bundle_abort_leaves_nothing)
{
	struct drift_error err = { 0 };
	struct bundle_writer *w = NULL;
	struct fill_ctx fc;
	struct fixture x;
	struct tmpdir t;
	uint8_t *pb;
	size_t pblen;

	tmpdir_make(&t);
	fixture_init(&x);
	pb = pack(&x.pb, &pblen);

	ck_assert_int_eq(bundle_writer_open(&w, t.path, &err), 0);
	ck_assert_int_eq(tmpdir_count(&t), 1);
	bundle_writer_abort(w);
	ck_assert_int_eq(tmpdir_count(&t), 0);

	fc = (struct fill_ctx){ pb, pblen, 4096, 0, 0 };
	ck_assert_int_eq(bundle_writer_open(&w, t.path, &err), 0);
	ck_assert_int_eq(bundle_writer_add_baseline(w, pblen, fill, &fc, &err), 0);
	ck_assert_int_eq(bundle_writer_add_content(w, x.sha[0], content0, strlen(content0), &err), 0);
	bundle_writer_abort(w);
	ck_assert_int_eq(tmpdir_count(&t), 0);

	/* fill emitting less than announced */
	fc = (struct fill_ctx){ pb, pblen, 4096, 1, 0 };
	ck_assert_int_eq(bundle_writer_open(&w, t.path, &err), 0);
	ck_assert_int_eq(bundle_writer_add_baseline(w, pblen, fill, &fc, &err), DRIFT_EINTERNAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "announced"));
	bundle_writer_abort(w);
	ck_assert_int_eq(tmpdir_count(&t), 0);

	/* fill failing: its error comes back */
	fc = (struct fill_ctx){ pb, pblen, 4096, 0, DRIFT_ENOMEM };
	ck_assert_int_eq(bundle_writer_open(&w, t.path, &err), 0);
	ck_assert_int_eq(bundle_writer_add_baseline(w, pblen, fill, &fc, &err), DRIFT_ENOMEM);
	bundle_writer_abort(w);
	ck_assert_int_eq(tmpdir_count(&t), 0);

	bundle_writer_abort(NULL);
	/* a directory that does not exist */
	ck_assert_int_eq(bundle_writer_open(&w, "/nonexistent-dir-drift/b.drift", &err), DRIFT_EIO);
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot create"));
	free(pb);
	tmpdir_remove(&t);
}
END_TEST

/*
 * A bundle made by GNU tar with members drift does not know (a newer
 * writer's), a directory and a symlink under content/: all ignored, under
 * every compression.
 */
static const char *const tar_flags[] = { "-cf", "-czf", "-cJf", "-cjf", "--zstd -cf" };

START_TEST(test_unknown_members_ignored)
{
	char n0[sizeof(BUNDLE_CONTENT_DIR) + DIGEST_HEX_LEN], cmd[1024], file[256];
	struct drift_error err = { 0 };
	struct baseline *b = NULL;
	const struct content *c;
	struct fixture x;
	struct tmpdir t;
	uint8_t *pb;
	size_t pblen;
	FILE *f;

	tmpdir_make(&t);
	fixture_init(&x);
	pb = pack(&x.pb, &pblen);
	content_name(x.sha[0], n0);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/in/content' '%s/in/extra/sub' && "
	    "echo future > '%s/in/NOTES.txt' && echo more > '%s/in/extra/sub/file' && "
	    "ln -s baseline.pb '%s/in/content/link'", t.dir, t.dir, t.dir, t.dir, t.dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(file, sizeof(file), "%s/in/baseline.pb", t.dir);
	ck_assert_ptr_nonnull(f = fopen(file, "w"));
	ck_assert_uint_eq(fwrite(pb, 1, pblen, f), pblen);
	fclose(f);
	snprintf(file, sizeof(file), "%s/in/%s", t.dir, n0);
	ck_assert_ptr_nonnull(f = fopen(file, "w"));
	fputs(content0, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "tar -C '%s/in' %s '%s' NOTES.txt baseline.pb extra content",
	    t.dir, tar_flags[_i], t.path);
	ck_assert_int_eq(system(cmd), 0);

	ck_assert_msg(baseline_read_file(t.path, NULL, &b, &err) == 0, "%s: %s", tar_flags[_i], err.msg);
	assert_fixture(b);
	ck_assert_uint_eq(b->ncontents, 1);
	ck_assert_ptr_nonnull(c = baseline_file_content(b, b->pb->files[1]));
	ck_assert_mem_eq(c->data, content0, c->len);
	baseline_free(b);
	free(pb);
	tmpdir_remove(&t);
}
END_TEST

START_TEST(test_read_file_errors)
{
	struct drift_error err = { 0 };
	struct baseline *b = NULL;
	struct tmpdir t;

	tmpdir_make(&t);
	ck_assert_int_eq(baseline_read_file(t.path, NULL, &b, &err), DRIFT_EIO);
	ck_assert_ptr_nonnull(strstr(err.msg, "No such file"));
	ck_assert_int_eq(baseline_read_file(t.dir, NULL, &b, &err), DRIFT_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "is a directory"));
	ck_assert_ptr_null(b);
	tmpdir_remove(&t);
}
END_TEST

/* --- format_time_ns and path_cmp --- */

struct time_case {
	int64_t ns;
	const char *want;
};

static const struct time_case time_cases[] = {
	{ 0, "1970-01-01T00:00:00Z" },
	{ 1, "1970-01-01T00:00:00.000000001Z" },
	{ -1, "1969-12-31T23:59:59.999999999Z" },
	{ 1500000000, "1970-01-01T00:00:01.500000000Z" },
	{ -1000000000, "1969-12-31T23:59:59Z" },
	{ -1500000000, "1969-12-31T23:59:58.500000000Z" },
	{ INT64_C(1795507200400614504), "2026-11-24T08:00:00.400614504Z" },
	{ INT64_MIN, "1677-09-21T00:12:43.145224192Z" },
	{ INT64_MAX, "2262-04-11T23:47:16.854775807Z" },
};

START_TEST(test_format_time_ns)
{
	const struct time_case *c = &time_cases[_i];
	char buf[40], cmd[128], *out;
	int64_t sec;

	ck_assert_str_eq(format_time_ns(c->ns, buf, sizeof(buf)), c->want);
	/* the whole seconds (rounded down) as date(1) spells them */
	sec = c->ns / 1000000000 - (c->ns % 1000000000 < 0);
	snprintf(cmd, sizeof(cmd), "TZ=UTC date -u -d @%lld +%%Y-%%m-%%dT%%H:%%M:%%S", (long long)sec);
	out = command_output(cmd, NULL);
	ck_assert_mem_eq(buf, out, 19);
	free(out);
}
END_TEST

START_TEST(test_path_cmp)
{
#define PC(a, b) path_cmp((const uint8_t *)(a), sizeof(a) - 1, (const uint8_t *)(b), sizeof(b) - 1)
	ck_assert_int_eq(path_cmp(NULL, 0, NULL, 0), 0);
	ck_assert_int_eq(PC("/etc", "/etc"), 0);
	ck_assert_int_lt(PC("/etc", "/etc/hosts"), 0);
	ck_assert_int_gt(PC("/etc/hosts", "/etc"), 0);
	ck_assert_int_lt(PC("", "/"), 0);
	ck_assert_int_lt(PC("/etc-old", "/etc/hosts"), 0);	/* bytes, not components */
	ck_assert_int_lt(PC("/a", "/\xff"), 0);		/* unsigned bytes */
	ck_assert_int_gt(PC("/\x80", "/~"), 0);
	ck_assert_int_lt(PC("/a\0", "/a\0b"), 0);
	ck_assert_int_lt(PC("/A", "/a"), 0);
#undef PC
}
END_TEST

START_TEST(test_type_names)
{
	ck_assert_str_eq(file_type_name(DRIFT__FILE_TYPE__FILE_TYPE_REGULAR), "regular");
	ck_assert_str_eq(file_type_name(DRIFT__FILE_TYPE__FILE_TYPE_BLOCK), "block");
	ck_assert_str_eq(file_type_name((Drift__FileType)42), "unknown");
	ck_assert_int_eq(file_type_char(DRIFT__FILE_TYPE__FILE_TYPE_SYMLINK), 'l');
	ck_assert_int_eq(file_type_char(DRIFT__FILE_TYPE__FILE_TYPE_FIFO), 'p');
	ck_assert_int_eq(file_type_char(DRIFT__FILE_TYPE__FILE_TYPE_UNKNOWN), '?');
}
END_TEST

Suite *make_baseline_suite(void);

Suite *
make_baseline_suite(void)
{
	Suite *s = suite_create("baseline");
	TCase *tc = tcase_create("read");
	TCase *tb = tcase_create("bundle");

	tcase_add_test(tc, test_bare_round_trip);
	tcase_add_loop_test(tc, test_invalid, 0, (int)(sizeof(invalid_cases) / sizeof(invalid_cases[0])));
	tcase_add_test(tc, test_path_64k_accepted);
	tcase_add_test(tc, test_garbage_refused);
	tcase_add_test(tc, test_bare_baseline_with_ustar_at_257);
	tcase_add_loop_test(tc, test_unknown_field, 0, (int)(sizeof(unknown_cases) / sizeof(unknown_cases[0])));
	tcase_add_loop_test(tc, test_format_time_ns, 0, (int)(sizeof(time_cases) / sizeof(time_cases[0])));
	tcase_add_test(tc, test_path_cmp);
	tcase_add_test(tc, test_type_names);
	suite_add_tcase(s, tc);

	tcase_set_timeout(tb, 60);
	tcase_add_test(tb, test_sha256_vector);
	tcase_add_loop_test(tb, test_tar_round_trip, 0, (int)(sizeof(filters) / sizeof(filters[0])));
	tcase_add_test(tb, test_limits);
	tcase_add_test(tb, test_tar_refused);
	tcase_add_test(tb, test_bundle_round_trip);
	tcase_add_test(tb, test_bundle_large_baseline);
	tcase_add_test(tb, test_bundle_bad_digest_refused);
	tcase_add_test(tb, test_bundle_abort_leaves_nothing);
	tcase_add_loop_test(tb, test_unknown_members_ignored, 0,
	    (int)(sizeof(tar_flags) / sizeof(tar_flags[0])));
	tcase_add_test(tb, test_read_file_errors);
	suite_add_tcase(s, tb);
	return s;
}
