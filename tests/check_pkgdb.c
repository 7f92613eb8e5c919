/* SPDX-License-Identifier: MIT */
/* check_pkgdb.c - package-database backends, with dpkg-query and rpm as oracles. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "pkgdb.h"

/* --- helpers --- */

/*
 * librpm 4.18 leaks its sqlite handle when opening a database fails;
 * test_rpm_corrupt excuses the allocations of that one call, no others.
 */
#if defined(__SANITIZE_ADDRESS__)
#define HAVE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_LSAN 1
#endif
#endif
#ifdef HAVE_LSAN
#include <sanitizer/lsan_interface.h>
#define LEAKS_EXCUSED_BEGIN() __lsan_disable()
#define LEAKS_EXCUSED_END() __lsan_enable()
#else
#define LEAKS_EXCUSED_BEGIN() ((void)0)
#define LEAKS_EXCUSED_END() ((void)0)
#endif

static char *
tmpdir_new(void)
{
	char tmpl[] = "/tmp/drift-pkgdb-XXXXXX";
	char *d = mkdtemp(tmpl);

	ck_assert_msg(d != NULL, "mkdtemp: %s", strerror(errno));
	return strdup(d);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
tmpdir_free(char *dir)
{
	if (dir == NULL)
		return;
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static void
mkdirs(const char *path)
{
	char buf[4096];
	char *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(buf, 0755);
		*p = '/';
	}
	mkdir(buf, 0755);
}

/* Write len bytes to root/rel, creating the directories on the way. */
static void
put_len(const char *root, const char *rel, const char *data, size_t len)
{
	char path[4096], dir[4096];
	char *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		mkdirs(dir);
	}
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "'%s': %s", path, strerror(errno));
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static void
put(const char *root, const char *rel, const char *data)
{
	put_len(root, rel, data, strlen(data));
}

static bool
exists(const char *root, const char *rel)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return lstat(path, &st) == 0;
}

static int
run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
run(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

/* Run a shell command and return its standard output (free it); fails the test on a non-zero exit. */
static char *
capture(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
capture(const char *fmt, ...)
{
	char cmd[8192];
	char *out = NULL;
	size_t len = 0, n;
	char chunk[65536];
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	ck_assert_msg(p != NULL, "popen '%s': %s", cmd, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0) {
		out = realloc(out, len + n + 1);
		ck_assert_ptr_nonnull(out);
		memcpy(out + len, chunk, n);
		len += n;
	}
	st = pclose(p);
	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "'%s' failed (status %d)", cmd, st);
	if (out == NULL)
		out = calloc(1, 1);
	else
		out[len] = '\0';
	return out;
}

/* The same total order as pkgdb_read promises: name, arch, manager, version, status. */
static int
pkg_order(const struct pkg *x, const struct pkg *y)
{
	int c;

	if ((c = strcmp(x->name, y->name)) != 0 ||
	    (c = strcmp(x->arch, y->arch)) != 0 ||
	    (c = strcmp(x->manager, y->manager)) != 0 ||
	    (c = strcmp(x->version, y->version)) != 0)
		return c;
	return strcmp(x->status, y->status);
}

static int
pkg_qcmp(const void *a, const void *b)
{
	return pkg_order(a, b);
}

static void
assert_same(const struct pkglist *got, const struct pkglist *want)
{
	size_t i;

	for (i = 0; i < got->n && i < want->n; i++) {
		const struct pkg *g = &got->v[i], *w = &want->v[i];

		ck_assert_msg(pkg_order(g, w) == 0,
		    "entry %zu: got %s %s %s %s %s, oracle says %s %s %s %s %s", i,
		    g->manager, g->name, g->version, g->arch, g->status,
		    w->manager, w->name, w->version, w->arch, w->status);
	}
	ck_assert_msg(got->n == want->n, "got %zu packages, oracle says %zu%s%s",
	    got->n, want->n, got->n > want->n ? "; first extra: " : "",
	    got->n > want->n ? got->v[want->n].name :
	    want->n > got->n ? want->v[got->n].name : "");
}

/* The word for the state letter of ${db:Status-Abbrev} (dpkg-query(1)). */
static const char *
abbrev_state(char c)
{
	switch (c) {
	case 'n': return "not-installed";
	case 'c': return "config-files";
	case 'H': return "half-installed";
	case 'U': return "unpacked";
	case 'F': return "half-configured";
	case 'W': return "triggers-awaited";
	case 't': return "triggers-pending";
	case 'i': return "installed";
	}
	return "?";
}

/*
 * What dpkg-query says is installed under root ("/" for the live system),
 * as a sorted list; admindir "" for dpkg's own default.
 */
static void
dpkg_oracle(const char *root, struct pkglist *l)
{
	char *out, *line, *save = NULL;

	if (strcmp(root, "/") == 0)
		out = capture("dpkg-query -W -f='${Package}\\t${Version}\\t"
		    "${Architecture}\\t${db:Status-Abbrev}\\n' 2>/dev/null");
	else
		out = capture("dpkg-query --admindir='%s/var/lib/dpkg' -W "
		    "-f='${Package}\\t${Version}\\t${Architecture}\\t"
		    "${db:Status-Abbrev}\\n' 2>/dev/null", root);
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *f[4], *p = line;
		const char *status;
		int i;

		for (i = 0; i < 4; i++) {
			f[i] = p;
			if (i < 3) {
				p = strchr(p, '\t');
				ck_assert_msg(p != NULL, "oracle line '%s'", line);
				*p++ = '\0';
			}
		}
		ck_assert_msg(strlen(f[3]) >= 2, "oracle abbrev '%s'", f[3]);
		if (f[3][1] == 'n')
			continue;	/* a selection, not a package */
		status = f[3][0] == 'h' && f[3][1] == 'i' ? "hold" : abbrev_state(f[3][1]);
		ck_assert_int_eq(pkglist_add(l, "dpkg", f[0], f[1], f[2], status), 0);
	}
	free(out);
	qsort(l->v, l->n, sizeof(*l->v), pkg_qcmp);
}

