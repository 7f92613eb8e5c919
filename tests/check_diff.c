/* SPDX-License-Identifier: MIT */
/* check_diff.c - the merge of two baselines: attributes, positions, packages, summary. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"
#include "diff.h"
#include "drift.pb-c.h"

/* --- one side of a diff, in fixed storage --- */

#define MAXE 16

struct side {
	Drift__Baseline pb;
	Drift__FileEntry f[MAXE];
	Drift__FileEntry *fp[MAXE];
	Drift__PackageEntry p[MAXE];
	Drift__PackageEntry *pp[MAXE];
	char paths[MAXE][32];
};

static const uint8_t sha_a[32] = { 0xaa, 1, 2, 3 };
static const uint8_t sha_b[32] = { 0xbb, 1, 2, 3 };

static void
side_init(struct side *s)
{
	memset(s, 0, sizeof(*s));
	drift__baseline__init(&s->pb);
	s->pb.format_version = 1;
	s->pb.files = s->fp;
	s->pb.packages = s->pp;
}

/* A regular file with every attribute set, so each can be changed alone. */
static Drift__FileEntry *
add_file(struct side *s, const char *path)
{
	size_t i = s->pb.n_files++;
	Drift__FileEntry *f = &s->f[i];

	ck_assert_uint_lt(i, MAXE);
	drift__file_entry__init(f);
	snprintf(s->paths[i], sizeof(s->paths[i]), "%s", path);
	f->path.data = (uint8_t *)s->paths[i];
	f->path.len = strlen(path);
	f->type = DRIFT__FILE_TYPE__FILE_TYPE_REGULAR;
	f->mode = 0644;
	f->owner = "root";
	f->group = "root";
	f->size = 10;
	f->mtime_ns = INT64_C(1700000000000000000);
	f->ctime_ns = f->mtime_ns;
	f->inode = 1234;
	f->nlink = 1;
	f->sha256.data = (uint8_t *)sha_a;
	f->sha256.len = 32;
	f->selinux = "system_u:object_r:etc_t:s0";
	s->fp[i] = f;
	return f;
}

static Drift__PackageEntry *
add_pkg(struct side *s, const char *manager, const char *name, const char *arch,
    const char *version, const char *status)
{
	size_t i = s->pb.n_packages++;
	Drift__PackageEntry *p = &s->p[i];

	ck_assert_uint_lt(i, MAXE);
	drift__package_entry__init(p);
	p->manager = (char *)manager;
	p->name = (char *)name;
	p->arch = (char *)arch;
	p->version = (char *)version;
	p->status = (char *)status;
	s->pp[i] = p;
	return p;
}

/* --- each attribute alone --- */

static Drift__Xattr xa_old = { PROTOBUF_C_MESSAGE_INIT(&drift__xattr__descriptor), "user.a", { 1, (uint8_t *)"1" } };
static Drift__Xattr xa_same = { PROTOBUF_C_MESSAGE_INIT(&drift__xattr__descriptor), "user.a", { 1, (uint8_t *)"1" } };
static Drift__Xattr xa_value = { PROTOBUF_C_MESSAGE_INIT(&drift__xattr__descriptor), "user.a", { 1, (uint8_t *)"2" } };
static Drift__Xattr xa_name = { PROTOBUF_C_MESSAGE_INIT(&drift__xattr__descriptor), "user.b", { 1, (uint8_t *)"1" } };
static Drift__Xattr *xv_old[] = { &xa_old };
static Drift__Xattr *xv_same[] = { &xa_same };
static Drift__Xattr *xv_value[] = { &xa_value };
static Drift__Xattr *xv_name[] = { &xa_name };
static Drift__Xattr *xv_two[] = { &xa_same, &xa_name };

static void a_type(Drift__FileEntry *o, Drift__FileEntry *n) { (void)o; n->type = DRIFT__FILE_TYPE__FILE_TYPE_FIFO; }
static void a_mode(Drift__FileEntry *o, Drift__FileEntry *n) { (void)o; n->mode = 0600; }
static void a_setuid(Drift__FileEntry *o, Drift__FileEntry *n) { (void)o; n->mode = 04644; }
static void a_uid(Drift__FileEntry *o, Drift__FileEntry *n) { (void)o; n->uid = 1000; n->owner = "alice"; }
static void a_uid_noname(Drift__FileEntry *o, Drift__FileEntry *n) { (void)o; n->uid = 4242; n->owner = ""; }
static void a_gid(Drift__FileEntry *o, Drift__FileEntry *n) { (void)o; n->gid = 50; n->group = "staff"; }
static void a_owner(Drift__FileEntry *o, Drift__FileEntry *n) { (void)o; n->owner = "toor"; }
static void a_owner_lost(Drift__FileEntry *o, Drift__FileEntry *n) { (void)o; n->owner = ""; }
static void a_group(Drift__FileEntry *o, Drift__FileEntry *n) { (void)o; n->group = "wheel"; }
static void a_size(Drift__FileEntry *o, Drift__FileEntry *n) { (void)o; n->size = 11; }
static void a_mtime(Drift__FileEntry *o, Drift__FileEntry *n) { (void)o; n->mtime_ns += 1; }
static void a_sha(Drift__FileEntry *o, Drift__FileEntry *n) { (void)o; n->sha256.data = (uint8_t *)sha_b; }
static void a_sha_gone(Drift__FileEntry *o, Drift__FileEntry *n) { (void)o; n->sha256.len = 0; }

static void
a_sha_same_bytes(Drift__FileEntry *o, Drift__FileEntry *n)
{
	static uint8_t copy[32];

	(void)o;
	memcpy(copy, sha_a, sizeof(copy));
	n->sha256.data = copy;	/* equal bytes elsewhere in memory: no change */
}

static void
a_target(Drift__FileEntry *o, Drift__FileEntry *n)
{
	o->type = n->type = DRIFT__FILE_TYPE__FILE_TYPE_SYMLINK;
	o->sha256.len = n->sha256.len = 0;
	o->target.data = (uint8_t *)"../a";
	o->target.len = 4;
	n->target.data = (uint8_t *)"../b";
	n->target.len = 4;
}

static void
a_target_prefix(Drift__FileEntry *o, Drift__FileEntry *n)
{
	a_target(o, n);
	n->target.data = (uint8_t *)"../ab";
	n->target.len = 5;
}

static void
a_rdev(Drift__FileEntry *o, Drift__FileEntry *n)
{
	o->type = n->type = DRIFT__FILE_TYPE__FILE_TYPE_CHAR;
	o->sha256.len = n->sha256.len = 0;
	o->rdev = 0x0103;
	n->rdev = 0x0105;
}

static void a_error(Drift__FileEntry *o, Drift__FileEntry *n) { (void)o; n->error = "Permission denied"; }
static void a_error_gone(Drift__FileEntry *o, Drift__FileEntry *n) { o->error = "Permission denied"; (void)n; }

static void
a_xattr_value(Drift__FileEntry *o, Drift__FileEntry *n)
{
	o->xattrs = xv_old;
	o->n_xattrs = 1;
	n->xattrs = xv_value;
	n->n_xattrs = 1;
}

static void
a_xattr_name(Drift__FileEntry *o, Drift__FileEntry *n)
{
	a_xattr_value(o, n);
	n->xattrs = xv_name;
}

static void
a_xattr_added(Drift__FileEntry *o, Drift__FileEntry *n)
{
	a_xattr_value(o, n);
	n->xattrs = xv_two;
	n->n_xattrs = 2;
}

static void
a_xattr_same(Drift__FileEntry *o, Drift__FileEntry *n)
{
	a_xattr_value(o, n);
	n->xattrs = xv_same;
}

static void a_selinux(Drift__FileEntry *o, Drift__FileEntry *n) { (void)o; n->selinux = "system_u:object_r:shadow_t:s0"; }

static void
a_dir_mtime(Drift__FileEntry *o, Drift__FileEntry *n)
{
	o->type = n->type = DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY;
	o->sha256.len = n->sha256.len = 0;
	n->mtime_ns += 5000000000;
}

static void
a_dir_mtime_mode(Drift__FileEntry *o, Drift__FileEntry *n)
{
	a_dir_mtime(o, n);
	n->mode = 0700;
}

static void
a_dir_to_file(Drift__FileEntry *o, Drift__FileEntry *n)
{
	o->type = DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY;
	o->sha256.len = 0;
	n->sha256.len = 0;
	n->mtime_ns += 1;
}