static int
read_managers(const char *root, const char *m1, const char *m2,
    struct pkglist *l, struct drift_error *err)
{
	char *m[2] = { (char *)m1, (char *)m2 };

	return pkgdb_read(root, m, m2 ? 2 : 1, l, err);
}

static const struct pkg *
find_pkg(const struct pkglist *l, const char *name, const char *arch)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0 &&
		    (arch == NULL || strcmp(l->v[i].arch, arch) == 0))
			return &l->v[i];
	return NULL;
}

/* --- dpkg --- */

/*
 * Every installed-ish state, hold, epochs, a Multi-Arch: same pair, a
 * not-installed selection, a stanza without Architecture, continuation
 * lines (including " ." and one with a colon), blank-run separators,
 * lower-case and padded field names, a mixed-case package name.
 */
static const char dpkg_status[] =
    "\n\n"
    "Package: base-files\n"
    "Essential: yes\n"
    "Status: install ok installed\n"
    "Priority: required\n"
    "Maintainer: Santiago Vila <sanvila@debian.org>\n"
    "Architecture: amd64\n"
    "Version: 12.4+deb12u5\n"
    "Conffiles:\n"
    " /etc/debian_version 0a1b2c\n"
    " /etc/issue 3d4e5f\n"
    "Description: Debian base system miscellaneous files\n"
    " This package contains the basic filesystem hierarchy.\n"
    " .\n"
    " Package: not-a-field inside a description\n"
    "\n"
    "Package: libc6\n"
    "Status: install ok installed\n"
    "Multi-Arch: same\n"
    "Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>\n"
    "Architecture: amd64\n"
    "Version: 2.36-9+deb12u4\n"
    "Description: GNU C Library: Shared libraries\n"
    "\n"
    "Package: libc6\n"
    "Status: install ok installed\n"
    "Multi-Arch: same\n"
    "Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>\n"
    "Architecture: i386\n"
    "Version: 2.36-9+deb12u4\n"
    "Description: GNU C Library: Shared libraries\n"
    "\n\n\n"
    "Package: epochy\n"
    "Status: hold ok installed\n"
    "Maintainer: m <m@example.org>\n"
    "Architecture: all\n"
    "Version: 1:2.0~rc1-3\n"
    "Description: held, with an epoch\n"
    "\n"
    "Package: oldconf\n"
    "Status: deinstall ok config-files\n"
    "Maintainer: m <m@example.org>\n"
    "Architecture: amd64\n"
    "Version: 0.9-1\n"
    "Description: removed, configuration kept\n"
    "\n"
    "Package: heldconf\n"
    "Status: hold ok config-files\n"
    "Maintainer: m <m@example.org>\n"
    "Architecture: amd64\n"
    "Version: 3:1.0\n"
    "Description: held but not installed\n"
    "\n"
    "Package: broken\n"
    "Status: install reinstreq half-installed\n"
    "Maintainer: m <m@example.org>\n"
    "Architecture: amd64\n"
    "Version: 3.0-1\n"
    "Description: half installed\n"
    "\n"
    "Package: noversion\n"
    "Status: install reinstreq half-installed\n"
    "Maintainer: m <m@example.org>\n"
    "Architecture: amd64\n"
    "Description: half installed, never had a version\n"
    "\n"
    "Package: gone\n"
    "Status: purge ok not-installed\n"
    "Architecture: amd64\n"
    "\n"
    "Package: epochy\n"
    "Status: purge ok not-installed\n"
    "Architecture: i386\n"
    "\n"
    "Package: wanted\n"
    "Status: install ok not-installed\n"
    "\n"
    "Package: unpacked-pkg\n"
    "Status: install ok unpacked\n"
    "Maintainer: m <m@example.org>\n"
    "Architecture: amd64\n"
    "Version: 5\n"
    "Description: unpacked\n"
    "\n"
    "Package: halfconf\n"
    "Status: install ok half-configured\n"
    "Maintainer: m <m@example.org>\n"
    "Architecture: amd64\n"
    "Version: 6-1\n"
    "Description: half configured\n"
    "\n"
    "Package: trig-p\n"
    "Status: install ok triggers-pending\n"
    "Maintainer: m <m@example.org>\n"
    "Architecture: amd64\n"
    "Version: 7\n"
    "Triggers-Pending: /usr/share/trig\n"
    "Description: triggers pending\n"
    "\n"
    "Package: trig-a\n"
    "Status: install ok triggers-awaited\n"
    "Maintainer: m <m@example.org>\n"
    "Architecture: amd64\n"
    "Version: 8\n"
    "Triggers-Awaited: trig-p\n"
    "Description: triggers awaited\n"
    "\n"
    "package: lowerfields\n"
    "status:   install   ok   installed   \n"
    "maintainer: m <m@example.org>\n"
    "ARCHITECTURE : arm64\n"
    "version:\t9.0-2   \n"
    "description: field names in any case, blanks around values\n"
    "\n"
    "Package: MixedCase\n"
    "Status: install ok installed\n"
    "Maintainer: m <m@example.org>\n"
    "Architecture: amd64\n"
    "Version: 10\n"
    "Description: dpkg lowercases names\n"
    "\n"
    "Package: noarch\n"
    "Status: install ok installed\n"
    "Maintainer: m <m@example.org>\n"
    "Version: 11\n"
    "Description: an old entry without Architecture\n";