static void
a_unreported(Drift__FileEntry *o, Drift__FileEntry *n)
{
	/* an editor's atomic replace: new inode, ctime; same content and metadata */
	(void)o;
	n->inode = 99;
	n->nlink = 2;
	n->ctime_ns += 1;
}

static void
a_several(Drift__FileEntry *o, Drift__FileEntry *n)
{
	(void)o;
	n->mode = 0600;
	n->size = 12;
	n->mtime_ns += 1;
	n->sha256.data = (uint8_t *)sha_b;
	n->selinux = "";
}

struct attr_case {
	const char *what;
	void (*mutate)(Drift__FileEntry *o, Drift__FileEntry *n);
	unsigned want;	/* 0: no change reported */
};

static const struct attr_case attr_cases[] = {
	{ "type", a_type, ATTR_TYPE },
	{ "mode", a_mode, ATTR_MODE },
	{ "setuid bit", a_setuid, ATTR_MODE },
	{ "uid (owner name follows it)", a_uid, ATTR_UID },
	{ "uid without a name", a_uid_noname, ATTR_UID },
	{ "gid (group name follows it)", a_gid, ATTR_GID },
	{ "owner name only", a_owner, ATTR_OWNER },
	{ "owner name lost", a_owner_lost, ATTR_OWNER },
	{ "group name only", a_group, ATTR_GROUP },
	{ "size", a_size, ATTR_SIZE },
	{ "mtime", a_mtime, ATTR_MTIME },
	{ "sha256", a_sha, ATTR_SHA256 },
	{ "sha256 gone", a_sha_gone, ATTR_SHA256 },
	{ "sha256 same bytes", a_sha_same_bytes, 0 },
	{ "target", a_target, ATTR_TARGET },
	{ "target longer", a_target_prefix, ATTR_TARGET },
	{ "rdev", a_rdev, ATTR_RDEV },
	{ "error appears", a_error, ATTR_ERROR },
	{ "error goes", a_error_gone, ATTR_ERROR },
	{ "xattr value", a_xattr_value, ATTR_XATTRS },
	{ "xattr name", a_xattr_name, ATTR_XATTRS },
	{ "xattr added", a_xattr_added, ATTR_XATTRS },
	{ "xattrs equal", a_xattr_same, 0 },
	{ "selinux", a_selinux, ATTR_SELINUX },
	{ "directory mtime only", a_dir_mtime, 0 },
	{ "directory mtime and mode", a_dir_mtime_mode, ATTR_MODE },
	{ "directory became a file", a_dir_to_file, ATTR_TYPE | ATTR_MTIME },
	{ "inode, nlink, ctime", a_unreported, 0 },
	{ "several", a_several, ATTR_MODE | ATTR_SIZE | ATTR_MTIME | ATTR_SHA256 | ATTR_SELINUX },
};

START_TEST(test_attr)
{
	const struct attr_case *c = &attr_cases[_i];
	struct side o, n;
	Drift__FileEntry *fo, *fn;
	struct diff d;

	side_init(&o);
	side_init(&n);
	add_file(&o, "/etc/a");
	add_file(&n, "/etc/a");
	fo = add_file(&o, "/etc/f");
	fn = add_file(&n, "/etc/f");
	add_file(&o, "/etc/z");
	add_file(&n, "/etc/z");
	c->mutate(fo, fn);
	ck_assert_int_eq(diff_baselines(&o.pb, &n.pb, &d), 0);
	ck_assert_uint_eq(d.npkg, 0);
	if (c->want == 0) {
		ck_assert_msg(d.n == 0, "%s: reported attrs %#x", c->what, d.n ? d.v[0].attrs : 0);
	} else {
		ck_assert_msg(d.n == 1, "%s: %zu changes", c->what, d.n);
		ck_assert_int_eq(d.v[0].kind, CHANGE_FILE_MODIFIED);
		ck_assert_msg(d.v[0].attrs == c->want, "%s: attrs %#x, want %#x", c->what,
		    d.v[0].attrs, c->want);
		ck_assert_ptr_eq(d.v[0].old_file, fo);
		ck_assert_ptr_eq(d.v[0].new_file, fn);
		ck_assert_uint_eq(d.count[CHANGE_FILE_MODIFIED], 1);
	}
	diff_release(&d);
}
END_TEST

START_TEST(test_attr_names)
{
	static const char *const want[ATTR_COUNT] = {
		"type", "mode", "uid", "gid", "owner", "group", "size", "mtime",
		"sha256", "target", "rdev", "error", "xattrs", "selinux",
	};
	int i;

	/* the bit values and the names the JSON contract lists, in its order */
	ck_assert_uint_eq(ATTR_TYPE, 1u << 0);
	ck_assert_uint_eq(ATTR_OWNER, 1u << 4);
	ck_assert_uint_eq(ATTR_SELINUX, 1u << (ATTR_COUNT - 1));
	for (i = 0; i < ATTR_COUNT; i++)
		ck_assert_str_eq(diff_attr_name(i), want[i]);
	ck_assert_str_eq(diff_attr_name(-1), "unknown");
	ck_assert_str_eq(diff_attr_name(ATTR_COUNT), "unknown");
	ck_assert_str_eq(change_kind_name(CHANGE_FILE_ADDED), "added");
	ck_assert_str_eq(change_kind_name(CHANGE_PKG_REMOVED), "removed");
	ck_assert_str_eq(change_kind_name(CHANGE_PKG_DOWNGRADED), "downgraded");
	ck_assert_str_eq(change_kind_name(CHANGE_PKG_CHANGED), "changed");
}
END_TEST

/* --- added and removed entries at every position of the merge --- */

struct merge_case {
	const char *old;	/* names, a '*' suffix makes the entry differ in size */
	const char *new_;
	const char *want;	/* "+name" added, "-name" removed, "~name" modified */
};

static const struct merge_case merge_cases[] = {
	{ "", "", "" },
	{ "", "a b", "+a +b" },
	{ "a b", "", "-a -b" },
	{ "b c", "a b c", "+a" },
	{ "a c", "a b c", "+b" },
	{ "a b", "a b c", "+c" },
	{ "a b c", "b c", "-a" },
	{ "a b c", "a c", "-b" },
	{ "a b c", "a b", "-c" },
	{ "b", "a c", "+a -b +c" },
	{ "a c e", "b c* f", "-a +b ~c -e +f" },
	{ "a b c", "a* b c*", "~a ~c" },
	{ "a a-b", "a a/b", "-a-b +a/b" },	/* path bytes: '-' sorts before '/' */
	{ "a", "a a/b a/b/c", "+a/b +a/b/c" },
};

static void
fill_side(struct side *s, const char *names)
{
	char buf[128], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", names);
	for (tok = strtok_r(buf, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save)) {
		char path[32];
		size_t len = strlen(tok);
		bool star = len > 0 && tok[len - 1] == '*';

		if (star)
			tok[len - 1] = '\0';
		snprintf(path, sizeof(path), "/%s", tok);
		add_file(s, path)->size = star ? 99 : 10;
	}
}

START_TEST(test_merge)
{
	const struct merge_case *c = &merge_cases[_i];
	struct side o, n;
	struct diff d;
	char got[256] = "";
	size_t i, len = 0;

	side_init(&o);
	side_init(&n);
	fill_side(&o, c->old);
	fill_side(&n, c->new_);
	ck_assert_int_eq(diff_baselines(&o.pb, &n.pb, &d), 0);
	for (i = 0; i < d.n; i++) {
		const struct change *ch = &d.v[i];
		const Drift__FileEntry *e = ch->new_file ? ch->new_file : ch->old_file;
		char mark = ch->kind == CHANGE_FILE_ADDED ? '+' : ch->kind == CHANGE_FILE_REMOVED ? '-' : '~';

		ck_assert(ch->kind == CHANGE_FILE_ADDED ? ch->old_file == NULL && ch->new_file != NULL :
		    ch->kind == CHANGE_FILE_REMOVED ? ch->new_file == NULL && ch->old_file != NULL :
		    ch->old_file != NULL && ch->new_file != NULL && ch->attrs == ATTR_SIZE);
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%c%.*s", i ? " " : "", mark,
		    (int)e->path.len - 1, (const char *)e->path.data + 1);
	}
	ck_assert_msg(strcmp(got, c->want) == 0, "'%s' -> '%s': got '%s', want '%s'",
	    c->old, c->new_, got, c->want);
	diff_release(&d);
}
END_TEST