START_TEST(test_dpkg_matches_dpkg_query)
{
	struct pkglist got = PKGLIST_INIT, want = PKGLIST_INIT;
	struct drift_error err = { 0, "" };
	char *root = tmpdir_new();
	int r;

	put(root, "var/lib/dpkg/status", dpkg_status);
	ck_assert(pkgdb_dpkg_ops.present(root));
	r = read_managers(root, "dpkg", NULL, &got, &err);
	ck_assert_msg(r == 0, "%s", drift_error_message(&err));
	dpkg_oracle(root, &want);
	assert_same(&got, &want);
	/* The fixture really exercises what it claims to. */
	ck_assert_uint_eq(got.n, 15);
	ck_assert_ptr_nonnull(find_pkg(&got, "libc6", "i386"));
	ck_assert_ptr_nonnull(find_pkg(&got, "mixedcase", NULL));
	ck_assert_ptr_null(find_pkg(&got, "gone", NULL));
	ck_assert_str_eq(find_pkg(&got, "epochy", NULL)->status, "hold");
	ck_assert_str_eq(find_pkg(&got, "epochy", NULL)->version, "1:2.0~rc1-3");
	ck_assert_str_eq(find_pkg(&got, "noversion", NULL)->version, "");
	ck_assert_str_eq(find_pkg(&got, "noarch", NULL)->arch, "");
	pkglist_release(&got);
	pkglist_release(&want);
	tmpdir_free(root);
}
END_TEST

/* dpkg refuses a last line without its newline; we read it, and the same packages. */
START_TEST(test_dpkg_missing_final_newline)
{
	struct pkglist got = PKGLIST_INIT, want = PKGLIST_INIT;
	struct drift_error err = { 0, "" };
	char *whole = tmpdir_new(), *cut = tmpdir_new();
	int r;

	put(whole, "var/lib/dpkg/status", dpkg_status);
	put_len(cut, "var/lib/dpkg/status", dpkg_status, strlen(dpkg_status) - 1);
	ck_assert_int_ne(run("dpkg-query --admindir='%s/var/lib/dpkg' -W "
	    ">/dev/null 2>&1", cut), 0);
	r = read_managers(cut, "dpkg", NULL, &got, &err);
	ck_assert_msg(r == 0, "%s", drift_error_message(&err));
	dpkg_oracle(whole, &want);
	assert_same(&got, &want);
	pkglist_release(&got);
	pkglist_release(&want);
	tmpdir_free(whole);
	tmpdir_free(cut);
}
END_TEST