/* --- packages --- */

struct pkg_case {
	const char *manager;
	const char *old_version, *old_status;	/* NULL: not installed */
	const char *new_version, *new_status;
	int want;	/* a change_kind, or -1 for no change */
};

/*
 * The directions below were confirmed with dpkg --compare-versions and
 * rpm.vercmp(); test_pkg_oracle asks the tools again where they exist.
 */
static const struct pkg_case pkg_cases[] = {
	{ "dpkg", "1.0-1", "installed", "1.0-2", "installed", CHANGE_PKG_UPGRADED },
	{ "dpkg", "1.0-1", "installed", "1:0.9", "installed", CHANGE_PKG_UPGRADED },	/* epoch wins */
	{ "dpkg", "1:0.9", "installed", "1.0-1", "installed", CHANGE_PKG_DOWNGRADED },
	{ "dpkg", "1.0", "installed", "1.0~rc1", "installed", CHANGE_PKG_DOWNGRADED },
	{ "dpkg", "1.0+", "installed", "1.0a", "installed", CHANGE_PKG_DOWNGRADED },	/* letters first */
	{ "rpm", "1.0+", "installed", "1.0a", "installed", CHANGE_PKG_UPGRADED },	/* rpm: '+' separates */
	{ "rpm", "1.0a", "installed", "1.0+", "installed", CHANGE_PKG_DOWNGRADED },
	{ "rpm", "1.0-1.el9", "installed", "1.0-1.el9", "installed", -1 },
	{ "dpkg", "1.0-1", "installed", "1.0-1", "installed", -1 },
	{ "dpkg", "1.0-1", "installed", "1.0-1", "hold", CHANGE_PKG_CHANGED },		/* status only */
	{ "dpkg", "1.0-1", "installed", "1.0-1", "config-files", CHANGE_PKG_CHANGED },
	{ "dpkg", "1.0", "installed", "0:1.0", "installed", CHANGE_PKG_CHANGED },	/* same version, other spelling */
	{ "dpkg", NULL, NULL, "2.0", "installed", CHANGE_PKG_INSTALLED },
	{ "dpkg", "2.0", "installed", NULL, NULL, CHANGE_PKG_REMOVED },
	{ "rpm", NULL, NULL, "2.0-1", "installed", CHANGE_PKG_INSTALLED },
};

START_TEST(test_pkg)
{
	const struct pkg_case *c = &pkg_cases[_i];
	struct side o, n;
	Drift__PackageEntry *po = NULL, *pn = NULL;
	struct diff d;

	side_init(&o);
	side_init(&n);
	/* unchanged neighbours on both sides of the merge */
	add_pkg(&o, c->manager, "aaa", "amd64", "1", "installed");
	add_pkg(&n, c->manager, "aaa", "amd64", "1", "installed");
	if (c->old_version)
		po = add_pkg(&o, c->manager, "nginx", "amd64", c->old_version, c->old_status);
	if (c->new_version)
		pn = add_pkg(&n, c->manager, "nginx", "amd64", c->new_version, c->new_status);
	add_pkg(&o, c->manager, "zzz", "amd64", "1", "installed");
	add_pkg(&n, c->manager, "zzz", "amd64", "1", "installed");
	ck_assert_int_eq(diff_baselines(&o.pb, &n.pb, &d), 0);
	if (c->want < 0) {
		ck_assert_msg(d.n == 0, "case %d: %zu changes", _i, d.n);
	} else {
		ck_assert_msg(d.n == 1, "case %d: %zu changes", _i, d.n);
		ck_assert_msg((int)d.v[0].kind == c->want, "case %d (%s %s -> %s): %s, want %s", _i,
		    c->manager, c->old_version, c->new_version, change_kind_name(d.v[0].kind),
		    change_kind_name((enum change_kind)c->want));
		ck_assert_ptr_eq(d.v[0].old_pkg, po);
		ck_assert_ptr_eq(d.v[0].new_pkg, pn);
		ck_assert_uint_eq(d.npkg, 1);
		ck_assert_uint_eq(d.count[c->want], 1);
	}
	diff_release(&d);
}
END_TEST