/* An interrupted dpkg leaves updates/NNNN entries that dpkg-query applies on top of status. */
START_TEST(test_dpkg_updates_journal)
{
	struct pkglist got = PKGLIST_INIT, want = PKGLIST_INIT;
	struct drift_error err = { 0, "" };
	char *root = tmpdir_new();
	int r;

	put(root, "var/lib/dpkg/status", dpkg_status);
	put(root, "var/lib/dpkg/status",
	    "Package: base-files\nStatus: install ok installed\n"
	    "Maintainer: m\nArchitecture: amd64\nVersion: 12.4\nDescription: d\n\n"
	    "Package: oldconf\nStatus: deinstall ok config-files\n"
	    "Maintainer: m\nArchitecture: amd64\nVersion: 0.9-1\nDescription: d\n\n"
	    "Package: crossy\nStatus: install ok installed\n"
	    "Maintainer: m\nArchitecture: amd64\nVersion: 1\nDescription: d\n\n"
	    "Package: libz\nStatus: install ok installed\nMulti-Arch: same\n"
	    "Maintainer: m\nArchitecture: amd64\nVersion: 1\nDescription: d\n");
	/* An upgrade in progress. */
	put(root, "var/lib/dpkg/updates/0000",
	    "Package: base-files\nStatus: install ok unpacked\n"
	    "Maintainer: m\nArchitecture: amd64\nVersion: 12.5\nDescription: d\n");
	put(root, "var/lib/dpkg/updates/0001",
	    "Package: base-files\nStatus: install ok installed\n"
	    "Maintainer: m\nArchitecture: amd64\nVersion: 12.5\nDescription: d\n");
	/* A purge, a new package, a cross-grade, a second M-A: same instance. */
	put(root, "var/lib/dpkg/updates/0002",
	    "Package: oldconf\nStatus: purge ok not-installed\n"
	    "Maintainer: m\nArchitecture: amd64\nDescription: d\n");
	put(root, "var/lib/dpkg/updates/0003",
	    "Package: newpkg\nStatus: install ok installed\n"
	    "Maintainer: m\nArchitecture: all\nVersion: 2:1\nDescription: d\n");
	put(root, "var/lib/dpkg/updates/0004",
	    "Package: crossy\nStatus: install ok installed\n"
	    "Maintainer: m\nArchitecture: i386\nVersion: 1\nDescription: d\n");
	put(root, "var/lib/dpkg/updates/0005",
	    "Package: libz\nStatus: install ok installed\nMulti-Arch: same\n"
	    "Maintainer: m\nArchitecture: i386\nVersion: 1\nDescription: d\n");
	/* The entry being written: not yet part of the database. */
	put(root, "var/lib/dpkg/updates/tmp.i", "#padded\n#padded\n");
	r = read_managers(root, "dpkg", NULL, &got, &err);
	ck_assert_msg(r == 0, "%s", drift_error_message(&err));
	dpkg_oracle(root, &want);
	assert_same(&got, &want);
	ck_assert_uint_eq(got.n, 5);
	ck_assert_str_eq(find_pkg(&got, "base-files", NULL)->version, "12.5");
	ck_assert_str_eq(find_pkg(&got, "crossy", NULL)->arch, "i386");
	pkglist_release(&got);
	pkglist_release(&want);
	tmpdir_free(root);
}
END_TEST

/* The live system, whatever is installed on it. */
START_TEST(test_dpkg_live_system)
{
	struct pkglist got = PKGLIST_INIT, want = PKGLIST_INIT;
	struct drift_error err = { 0, "" };
	int r;

	ck_assert(pkgdb_dpkg_ops.present("/"));
	r = read_managers("/", "dpkg", NULL, &got, &err);
	ck_assert_msg(r == 0, "%s", drift_error_message(&err));
	dpkg_oracle("/", &want);
	ck_assert_uint_gt(want.n, 50);
	assert_same(&got, &want);
	pkglist_release(&got);
	pkglist_release(&want);
}
END_TEST

static const char stanza_ok[] =
    "Package: ok\nStatus: install ok installed\nMaintainer: m\n"
    "Architecture: amd64\nVersion: 1\nDescription: d\n";

/*
 * Files dpkg would refuse. Each must fail with DRIFT_EFORMAT, naming the
 * file and line; dpkg-query is asked too, so every case is one dpkg
 * rejects and not an invention of ours.
 */
#define NUL_TEXT \
	"Package: a\nStatus: install ok installed\nVersion: 1\nDescription: x\0y\n"

static const struct bad_case {
	const char *what;
	const char *text;
	size_t len;	/* 0: strlen(text) */
	unsigned line;
	const char *says;
	bool dpkg_accepts;	/* the one place we are stricter than dpkg */
} bad_cases[] = {
	{ "no Package field",
	  "Status: install ok installed\nVersion: 1\nArchitecture: amd64\n", 0,
	  1, "no 'Package' field", false },
	{ "unknown state",
	  "Package: a\nStatus: install ok bogus\nVersion: 1\n", 0,
	  2, "unknown state 'bogus'", false },
	{ "unknown want",
	  "Package: a\nVersion: 1\nStatus: instal ok installed\n", 0,
	  3, "unknown want 'instal'", false },
	{ "unknown error flag",
	  "Package: a\nStatus: install ko installed\nVersion: 1\n", 0,
	  2, "unknown error flag 'ko'", false },
	{ "two-word Status",
	  "Package: a\nStatus: install ok\nVersion: 1\n", 0,
	  2, "expected three words", false },
	{ "four-word Status",
	  "Package: a\nStatus: install ok installed now\nVersion: 1\n", 0,
	  2, "expected three words", false },
	{ "line without colon",
	  "Package: a\nStatus: install ok installed\nVersion 1\n", 0,
	  3, "is not a field", false },
	{ "empty field name",
	  "Package: a\n: x\nStatus: install ok installed\nVersion: 1\n", 0,
	  2, "bad field name", false },
	{ "continuation before any field",
	  " leading\nPackage: a\nStatus: install ok installed\nVersion: 1\n", 0,
	  1, "continuation line outside any field", false },
	{ "blank line missing between stanzas",
	  "Package: a\nStatus: install ok installed\nVersion: 1\n"
	  "Package: b\nStatus: install ok installed\nVersion: 1\n", 0,
	  4, "second 'Package' field", false },
	{ "installed without Version",
	  "Package: a\nStatus: install ok installed\nArchitecture: amd64\n", 0,
	  1, "needs a 'Version' field", false },
	{ "config-files without Version",
	  "\nPackage: a\nStatus: deinstall ok config-files\n", 0,
	  2, "needs a 'Version' field", false },
	{ "Version with a blank",
	  "Package: a\nStatus: install ok installed\nVersion: 1 2\n", 0,
	  3, "contains a blank", false },
	{ "Version on two lines",
	  "Package: a\nStatus: install ok installed\nVersion: 1\n 2\n", 0,
	  4, "continues onto a second line", false },
	{ "package listed twice",
	  "Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n\n"
	  "Package: a\nStatus: install ok installed\nVersion: 2\nArchitecture: amd64\n", 0,
	  6, "listed again (first at line 1)", false },
	{ "two arches without Multi-Arch: same",
	  "Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: i386\n\n"
	  "Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n", 0,
	  6, "listed again (first at line 1)", false },
	{ "CRLF line ends",
	  "Package: a\r\nStatus: install ok installed\r\nVersion: 1\r\n\r\n"
	  "Package: b\r\nStatus: install ok installed\r\nVersion: 1\r\n", 0,
	  5, "second 'Package' field", false },
	/*
	 * dpkg keeps a NUL inside a value; we refuse any: dpkg never writes
	 * one, and zero-filled blocks are what a crash leaves in a file.
	 */
	{ "NUL byte", NUL_TEXT, sizeof(NUL_TEXT) - 1, 4, "NUL byte", true },
};

START_TEST(test_dpkg_malformed)
{
	const struct bad_case *c = &bad_cases[_i];
	struct pkglist l = PKGLIST_INIT;
	struct drift_error err = { 0, "" };
	char *root = tmpdir_new(), *full, prefix[4200];
	size_t len = c->len ? c->len : strlen(c->text);
	int r;

	/* A good stanza first, so the failure must also undo an append. */
	full = malloc(sizeof(stanza_ok) + 1 + len);
	ck_assert_ptr_nonnull(full);
	memcpy(full, c->text, len);
	put_len(root, "var/lib/dpkg/status", full, len);
	ck_assert_msg((run("dpkg-query --admindir='%s/var/lib/dpkg' -W "
	    ">/dev/null 2>&1", root) == 0) == c->dpkg_accepts,
	    "%s: dpkg-query %s it", c->what, c->dpkg_accepts ? "refuses" : "accepts");
	ck_assert_int_eq(pkglist_add(&l, "dpkg", "kept", "1", "amd64", "installed"), 0);
	r = read_managers(root, "dpkg", NULL, &l, &err);
	ck_assert_msg(r == DRIFT_EFORMAT, "%s: got %d (%s)", c->what, r,
	    drift_error_message(&err));
	snprintf(prefix, sizeof(prefix), "'%s/var/lib/dpkg/status': line %u: ",
	    root, c->line);
	ck_assert_msg(strncmp(err.msg, prefix, strlen(prefix)) == 0,
	    "%s: message '%s' does not start with '%s'", c->what, err.msg, prefix);
	ck_assert_msg(strstr(err.msg, c->says) != NULL,
	    "%s: message '%s' does not say '%s'", c->what, err.msg, c->says);
	/* The caller's list is as it was. */
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].name, "kept");

	/* The same text after a good stanza: nothing of it stays in the list. */
	memcpy(full, stanza_ok, sizeof(stanza_ok) - 1);
	full[sizeof(stanza_ok) - 1] = '\n';
	memcpy(full + sizeof(stanza_ok), c->text, len);
	put_len(root, "var/lib/dpkg/status", full, sizeof(stanza_ok) + len);
	r = read_managers(root, "dpkg", NULL, &l, &err);
	ck_assert_int_eq(r, DRIFT_EFORMAT);
	ck_assert_uint_eq(l.n, 1);
	free(full);
	pkglist_release(&l);
	tmpdir_free(root);
}
END_TEST

START_TEST(test_dpkg_absent_and_empty)
{
	struct pkglist l = PKGLIST_INIT;
	struct drift_error err = { 0, "" };
	char *root = tmpdir_new(), want[4200];

	ck_assert(!pkgdb_dpkg_ops.present(root));
	/* Not present: skipped without error. */
	ck_assert_int_eq(read_managers(root, "dpkg", NULL, &l, &err), 0);
	ck_assert_uint_eq(l.n, 0);
	/* Read directly: an error naming the file. */
	ck_assert_int_eq(pkgdb_dpkg_ops.read(root, &l, &err), DRIFT_ENOTFOUND);
	snprintf(want, sizeof(want), "'%s/var/lib/dpkg/status': no such file", root);
	ck_assert_str_eq(err.msg, want);
	/* A directory where the file should be. */
	mkdirs(want + 1);
	ck_assert(!pkgdb_dpkg_ops.present(root));
	tmpdir_free(root);

	root = tmpdir_new();
	put(root, "var/lib/dpkg/status", "");
	ck_assert(pkgdb_dpkg_ops.present(root));
	ck_assert_int_eq(read_managers(root, "dpkg", NULL, &l, &err), 0);
	ck_assert_uint_eq(l.n, 0);
	put(root, "var/lib/dpkg/status", "\n\n\n");
	ck_assert_int_eq(read_managers(root, "dpkg", NULL, &l, &err), 0);
	ck_assert_uint_eq(l.n, 0);
	pkglist_release(&l);
	tmpdir_free(root);
}
END_TEST