/* Ask dpkg and rpm themselves which way each version moved. */
START_TEST(test_pkg_oracle)
{
	const struct pkg_case *c = &pkg_cases[_i];
	char cmd[512];
	int lt, gt;

	if (c->old_version == NULL || c->new_version == NULL)
		return;
	if (strcmp(c->manager, "dpkg") == 0) {
		if (access("/usr/bin/dpkg", X_OK) != 0)
			return;
		snprintf(cmd, sizeof(cmd), "dpkg --compare-versions '%s' lt '%s'", c->old_version, c->new_version);
		lt = system(cmd) == 0;
		snprintf(cmd, sizeof(cmd), "dpkg --compare-versions '%s' gt '%s'", c->old_version, c->new_version);
		gt = system(cmd) == 0;
	} else {
		FILE *p;
		int v = 99;

		if (access("/usr/bin/rpm", X_OK) != 0)
			return;
		snprintf(cmd, sizeof(cmd), "rpm --eval '%%{lua: print(rpm.vercmp(\"%s\", \"%s\"))}'",
		    c->old_version, c->new_version);
		ck_assert_ptr_nonnull(p = popen(cmd, "r"));
		ck_assert_int_eq(fscanf(p, "%d", &v), 1);
		pclose(p);
		lt = v < 0;
		gt = v > 0;
	}
	if (c->want == CHANGE_PKG_UPGRADED)
		ck_assert_msg(lt && !gt, "%s says %s is not older than %s", c->manager, c->old_version, c->new_version);
	else if (c->want == CHANGE_PKG_DOWNGRADED)
		ck_assert_msg(gt && !lt, "%s says %s is not newer than %s", c->manager, c->old_version, c->new_version);
	else
		ck_assert_msg(!lt && !gt, "%s says %s and %s differ", c->manager, c->old_version, c->new_version);
}
END_TEST

START_TEST(test_pkg_other_arch_or_manager)
{
	struct side o, n;
	struct diff d;

	side_init(&o);
	side_init(&n);
	add_pkg(&o, "dpkg", "libc6", "amd64", "2.36-9", "installed");
	add_pkg(&n, "dpkg", "libc6", "i386", "2.36-9", "installed");
	add_pkg(&o, "dpkg", "zlib", "amd64", "1.2", "installed");
	add_pkg(&n, "rpm", "zlib", "amd64", "1.2", "installed");
	ck_assert_int_eq(diff_baselines(&o.pb, &n.pb, &d), 0);
	ck_assert_uint_eq(d.n, 4);
	ck_assert_int_eq(d.v[0].kind, CHANGE_PKG_REMOVED);
	ck_assert_str_eq(d.v[0].old_pkg->arch, "amd64");
	ck_assert_int_eq(d.v[1].kind, CHANGE_PKG_INSTALLED);
	ck_assert_str_eq(d.v[1].new_pkg->arch, "i386");
	ck_assert_int_eq(d.v[2].kind, CHANGE_PKG_REMOVED);
	ck_assert_str_eq(d.v[2].old_pkg->manager, "dpkg");
	ck_assert_int_eq(d.v[3].kind, CHANGE_PKG_INSTALLED);
	ck_assert_str_eq(d.v[3].new_pkg->manager, "rpm");
	diff_release(&d);
	diff_release(&d);	/* released twice: still empty, no double free */
	diff_release(NULL);
}
END_TEST

/* --- the summary line --- */