/* --- the backend table --- */

START_TEST(test_pkgdb_find_and_names)
{
	struct pkglist l = PKGLIST_INIT;
	struct drift_error err = { 0, "" };
	char *root = tmpdir_new();
	char *p;

	ck_assert_ptr_eq(pkgdb_find("dpkg"), &pkgdb_dpkg_ops);
	ck_assert_ptr_null(pkgdb_find("zypper"));
	ck_assert_ptr_null(pkgdb_find(NULL));
	ck_assert_int_eq(read_managers("var/lib", "dpkg", NULL, &l, &err), DRIFT_EINVAL);
	ck_assert_str_eq(err.msg, "root 'var/lib': not an absolute path");
	ck_assert_int_eq(read_managers(root, "dpkg", "zypper", &l, &err), DRIFT_EINVAL);
	ck_assert_msg(strstr(err.msg, "'zypper'") != NULL, "%s", err.msg);
#ifdef HAVE_RPM
	ck_assert_ptr_eq(pkgdb_find("rpm"), &pkgdb_rpm_ops);
#else
	ck_assert_ptr_null(pkgdb_find("rpm"));
	ck_assert_int_eq(read_managers(root, "rpm", NULL, &l, &err), DRIFT_EUNSUPPORTED);
	ck_assert_msg(strstr(err.msg, "'rpm'") != NULL, "%s", err.msg);
#endif
	/* A manager listed twice is read once. */
	put(root, "var/lib/dpkg/status", stanza_ok);
	ck_assert_int_eq(read_managers(root, "dpkg", "dpkg", &l, &err), 0);
	ck_assert_uint_eq(l.n, 1);
	/* A root written with a trailing slash means the same. */
	p = malloc(strlen(root) + 2);
	ck_assert_ptr_nonnull(p);
	sprintf(p, "%s/", root);
	pkglist_release(&l);
	ck_assert_int_eq(read_managers(p, "dpkg", NULL, &l, &err), 0);
	ck_assert_uint_eq(l.n, 1);
	free(p);
	p = pkgdb_path("/", "/var/lib/rpm");
	ck_assert_str_eq(p, "/var/lib/rpm");
	free(p);
	p = pkgdb_path("/srv/img//", "/var/lib/rpm");
	ck_assert_str_eq(p, "/srv/img/var/lib/rpm");
	free(p);
	pkglist_release(&l);
	tmpdir_free(root);
}
END_TEST

/* --- rpm --- */
#ifdef HAVE_RPM

/* Built once per run: tiny noarch packages with and without an epoch. */
static char *rpm_work;

static const char *const rpm_specs[] = {
	"Name: drift-test-a\nEpoch: 2\nVersion: 1.2\nRelease: 3\n",
	"Name: drift-test-b\nVersion: 0.9~rc1\nRelease: 3.el9\n",
	"Name: drift-test-c\nEpoch: 0\nVersion: 5.0\nRelease: 1\n",
};
#define RPM_NSPECS (sizeof(rpm_specs) / sizeof(rpm_specs[0]))

static void
rpm_build_setup(void)
{
	char rel[64], spec[1024];
	size_t i;
	int st;

	rpm_work = tmpdir_new();
	for (i = 0; i < RPM_NSPECS; i++) {
		snprintf(rel, sizeof(rel), "spec/%zu.spec", i);
		snprintf(spec, sizeof(spec), "%sSummary: drift test package\n"
		    "License: MIT\nBuildArch: noarch\n%%description\n"
		    "A package for drift's tests.\n%%files\n", rpm_specs[i]);
		put(rpm_work, rel, spec);
	}
	st = run("cd '%s' && rpmbuild --quiet --define '_topdir %s/top' "
	    "--define '_dbpath %s/builddb' -bb spec/*.spec >build.log 2>&1",
	    rpm_work, rpm_work, rpm_work);
	if (st != 0) {
		fprintf(stderr, "rpmbuild failed (exit %d), see %s/build.log\n", st, rpm_work);
		abort();
	}
}

static void
rpm_build_teardown(void)
{
	tmpdir_free(rpm_work);
	rpm_work = NULL;
}

/* A root with an rpm database at dbpath holding every built package. */
static char *
rpm_root_new(const char *dbpath)
{
	char *root = tmpdir_new();

	ck_assert_int_eq(run("rpm --root '%s' --dbpath '%s' --initdb", root, dbpath), 0);
	ck_assert_int_eq(run("rpm --root '%s' --dbpath '%s' -i --nodeps --justdb "
	    "--noscripts '%s'/top/RPMS/noarch/*.rpm >/dev/null 2>&1",
	    root, dbpath, rpm_work), 0);
	return root;
}

/* What rpm itself says: epoch only when the header has one, like pkgdb_rpm. */
static void
rpm_oracle(const char *root, const char *dbpath, struct pkglist *l)
{
	char *out, *line, *save = NULL;

	out = capture("rpm --root '%s' --dbpath '%s' -qa --qf "
	    "'%%{NAME}\\t%%|EPOCH?{%%{EPOCH}:}:{}|%%{VERSION}-%%{RELEASE}\\t%%{ARCH}\\n'",
	    root, dbpath);
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *evr = strchr(line, '\t'), *arch;

		ck_assert_ptr_nonnull(evr);
		*evr++ = '\0';
		arch = strchr(evr, '\t');
		ck_assert_ptr_nonnull(arch);
		*arch++ = '\0';
		ck_assert_int_eq(pkglist_add(l, "rpm", line, evr, arch, "installed"), 0);
	}
	free(out);
	qsort(l->v, l->n, sizeof(*l->v), pkg_qcmp);
}

START_TEST(test_rpm_matches_rpm_query)
{
	struct pkglist got = PKGLIST_INIT, again = PKGLIST_INIT, want = PKGLIST_INIT;
	struct drift_error err = { 0, "" };
	char *root = rpm_root_new("/var/lib/rpm");
	int r;

	ck_assert(pkgdb_rpm_ops.present(root));
	r = read_managers(root, "rpm", NULL, &got, &err);
	ck_assert_msg(r == 0, "%s", drift_error_message(&err));
	rpm_oracle(root, "/var/lib/rpm", &want);
	assert_same(&got, &want);
	ck_assert_uint_eq(got.n, RPM_NSPECS);
	/* The epoch appears exactly when the package has one, 0 included. */
	ck_assert_str_eq(find_pkg(&got, "drift-test-a", NULL)->version, "2:1.2-3");
	ck_assert_str_eq(find_pkg(&got, "drift-test-b", NULL)->version, "0.9~rc1-3.el9");
	ck_assert_str_eq(find_pkg(&got, "drift-test-c", NULL)->version, "0:5.0-1");
	/* librpm state is per read: a second read sees the same. */
	r = read_managers(root, "rpm", NULL, &again, &err);
	ck_assert_msg(r == 0, "%s", drift_error_message(&err));
	assert_same(&again, &want);
	/* The per-user database Debian's rpm defaults to was never touched. */
	ck_assert(!exists(root, "root/.rpmdb"));
	pkglist_release(&got);
	pkglist_release(&again);
	pkglist_release(&want);
	tmpdir_free(root);
}
END_TEST

/* Newer Fedora/openSUSE/RHEL 10 keep it in /usr/lib/sysimage/rpm; an empty /var/lib/rpm is ignored. */
START_TEST(test_rpm_sysimage)
{
	struct pkglist got = PKGLIST_INIT, want = PKGLIST_INIT;
	struct drift_error err = { 0, "" };
	char *root = rpm_root_new("/usr/lib/sysimage/rpm");
	char dir[4200];
	int r;

	snprintf(dir, sizeof(dir), "%s/var/lib/rpm", root);
	mkdirs(dir);
	ck_assert(pkgdb_rpm_ops.present(root));
	r = read_managers(root, "rpm", NULL, &got, &err);
	ck_assert_msg(r == 0, "%s", drift_error_message(&err));
	rpm_oracle(root, "/usr/lib/sysimage/rpm", &want);
	assert_same(&got, &want);
	ck_assert_uint_eq(got.n, RPM_NSPECS);
	ck_assert(!exists(root, "var/lib/rpm/rpmdb.sqlite"));
	pkglist_release(&got);
	pkglist_release(&want);
	tmpdir_free(root);
}
END_TEST

/* Debian with the rpm tool installed has an empty /var/lib/rpm: not a database, and none is created. */
START_TEST(test_rpm_absent)
{
	struct pkglist l = PKGLIST_INIT;
	struct drift_error err = { 0, "" };
	char *root = tmpdir_new(), dir[4200];
	int r;

	snprintf(dir, sizeof(dir), "%s/var/lib/rpm", root);
	mkdirs(dir);
	ck_assert(!pkgdb_rpm_ops.present(root));
	ck_assert_int_eq(read_managers(root, "rpm", NULL, &l, &err), 0);
	ck_assert_uint_eq(l.n, 0);
	r = pkgdb_rpm_ops.read(root, &l, &err);
	ck_assert_int_eq(r, DRIFT_ENOTFOUND);
	ck_assert_msg(strstr(err.msg, dir) != NULL, "%s", err.msg);
	ck_assert_int_eq(run("test -z \"$(ls -A '%s')\"", dir), 0);
	ck_assert(!exists(root, "root"));
	ck_assert(!exists(root, "usr"));
	pkglist_release(&l);
	tmpdir_free(root);
}
END_TEST