START_TEST(test_summary_from_diff)
{
	struct side o, n;
	struct diff d;
	char buf[256];

	side_init(&o);
	side_init(&n);
	add_pkg(&o, "dpkg", "curl", "amd64", "7.88.1-10", "installed");
	add_pkg(&n, "dpkg", "curl", "amd64", "7.88.1-10+deb12u5", "installed");
	add_pkg(&n, "dpkg", "jq", "amd64", "1.6-2.1", "installed");
	add_pkg(&o, "dpkg", "nginx", "amd64", "1.22.1-9", "installed");
	add_pkg(&n, "dpkg", "nginx", "amd64", "1.22.1-9+deb12u1", "installed");
	fill_side(&o, "a b c");
	fill_side(&n, "a* b* c* d");
	ck_assert_int_eq(diff_baselines(&o.pb, &n.pb, &d), 0);
	ck_assert_str_eq(diff_summary(&d, buf, sizeof(buf)),
	    "2 packages upgraded, 1 installed; 3 files modified, 1 added");
	/* packages first, then files */
	ck_assert_uint_eq(d.npkg, 3);
	ck_assert_uint_eq(d.n, 7);
	ck_assert_int_eq(d.v[1].kind, CHANGE_PKG_INSTALLED);
	ck_assert_int_eq(d.v[6].kind, CHANGE_FILE_ADDED);
	diff_release(&d);

	ck_assert_int_eq(diff_baselines(&o.pb, &o.pb, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_str_eq(diff_summary(&d, buf, sizeof(buf)), "no changes");
	diff_release(&d);
}
END_TEST

struct summary_case {
	size_t upgraded, downgraded, installed, pkg_removed, changed, modified, added, removed;
	const char *want;
};

static const struct summary_case summary_cases[] = {
	{ 0, 0, 0, 0, 0, 0, 0, 0, "no changes" },
	{ 2, 0, 1, 0, 0, 3, 1, 0, "2 packages upgraded, 1 installed; 3 files modified, 1 added" },
	{ 0, 0, 0, 0, 0, 1, 0, 0, "1 file modified" },
	{ 0, 0, 0, 0, 0, 0, 2, 1, "2 files added, 1 removed" },
	{ 0, 0, 0, 0, 0, 0, 0, 1, "1 file removed" },
	{ 0, 0, 0, 1, 0, 0, 0, 0, "1 package removed" },
	{ 0, 0, 3, 0, 0, 0, 0, 0, "3 packages installed" },
	{ 0, 1, 0, 0, 2, 0, 0, 0, "1 package downgraded, 2 changed" },
	{ 1, 0, 0, 0, 0, 0, 0, 1, "1 package upgraded; 1 file removed" },
	{ 1, 1, 1, 1, 1, 1, 1, 1,
	  "1 package upgraded, 1 downgraded, 1 installed, 1 removed, 1 changed; 1 file modified, 1 added, 1 removed" },
	{ 0, 0, 0, 0, 0, 12345, 0, 0, "12345 files modified" },
};

START_TEST(test_summary)
{
	const struct summary_case *c = &summary_cases[_i];
	struct diff d;
	char buf[256];

	memset(&d, 0, sizeof(d));
	d.count[CHANGE_PKG_UPGRADED] = c->upgraded;
	d.count[CHANGE_PKG_DOWNGRADED] = c->downgraded;
	d.count[CHANGE_PKG_INSTALLED] = c->installed;
	d.count[CHANGE_PKG_REMOVED] = c->pkg_removed;
	d.count[CHANGE_PKG_CHANGED] = c->changed;
	d.count[CHANGE_FILE_MODIFIED] = c->modified;
	d.count[CHANGE_FILE_ADDED] = c->added;
	d.count[CHANGE_FILE_REMOVED] = c->removed;
	ck_assert_str_eq(diff_summary(&d, buf, sizeof(buf)), c->want);
}
END_TEST

Suite *make_diff_suite(void);

Suite *
make_diff_suite(void)
{
	Suite *s = suite_create("diff");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_attr, 0, (int)(sizeof(attr_cases) / sizeof(attr_cases[0])));
	tcase_add_test(tc, test_attr_names);
	tcase_add_loop_test(tc, test_merge, 0, (int)(sizeof(merge_cases) / sizeof(merge_cases[0])));
	tcase_add_loop_test(tc, test_pkg, 0, (int)(sizeof(pkg_cases) / sizeof(pkg_cases[0])));
	tcase_add_loop_test(tc, test_pkg_oracle, 0, (int)(sizeof(pkg_cases) / sizeof(pkg_cases[0])));
	tcase_add_test(tc, test_pkg_other_arch_or_manager);
	tcase_add_test(tc, test_summary_from_diff);
	tcase_add_loop_test(tc, test_summary, 0, (int)(sizeof(summary_cases) / sizeof(summary_cases[0])));
	suite_add_tcase(s, tc);
	return s;
}