/* A database file that is not one: an error naming the path, not an empty list. */
START_TEST(test_rpm_corrupt)
{
	struct pkglist l = PKGLIST_INIT;
	struct drift_error err = { 0, "" };
	char *root = tmpdir_new(), dir[4200];
	int r;

	put(root, "var/lib/rpm/rpmdb.sqlite", "this is not an sqlite database, "
	    "just text long enough to have a header's worth of bytes in it\n");
	snprintf(dir, sizeof(dir), "'%s/var/lib/rpm'", root);
	ck_assert(pkgdb_rpm_ops.present(root));
	/* dpkg is read first and fine: its packages must not stay behind either. */
	put(root, "var/lib/dpkg/status", stanza_ok);
	ck_assert_int_eq(pkglist_add(&l, "dpkg", "kept", "1", "amd64", "installed"), 0);
	LEAKS_EXCUSED_BEGIN();
	r = read_managers(root, "dpkg", "rpm", &l, &err);
	LEAKS_EXCUSED_END();
	ck_assert_msg(r < 0, "a corrupt database read as %zu packages", l.n);
	ck_assert_msg(strncmp(err.msg, dir, strlen(dir)) == 0, "%s", err.msg);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].name, "kept");
	pkglist_release(&l);
	tmpdir_free(root);
}
END_TEST

/* Both managers under one root: one list ordered by name, arch, then manager. */
START_TEST(test_rpm_and_dpkg_sorted)
{
	struct pkglist got = PKGLIST_INIT, d = PKGLIST_INIT, r1 = PKGLIST_INIT;
	struct drift_error err = { 0, "" };
	char *root = rpm_root_new("/var/lib/rpm");
	size_t i, j;
	int r;

	put(root, "var/lib/dpkg/status",
	    "Package: drift-test-b\nStatus: install ok installed\nMaintainer: m\n"
	    "Architecture: noarch\nVersion: 1\nDescription: same name and arch as an rpm\n\n"
	    "Package: aaa\nStatus: install ok installed\nMaintainer: m\n"
	    "Architecture: amd64\nVersion: 1\nDescription: d\n\n"
	    "Package: zzz\nStatus: install ok installed\nMaintainer: m\n"
	    "Architecture: amd64\nVersion: 1\nDescription: d\n");
	r = read_managers(root, "rpm", "dpkg", &got, &err);
	ck_assert_msg(r == 0, "%s", drift_error_message(&err));
	dpkg_oracle(root, &d);
	rpm_oracle(root, "/var/lib/rpm", &r1);
	ck_assert_uint_eq(got.n, d.n + r1.n);
	/* Every package of each oracle is there... */
	for (i = 0; i < d.n + r1.n; i++) {
		const struct pkg *w = i < d.n ? &d.v[i] : &r1.v[i - d.n];

		for (j = 0; j < got.n; j++)
			if (pkg_order(&got.v[j], w) == 0)
				break;
		ck_assert_msg(j < got.n, "%s %s missing", w->manager, w->name);
	}
	/* ...in order, dpkg before rpm for the same name and arch. */
	for (i = 1; i < got.n; i++)
		ck_assert_msg(pkg_order(&got.v[i - 1], &got.v[i]) < 0,
		    "%s/%s before %s/%s", got.v[i - 1].manager, got.v[i - 1].name,
		    got.v[i].manager, got.v[i].name);
	ck_assert_str_eq(got.v[0].name, "aaa");
	ck_assert_str_eq(got.v[got.n - 1].name, "zzz");
	pkglist_release(&got);
	pkglist_release(&d);
	pkglist_release(&r1);
	tmpdir_free(root);
}
END_TEST

#endif /* HAVE_RPM */

Suite *make_pkgdb_suite(void);

Suite *
make_pkgdb_suite(void)
{
	Suite *s = suite_create("pkgdb");
	TCase *tc = tcase_create("dpkg");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_dpkg_matches_dpkg_query);
	tcase_add_test(tc, test_dpkg_missing_final_newline);
	tcase_add_test(tc, test_dpkg_updates_journal);
	tcase_add_test(tc, test_dpkg_live_system);
	tcase_add_loop_test(tc, test_dpkg_malformed, 0,
	    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, test_dpkg_absent_and_empty);
	tcase_add_test(tc, test_pkgdb_find_and_names);
	suite_add_tcase(s, tc);
#ifdef HAVE_RPM
	tc = tcase_create("rpm");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, rpm_build_setup, rpm_build_teardown);
	tcase_add_test(tc, test_rpm_matches_rpm_query);
	tcase_add_test(tc, test_rpm_sysimage);
	tcase_add_test(tc, test_rpm_absent);
	tcase_add_test(tc, test_rpm_corrupt);
	tcase_add_test(tc, test_rpm_and_dpkg_sorted);
	suite_add_tcase(s, tc);
#endif
	return s;
}
