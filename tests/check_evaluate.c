/* SPDX-License-Identifier: MIT */
/* check_evaluate.c - holding baselines to standards: every rule kind, globs, packages, remedies run by bash. */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "baseline.h"
#include "digest.h"
#include "error.h"
#include "glob.h"
#include "standard.h"

Suite *make_evaluate_suite(void);

/* ------------------------------------------- baselines built in memory */

struct blob {
	uint8_t sha[DIGEST_LEN];
	const void *data;
	size_t len;
};

/* A baseline under construction: entries in any order, sorted by tb_build. */
struct tb {
	Drift__Baseline pb;
	Drift__HostFacts host;
	Drift__FileEntry **files;
	size_t nf, capf;
	Drift__PackageEntry **pkgs;
	size_t np, capp;
	struct blob *blobs;
	size_t nblobs, capblobs;
	void **owned;		/* everything to free */
	size_t nowned, capowned;
};

static void *
grow(void *v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 16;
	v = realloc(v, *cap * size);
	ck_assert_ptr_nonnull(v);
	return v;
}

static void *
keep(struct tb *t, void *p)
{
	ck_assert_ptr_nonnull(p);
	t->owned = grow(t->owned, &t->capowned, t->nowned, sizeof(*t->owned));
	t->owned[t->nowned++] = p;
	return p;
}

static void
tb_init(struct tb *t, const char *os_id)
{
	memset(t, 0, sizeof(*t));
	drift__baseline__init(&t->pb);
	drift__host_facts__init(&t->host);
	t->pb.format_version = BASELINE_FORMAT_VERSION;
	t->pb.host_id = "web01";
	t->host.hostname = "web01";
	t->host.os_id = (char *)os_id;
	t->host.os_version = "12";
	t->pb.host = &t->host;
}

/* A regular file owned by root:root (change the fields afterwards). */
static Drift__FileEntry *
tb_file_n(struct tb *t, const char *path, size_t len, Drift__FileType type, unsigned mode)
{
	Drift__FileEntry *f = keep(t, calloc(1, sizeof(*f)));

	drift__file_entry__init(f);
	f->path.data = keep(t, malloc(len + 1));
	memcpy(f->path.data, path, len);
	f->path.len = len;
	f->type = type;
	f->mode = mode;
	f->owner = "root";
	f->group = "root";
	t->files = grow(t->files, &t->capf, t->nf, sizeof(*t->files));
	t->files[t->nf++] = f;
	return f;
}

static Drift__FileEntry *
tb_file(struct tb *t, const char *path, Drift__FileType type, unsigned mode)
{
	return tb_file_n(t, path, strlen(path), type, mode);
}

/* The digest of data on f; its content kept in the baseline when capture is set. */
static void
tb_content(struct tb *t, Drift__FileEntry *f, const char *data, bool capture)
{
	struct blob *b;

	f->sha256.data = keep(t, malloc(DIGEST_LEN));
	f->sha256.len = DIGEST_LEN;
	ck_assert_int_eq(digest_sha256(data, strlen(data), f->sha256.data), 0);
	f->size = strlen(data);
	if (!capture)
		return;
	f->content_captured = true;
	t->blobs = grow(t->blobs, &t->capblobs, t->nblobs, sizeof(*t->blobs));
	b = &t->blobs[t->nblobs++];
	memcpy(b->sha, f->sha256.data, DIGEST_LEN);
	b->data = data;
	b->len = strlen(data);
}

static Drift__PackageEntry *
tb_pkg(struct tb *t, const char *manager, const char *name, const char *version,
    const char *arch, const char *status)
{
	Drift__PackageEntry *p = keep(t, calloc(1, sizeof(*p)));

	drift__package_entry__init(p);
	p->manager = (char *)manager;
	p->name = (char *)name;
	p->version = (char *)version;
	p->arch = (char *)arch;
	p->status = (char *)status;
	t->pkgs = grow(t->pkgs, &t->capp, t->np, sizeof(*t->pkgs));
	t->pkgs[t->np++] = p;
	return p;
}

static int
cmp_file(const void *a, const void *b)
{
	return file_entry_cmp(*(Drift__FileEntry *const *)a, *(Drift__FileEntry *const *)b);
}

static int
cmp_pkg(const void *a, const void *b)
{
	return package_entry_cmp(*(Drift__PackageEntry *const *)a, *(Drift__PackageEntry *const *)b);
}

/* Pack, decode and validate like any baseline read from disk. */
static struct baseline *
tb_build(struct tb *t)
{
	struct drift_error err = { 0 };
	struct baseline *b;
	uint8_t *data;
	size_t len, i;

	if (t->nf > 0)
		qsort(t->files, t->nf, sizeof(*t->files), cmp_file);
	if (t->np > 0)
		qsort(t->pkgs, t->np, sizeof(*t->pkgs), cmp_pkg);
	t->pb.files = t->files;
	t->pb.n_files = t->nf;
	t->pb.packages = t->pkgs;
	t->pb.n_packages = t->np;
	len = drift__baseline__get_packed_size(&t->pb);
	data = malloc(len + 1);
	ck_assert_ptr_nonnull(data);
	ck_assert_uint_eq(drift__baseline__pack(&t->pb, data), len);
	ck_assert_ptr_nonnull(b = baseline_new("test"));
	ck_assert_msg(baseline_decode_into(b, data, len, &err) == 0, "%s", err.msg);
	for (i = 0; i < t->nblobs; i++)
		ck_assert_int_eq(baseline_add_content(b, t->blobs[i].sha, t->blobs[i].data,
		    t->blobs[i].len), 0);
	free(data);
	return b;
}

static void
tb_release(struct tb *t)
{
	size_t i;

	for (i = 0; i < t->nowned; i++)
		free(t->owned[i]);
	free(t->owned);
	free(t->files);
	free(t->pkgs);
	free(t->blobs);
}

/* Load text as a standard and evaluate b against it. */
static struct standard *
evaluate(const char *text, const struct baseline *b, struct evaluation *ev)
{
	struct drift_error err = { 0 };
	struct standard *s = NULL;

	ck_assert_msg(standard_load_buffer("t.yaml", text, strlen(text), &s, &err) == 0,
	    "%s\n%s", err.msg, text);
	ck_assert_int_eq(standard_evaluate(s, b, ev), 0);
	return s;
}

static void
hex_of(const char *data, char hex[DIGEST_HEX_LEN + 1])
{
	uint8_t d[DIGEST_LEN];

	ck_assert_int_eq(digest_sha256(data, strlen(data), d), 0);
	digest_hex(d, DIGEST_LEN, hex);
}

/* Replace every "SHA" in in by sha and every "OTHER" by other. */
static void
subst(const char *in, const char *sha, const char *other, char *out, size_t size)
{
	size_t o = 0;

	while (*in != '\0' && o + 65 < size) {
		if (strncmp(in, "SHA", 3) == 0) {
			o += (size_t)snprintf(out + o, size - o, "%s", sha);
			in += 3;
		} else if (strncmp(in, "OTHER", 5) == 0) {
			o += (size_t)snprintf(out + o, size - o, "%s", other);
			in += 5;
		} else
			out[o++] = *in++;
	}
	out[o] = '\0';
}

/* ----------------------------------------------------- every rule kind */

enum capture { C_NONE, C_CAPTURED, C_HASHED, C_LOST };

struct kind_case {
	const char *rule;	/* lines under "- path: /etc/x" */
	int type;		/* Drift__FileType; 0: no entry at all */
	unsigned mode;
	const char *owner;
	uint32_t uid;
	const char *target;
	const char *content;
	enum capture capture;
	const char *error;
	const char *check;	/* NULL: the rule passes */
	enum finding_status status;
	const char *message, *remedy;
};

#define REG DRIFT__FILE_TYPE__FILE_TYPE_REGULAR
#define DIR DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY
#define LNK DRIFT__FILE_TYPE__FILE_TYPE_SYMLINK
#define FAIL FINDING_FAIL
#define UNEV FINDING_UNEVALUATED
#define SSHD "Port 22\nPermitEmptyPasswords yes\nPermitRootLogin prohibit-password\n"

static const struct kind_case kind_cases[] = {
	/* owner and group */
	{ "owner: root", REG, 0644, "root", 0, NULL, NULL, C_NONE, NULL, NULL, FAIL, NULL, NULL },
	{ "owner: root", REG, 0644, "daemon", 1, NULL, NULL, C_NONE, NULL,
	  "owner", FAIL, "owner is daemon; the standard requires root", "chown root /etc/x" },
	{ "owner: '1234'", REG, 0644, "", 1234, NULL, NULL, C_NONE, NULL, NULL, FAIL, NULL, NULL },
	{ "owner: root", REG, 0644, "", 1234, NULL, NULL, C_NONE, NULL,
	  "owner", FAIL, "owner is 1234; the standard requires root", "chown root /etc/x" },
	{ "group: shadow", REG, 0640, "root", 0, NULL, NULL, C_NONE, NULL,
	  "group", FAIL, "group is root; the standard requires shadow", "chgrp shadow /etc/x" },
	/* mode and mode_max */
	{ "mode: '0600'", REG, 0600, "root", 0, NULL, NULL, C_NONE, NULL, NULL, FAIL, NULL, NULL },
	{ "mode: '0600'", REG, 0644, "root", 0, NULL, NULL, C_NONE, NULL,
	  "mode", FAIL, "mode is 0644; the standard requires 0600", "chmod 0600 /etc/x" },
	{ "mode: 755", REG, 04755, "root", 0, NULL, NULL, C_NONE, NULL,
	  "mode", FAIL, "mode is 4755; the standard requires 0755", "chmod 0755 /etc/x" },
	{ "mode: 755", DIR, 02755, "root", 0, NULL, NULL, C_NONE, NULL,
	  "mode", FAIL, "mode is 2755; the standard requires 0755", "chmod 00755 /etc/x" },
	{ "mode: 1777", DIR, 0777, "root", 0, NULL, NULL, C_NONE, NULL,
	  "mode", FAIL, "mode is 0777; the standard requires 1777", "chmod 1777 /etc/x" },
	{ "mode_max: '0640'", REG, 0600, "root", 0, NULL, NULL, C_NONE, NULL, NULL, FAIL, NULL, NULL },
	{ "mode_max: '0640'", REG, 0640, "root", 0, NULL, NULL, C_NONE, NULL, NULL, FAIL, NULL, NULL },
	{ "mode_max: '0640'", REG, 0644, "root", 0, NULL, NULL, C_NONE, NULL,
	  "mode_max", FAIL, "mode 0644 allows bits beyond 0640", "chmod 0640 /etc/x" },
	{ "mode_max: '0755'", REG, 04755, "root", 0, NULL, NULL, C_NONE, NULL,
	  "mode_max", FAIL, "mode 4755 allows bits beyond 0755", "chmod 0755 /etc/x" },
	{ "mode_max: '0755'", DIR, 03777, "root", 0, NULL, NULL, C_NONE, NULL,
	  "mode_max", FAIL, "mode 3777 allows bits beyond 0755", "chmod 00755 /etc/x" },
	/* a symlink's own bits mean nothing */
	{ "mode: '0600'\n    mode_max: '0600'", LNK, 0777, "root", 0, "/y", NULL, C_NONE, NULL,
	  NULL, FAIL, NULL, NULL },
	/* type and target */
	{ "type: regular", REG, 0644, "root", 0, NULL, NULL, C_NONE, NULL, NULL, FAIL, NULL, NULL },
	{ "type: regular", DIR, 0755, "root", 0, NULL, NULL, C_NONE, NULL,
	  "type", FAIL, "is a directory; the standard requires a regular file",
	  "replace /etc/x with a regular file, as in the last good baseline" },
	{ "type: char", REG, 0644, "root", 0, NULL, NULL, C_NONE, NULL,
	  "type", FAIL, "is a regular file; the standard requires a character device",
	  "replace /etc/x with a character device, as in the last good baseline" },
	{ "target: /usr/bin/vim.basic", LNK, 0777, "root", 0, "/usr/bin/vim.basic", NULL, C_NONE,
	  NULL, NULL, FAIL, NULL, NULL },
	{ "target: /usr/bin/vim.basic", LNK, 0777, "root", 0, "/usr/bin/nano", NULL, C_NONE, NULL,
	  "target", FAIL, "points to '/usr/bin/nano'; the standard requires a symlink to '/usr/bin/vim.basic'",
	  "ln -sfn /usr/bin/vim.basic /etc/x" },
	{ "target: /usr/bin/vim.basic", REG, 0644, "root", 0, NULL, NULL, C_NONE, NULL,
	  "target", FAIL, "is a regular file, not a symlink; the standard requires a symlink to '/usr/bin/vim.basic'",
	  "ln -sfn /usr/bin/vim.basic /etc/x" },
	{ "target: ../lib/it's", LNK, 0777, "root", 0, "../lib/its", NULL, C_NONE, NULL,
	  "target", FAIL, "points to '../lib/its'; the standard requires a symlink to '../lib/it's'",
	  "ln -sfn '../lib/it'\\''s' /etc/x" },
	/* sha256 */
	{ "sha256: SHA", REG, 0644, "root", 0, NULL, "approved\n", C_HASHED, NULL,
	  NULL, FAIL, NULL, NULL },
	{ "sha256: SHA", REG, 0644, "root", 0, NULL, "tampered\n", C_HASHED, NULL,
	  "sha256", FAIL, "sha256 is OTHER; the standard requires SHA",
	  "restore the approved content of /etc/x" },
	{ "sha256: SHA", DIR, 0755, "root", 0, NULL, NULL, C_NONE, NULL,
	  "sha256", FAIL, "is a directory; the standard requires a regular file with sha256 SHA",
	  "restore the approved content of /etc/x" },
	{ "sha256: SHA", REG, 0600, "root", 0, NULL, NULL, C_NONE, "open: permission denied",
	  "sha256", UNEV, "the content could not be hashed: 'open: permission denied'",
	  "let the agent read /etc/x, then take a new snapshot" },
	/* content */
	{ "contains: PermitRootLogin prohibit-password", REG, 0644, "root", 0, NULL, SSHD,
	  C_CAPTURED, NULL, NULL, FAIL, NULL, NULL },
	{ "contains: PermitRootLogin no", REG, 0644, "root", 0, NULL, SSHD, C_CAPTURED, NULL,
	  "contains", FAIL, "does not contain 'PermitRootLogin no'; the standard requires it",
	  "edit /etc/x so that it contains 'PermitRootLogin no'" },
	{ "contains: x", REG, 0644, "root", 0, NULL, "", C_CAPTURED, NULL,
	  "contains", FAIL, "does not contain 'x'; the standard requires it",
	  "edit /etc/x so that it contains 'x'" },
	{ "contains: \"a\\tb\\n\"", REG, 0644, "root", 0, NULL, "a b\n", C_CAPTURED, NULL,
	  "contains", FAIL, "does not contain 'a\\tb\\n'; the standard requires it",
	  "edit /etc/x so that it contains 'a\\tb\\n'" },
	{ "not_contains: PermitEmptyPasswords no", REG, 0644, "root", 0, NULL, SSHD, C_CAPTURED,
	  NULL, NULL, FAIL, NULL, NULL },
	{ "not_contains: PermitEmptyPasswords yes", REG, 0644, "root", 0, NULL, SSHD, C_CAPTURED,
	  NULL, "not_contains", FAIL,
	  "contains 'PermitEmptyPasswords yes' at line 2; the standard forbids it",
	  "edit /etc/x to remove 'PermitEmptyPasswords yes'" },
	{ "matches: '^Port[[:space:]]+22$'", REG, 0644, "root", 0, NULL, SSHD, C_CAPTURED, NULL,
	  NULL, FAIL, NULL, NULL },
	{ "matches: '^Port[[:space:]]+22$'", REG, 0644, "root", 0, NULL, "a\nPort 22", C_CAPTURED,
	  NULL, NULL, FAIL, NULL, NULL },
	{ "matches: '^Port[[:space:]]+22$'", REG, 0644, "root", 0, NULL, "# Port 22\n", C_CAPTURED,
	  NULL, "matches", FAIL, "no line matches '^Port[[:space:]]+22$'; the standard requires one",
	  "edit /etc/x so that a line matches '^Port[[:space:]]+22$'" },
	{ "matches: '^PermitRootLogin (no|prohibit-password)$'", REG, 0644, "root", 0, NULL, SSHD,
	  C_CAPTURED, NULL, NULL, FAIL, NULL, NULL },
	/* content that is not there is never a pass */
	{ "contains: x", REG, 0644, "root", 0, NULL, "x\n", C_HASHED, NULL,
	  "contains", UNEV,
	  "the content of '/etc/x' was not captured; add it to the agent's capture globs",
	  "add /etc/x to capture: in the agent's configuration, then take a new snapshot" },
	{ "not_contains: x\n    remedy: ignored here", REG, 0644, "root", 0, NULL, NULL, C_NONE,
	  "open: permission denied", "not_contains", UNEV,
	  "the content could not be read ('open: permission denied'), so it could not be checked",
	  "let the agent read /etc/x, then take a new snapshot" },
	{ "matches: x", DIR, 0755, "root", 0, NULL, NULL, C_NONE, NULL, "matches", UNEV,
	  "is a directory, not a regular file, so its content cannot be checked",
	  "restore the regular file /etc/x from the last good baseline" },
	{ "contains: x", REG, 0644, "root", 0, NULL, "x\n", C_LOST, NULL, "contains", UNEV,
	  "the content was captured but is not in this baseline (a bare baseline.pb?); check the bundle instead",
	  "run the check on the bundle the agent sent, which holds the content" },
	/* existence */
	{ "absent: true", 0, 0, NULL, 0, NULL, NULL, C_NONE, NULL, NULL, FAIL, NULL, NULL },
	{ "absent: true", REG, 0644, "root", 0, NULL, NULL, C_NONE, NULL,
	  "absent", FAIL, "exists (a regular file); the standard requires it to be absent",
	  "rm -f -- /etc/x" },
	{ "absent: true", DIR, 0755, "root", 0, NULL, NULL, C_NONE, NULL,
	  "absent", FAIL, "exists (a directory); the standard requires it to be absent",
	  "rm -r -- /etc/x" },
	{ "absent: false", 0, 0, NULL, 0, NULL, NULL, C_NONE, NULL,
	  "exists", FAIL, "does not exist; the standard requires it",
	  "restore /etc/x from the last good baseline or reinstall the package that provides it" },
	{ "mode: '0600'\n    contains: x", 0, 0, NULL, 0, NULL, NULL, C_NONE, NULL,
	  "exists", FAIL, "does not exist; the standard requires it",
	  "restore /etc/x from the last good baseline or reinstall the package that provides it" },
	/* the rule's own remedy replaces the computed one */
	{ "mode: '0600'\n    remedy: chmod 600 and reload ssh", REG, 0644, "root", 0, NULL, NULL,
	  C_NONE, NULL, "mode", FAIL, "mode is 0644; the standard requires 0600",
	  "chmod 600 and reload ssh" },
};

START_TEST(test_rule_kind)
{
	const struct kind_case *c = &kind_cases[_i];
	char sha[DIGEST_HEX_LEN + 1], other[DIGEST_HEX_LEN + 1], text[1024], want[512];
	struct evaluation ev;
	struct baseline *b;
	struct standard *s;
	struct tb t;

	hex_of("approved\n", sha);
	hex_of(c->content != NULL ? c->content : "", other);
	tb_init(&t, "debian");
	tb_file(&t, "/etc", DIR, 0755);
	tb_file(&t, "/etc/x-y", REG, 0777);	/* neighbours that must not be looked at */
	tb_file(&t, "/etc/x/y", REG, 0777);
	if (c->type != 0) {
		Drift__FileEntry *f = tb_file(&t, "/etc/x", (Drift__FileType)c->type, c->mode);

		f->owner = (char *)c->owner;
		f->uid = c->uid;
		if (c->target != NULL) {
			f->target.data = (uint8_t *)c->target;
			f->target.len = strlen(c->target);
		}
		if (c->content != NULL)
			tb_content(&t, f, c->content, c->capture == C_CAPTURED);
		if (c->capture == C_LOST)
			f->content_captured = true;
		if (c->error != NULL)
			f->error = (char *)c->error;
	}
	b = tb_build(&t);
	snprintf(want, sizeof(want), "standard: t\nfiles:\n  - path: /etc/x\n    %s\n", c->rule);
	subst(want, sha, other, text, sizeof(text));
	s = evaluate(text, b, &ev);
	ck_assert_uint_eq(ev.rules, 1);
	if (c->check == NULL) {
		ck_assert_msg(ev.n == 0, "case %d: unexpected finding %s: %s", _i,
		    ev.n ? ev.v[0].check : "", ev.n ? ev.v[0].message : "");
		ck_assert_int_eq(evaluation_status(&ev), 0);
	} else {
		const struct finding *x = &ev.v[0];

		ck_assert_msg(ev.n == 1, "case %d: %zu findings", _i, ev.n);
		ck_assert_str_eq(x->check, c->check);
		ck_assert_str_eq(x->rule, "file:/etc/x");
		ck_assert_int_eq(x->status, c->status);
		ck_assert_int_eq(x->severity, SEVERITY_WARNING);
		ck_assert_str_eq(x->subject, "/etc/x");
		ck_assert_uint_eq(x->subject_len, 6);
		subst(c->message, sha, other, want, sizeof(want));
		ck_assert_str_eq(x->message, want);
		ck_assert_str_eq(x->remedy, c->remedy);
		ck_assert_ptr_eq(x->origin, &s->files[0].origin);
		ck_assert_uint_eq(ev.unevaluated, c->status == UNEV);
		ck_assert_uint_eq(ev.count[SEVERITY_WARNING], c->status == FAIL);
		ck_assert_int_eq(evaluation_status(&ev), c->status == UNEV ? 3 : 1);
	}
	evaluation_release(&ev);
	ck_assert_ptr_null(ev.v);
	ck_assert_uint_eq(ev.n, 0);
	standard_free(s);
	baseline_free(b);
	tb_release(&t);
}
END_TEST

/* Several checks of one rule failing on one file: one finding each, in check order. */
START_TEST(test_one_finding_per_check)
{
	static const char std[] =
	    "standard: t\nfiles:\n  - path: /etc/shadow\n    owner: root\n    group: shadow\n"
	    "    mode: '0640'\n    contains: [a, b, c]\n    description: the password hashes\n"
	    "    severity: critical\n";
	struct evaluation ev;
	struct baseline *b;
	struct standard *s;
	Drift__FileEntry *f;
	struct tb t;

	tb_init(&t, "debian");
	f = tb_file(&t, "/etc/shadow", REG, 0644);
	f->owner = "daemon";
	tb_content(&t, f, "b\n", true);
	b = tb_build(&t);
	s = evaluate(std, b, &ev);
	ck_assert_uint_eq(ev.n, 5);
	ck_assert_str_eq(ev.v[0].check, "owner");
	ck_assert_str_eq(ev.v[1].check, "group");
	ck_assert_str_eq(ev.v[2].check, "mode");
	ck_assert_str_eq(ev.v[3].check, "contains");
	ck_assert_str_eq(ev.v[3].message, "does not contain 'a'; the standard requires it");
	ck_assert_str_eq(ev.v[4].message, "does not contain 'c'; the standard requires it");
	ck_assert_str_eq(ev.v[4].description, "the password hashes");
	ck_assert_int_eq(ev.v[4].severity, SEVERITY_CRITICAL);
	ck_assert_uint_eq(ev.count[SEVERITY_CRITICAL], 5);
	ck_assert_int_eq(evaluation_status(&ev), 2);
	evaluation_release(&ev);
	standard_free(s);
	baseline_free(b);
	tb_release(&t);
}
END_TEST

/* ------------------------------------------------------------------ globs */

static const char *const glob_paths[] = {
	"/", "/etc", "/etc0", "/etd", "/etc/a", "/etc/a-b", "/etc/a.b", "/etc/a/b",
	"/etc/a/b/c.key", "/etc/a0", "/etc/ab", "/etc/a*b", "/etc/b", "/etc/ssh",
	"/etc/ssh/ssh_host_rsa_key", "/etc/ssh/ssh_host_rsa_key.pub",
	"/etc/ssh/ssh_host_ed25519_key", "/etc/ssh/sshd_config", "/etc/ssl/private/x.key",
	"/root/x.key", "/root/.key", "/x.key", "/etc/\xff\n.key", "/etc/a\\b",
	"/usr/lib/key", "/etc/ssh/ssh_host_key",
};

static const char *const glob_patterns[] = {
	"/etc/**", "**/*.key", "/etc/ssh/ssh_host_*_key", "/etc/a*", "/etc/a/**", "/etc/a-b*",
	"/etc/a?b", "/etc/[ab]*", "/etc/a\\*b", "/etc/a\\\\b", "/**", "**", "/etc*", "/etc/**/*.key",
	"/etc/a[", "/nothing/**", "/etc/a/b/c.k?y", "/*", "/etc/ssh/*",
};

/* Every entry a glob matches, and no other, whatever its prefix: brute force is the oracle. */
START_TEST(test_glob_range)
{
	const char *pat = glob_patterns[_i];
	char text[256], yaml[64];
	struct evaluation ev;
	struct baseline *b;
	struct standard *s;
	struct tb t;
	size_t i, k, expected = 0, o = 0;

	tb_init(&t, "debian");
	for (i = 0; i < sizeof(glob_paths) / sizeof(glob_paths[0]); i++)
		tb_file(&t, glob_paths[i], REG, 0644);
	b = tb_build(&t);
	/* YAML double quotes: escape the backslashes */
	for (k = 0; pat[k] != '\0'; k++) {
		if (pat[k] == '\\')
			yaml[o++] = '\\';
		yaml[o++] = pat[k];
	}
	yaml[o] = '\0';
	snprintf(text, sizeof(text), "standard: t\nfiles:\n  - path: \"%s\"\n    absent: true\n", yaml);
	s = evaluate(text, b, &ev);
	ck_assert_str_eq(s->files[0].path, pat);
	for (i = 0, k = 0; i < b->pb->n_files; i++) {
		const Drift__FileEntry *f = b->pb->files[i];

		if (!glob_match(pat, (const char *)f->path.data, f->path.len))
			continue;
		expected++;
		ck_assert_msg(k < ev.n, "%s: missing %s", pat, (const char *)f->path.data);
		ck_assert_uint_eq(ev.v[k].subject_len, f->path.len);
		ck_assert_msg(memcmp(ev.v[k].subject, f->path.data, f->path.len) == 0,
		    "%s: expected %s, got %s", pat, (const char *)f->path.data, ev.v[k].subject);
		ck_assert_str_eq(ev.v[k].check, "absent");
		k++;
	}
	ck_assert_msg(ev.n == expected, "%s: %zu findings, %zu matches", pat, ev.n, expected);
	evaluation_release(&ev);
	standard_free(s);
	baseline_free(b);
	tb_release(&t);
}
END_TEST

/* A few fixed answers, so the oracle above is not the only judge. */
START_TEST(test_glob_known)
{
	static const char std[] =
	    "standard: t\nfiles:\n"
	    "  - {path: '/etc/a*', absent: true, severity: critical}\n"
	    "  - {path: '/etc/ssh/ssh_host_*_key', mode: '0600'}\n"
	    "  - {path: '/nothing/**', mode: '0600'}\n";
	struct evaluation ev;
	struct baseline *b;
	struct standard *s;
	struct tb t;
	size_t i;

	tb_init(&t, "debian");
	for (i = 0; i < sizeof(glob_paths) / sizeof(glob_paths[0]); i++)
		tb_file(&t, glob_paths[i], REG, 0644);
	b = tb_build(&t);
	s = evaluate(std, b, &ev);
	ck_assert_uint_eq(ev.n, 9);
	ck_assert_str_eq(ev.v[0].subject, "/etc/a");
	ck_assert_str_eq(ev.v[1].subject, "/etc/a*b");
	ck_assert_str_eq(ev.v[2].subject, "/etc/a-b");
	ck_assert_str_eq(ev.v[3].subject, "/etc/a.b");
	ck_assert_str_eq(ev.v[4].subject, "/etc/a0");
	ck_assert_str_eq(ev.v[5].subject, "/etc/a\\b");
	ck_assert_str_eq(ev.v[6].subject, "/etc/ab");
	ck_assert_str_eq(ev.v[7].subject, "/etc/ssh/ssh_host_ed25519_key");
	ck_assert_str_eq(ev.v[8].subject, "/etc/ssh/ssh_host_rsa_key");
	ck_assert_str_eq(ev.v[8].check, "mode");
	evaluation_release(&ev);
	standard_free(s);
	baseline_free(b);
	tb_release(&t);
}
END_TEST

/* 200 000 entries, 15 rules: the answer matches brute force (and takes milliseconds). */
START_TEST(test_glob_many)
{
	static const char *const pats[] = {
		"/etc/**", "**/*.key", "/etc/ssh/ssh_host_*_key", "/srv/d1/**", "/srv/d12*/f3*",
	};
	struct evaluation ev;
	struct baseline *b;
	struct standard *s;
	struct tb t;
	char path[64], text[2048];
	size_t i, j, o, expected[16] = { 0 }, got[16] = { 0 };

	tb_init(&t, "debian");
	for (i = 0; i < 200000; i++) {
		static const char *const ext[] = { ".conf", ".key", "", ".pub" };

		snprintf(path, sizeof(path), "/srv/d%zu/f%zu%s", i / 100, i % 100, ext[i % 4]);
		tb_file(&t, path, REG, 0644);
	}
	tb_file(&t, "/etc/ssh/ssh_host_rsa_key", REG, 0640);
	tb_file(&t, "/etc/ssh/ssh_host_rsa_key.pub", REG, 0644);
	tb_file(&t, "/etc/passwd", REG, 0644);
	b = tb_build(&t);
	o = (size_t)snprintf(text, sizeof(text), "standard: many\nfiles:\n");
	for (j = 0; j < 5; j++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
		    "  - {path: '%s', mode_max: '0600'}\n", pats[j]);
	for (j = 0; j < 10; j++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
		    "  - {path: /srv/d%zu/f%zu.conf, mode: '0644', owner: root}\n", j * 97, j);
	s = evaluate(text, b, &ev);
	ck_assert_uint_eq(ev.rules, 15);
	for (i = 0; i < b->pb->n_files; i++)
		for (j = 0; j < 5; j++)
			if (glob_match(pats[j], (const char *)b->pb->files[i]->path.data,
			    b->pb->files[i]->path.len))
				expected[j]++;
	for (i = 0; i < ev.n; i++) {
		for (j = 0; j < 15; j++)
			if (ev.v[i].origin == &s->files[j].origin)
				break;
		ck_assert_uint_lt(j, 15);
		got[j]++;
	}
	for (j = 0; j < 5; j++)
		ck_assert_msg(got[j] == expected[j], "%s: %zu findings, %zu matches", pats[j],
		    got[j], expected[j]);
	ck_assert_uint_gt(expected[1], 40000);
	/* /srv/dD/fF.conf exists when F % 4 == 0 (and passes); the others are missing */
	for (j = 5; j < 15; j++)
		ck_assert_uint_eq(got[j], (j - 5) % 4 == 0 ? 0 : 1);
	evaluation_release(&ev);
	standard_free(s);
	baseline_free(b);
	tb_release(&t);
}
END_TEST

/* --------------------------------------------------------------- packages */

struct ver_case {
	const char *installed, *op, *required;
};

static const struct ver_case ver_cases[] = {
	{ "1:9.1p1-2", ">=", "1:9.2p1" },
	{ "1:9.2p1-2+deb12u3", ">=", "1:9.2p1" },
	{ "9.9", ">=", "1:1.0" },
	{ "1.0~rc1", ">=", "1.0" },
	{ "1.0", ">", "1.0" },
	{ "1.0.1", ">", "1.0" },
	{ "1.0-1", "=", "1.0-1" },
	{ "0:1.0-1", "=", "1.0-1" },
	{ "1.0-2", "=", "1.0-1" },
	{ "1.0+b1", "<", "1.0" },
	{ "1.0", "<", "1.0" },
	{ "0.9", "<", "1.0" },
	{ "2.0", "<=", "2.0" },
	{ "2.0a", "<=", "2.0" },
	{ "1.22.1-9+deb12u1", ">", "1.22.1-9" },
	{ "1.10", ">", "1.9" },
	{ "1.0a", "<", "1.0" },
	{ "1.0^git1", ">", "1.0" },
};

/* Is "installed op required" true? Asked of dpkg or rpm itself. */
static bool
oracle(bool rpm, const struct ver_case *c)
{
	static const char *const ops[][2] = {
		{ ">=", "ge" }, { ">", "gt" }, { "<=", "le" }, { "<", "lt" }, { "=", "eq" },
	};
	char cmd[512], out[16] = "";
	const char *op = NULL;
	FILE *p;
	int v, i;

	for (i = 0; i < 5; i++)
		if (strcmp(ops[i][0], c->op) == 0)
			op = ops[i][1];
	ck_assert_ptr_nonnull(op);
	if (!rpm) {
		snprintf(cmd, sizeof(cmd), "dpkg --compare-versions '%s' %s '%s'",
		    c->installed, op, c->required);
		return system(cmd) == 0;
	}
	snprintf(cmd, sizeof(cmd), "rpm --eval '%%{lua: print(rpm.vercmp(\"%s\", \"%s\"))}'",
	    c->installed, c->required);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	ck_assert_ptr_nonnull(fgets(out, sizeof(out), p));
	ck_assert_int_eq(pclose(p), 0);
	v = atoi(out);
	switch (op[0] == 'e' ? 'e' : op[1] == 'e' ? (op[0] == 'g' ? 'G' : 'L') : op[0]) {
	case 'e': return v == 0;
	case 'G': return v >= 0;
	case 'g': return v > 0;
	case 'L': return v <= 0;
	default: return v < 0;
	}
}

static void
version_case(bool rpm, const struct ver_case *c)
{
	const char *mgr = rpm ? "rpm" : "dpkg";
	char text[256], msg[256];
	struct evaluation ev;
	struct baseline *b;
	struct standard *s;
	struct tb t;
	bool ok;

	if (rpm && system("command -v rpm >/dev/null 2>&1") != 0)
		return;
	if (!rpm && strchr(c->installed, '^') != NULL)
		return;		/* not a dpkg version */
	ok = oracle(rpm, c);
	tb_init(&t, rpm ? "rocky" : "debian");
	tb_pkg(&t, mgr, "pkg", c->installed, rpm ? "x86_64" : "amd64", "installed");
	tb_pkg(&t, mgr, "other", "0", "all", "installed");
	b = tb_build(&t);
	snprintf(text, sizeof(text), "standard: v\npackages:\n  required:\n"
	    "    - {name: pkg, version: '%s %s', severity: critical}\n", c->op, c->required);
	s = evaluate(text, b, &ev);
	ck_assert_str_eq(ev.manager, mgr);
	if (ok) {
		ck_assert_msg(ev.n == 0, "%s %s %s %s: %s", mgr, c->installed, c->op, c->required,
		    ev.n ? ev.v[0].message : "");
	} else {
		ck_assert_msg(ev.n == 1, "%s %s %s %s: no finding", mgr, c->installed, c->op,
		    c->required);
		ck_assert_str_eq(ev.v[0].check, "version");
		ck_assert_str_eq(ev.v[0].rule, "package:pkg");
		ck_assert_str_eq(ev.v[0].subject, "pkg");
		snprintf(msg, sizeof(msg), "version %s is ", c->installed);
		ck_assert_msg(strncmp(ev.v[0].message, msg, strlen(msg)) == 0, "%s", ev.v[0].message);
		snprintf(msg, sizeof(msg), " the %s %s %s", c->op[0] == '<' ? "allowed" : "required",
		    c->op, c->required);
		ck_assert_msg(strstr(ev.v[0].message, msg) != NULL, "%s", ev.v[0].message);
		if (c->op[0] == '>')
			ck_assert_str_eq(ev.v[0].remedy, rpm ? "dnf upgrade pkg" :
			    "apt-get install --only-upgrade pkg");
		else if (c->op[0] == '=') {
			snprintf(msg, sizeof(msg), rpm ? "dnf install pkg-%s" : "apt-get install pkg=%s",
			    c->required);
			ck_assert_str_eq(ev.v[0].remedy, msg);
		} else
			ck_assert_msg(strncmp(ev.v[0].remedy, "downgrade pkg to a version ", 27) == 0,
			    "%s", ev.v[0].remedy);
		ck_assert_int_eq(evaluation_status(&ev), 2);
	}
	evaluation_release(&ev);
	standard_free(s);
	baseline_free(b);
	tb_release(&t);
}

START_TEST(test_version_dpkg)
{
	version_case(false, &ver_cases[_i]);
}
END_TEST

START_TEST(test_version_rpm)
{
	version_case(true, &ver_cases[_i]);
}
END_TEST

START_TEST(test_version_messages)
{
	static const char std[] =
	    "standard: v\npackages:\n  required:\n"
	    "    - {name: openssh-server, version: '>= 1:9.2p1'}\n"
	    "    - {name: a, version: '> 1.0'}\n"
	    "    - {name: c, version: '< 1.0'}\n"
	    "    - {name: d, version: '<= 1.0'}\n"
	    "    - {name: e, version: '= 1.0'}\n"
	    "    - {name: f, version: '= 1:2.0~rc1'}\n";
	struct evaluation ev;
	struct baseline *b;
	struct standard *s;
	struct tb t;

	tb_init(&t, "debian");
	tb_pkg(&t, "dpkg", "openssh-server", "1:9.1p1-2", "amd64", "installed");
	tb_pkg(&t, "dpkg", "a", "1.0", "amd64", "installed");
	tb_pkg(&t, "dpkg", "c", "1.0", "amd64", "installed");
	tb_pkg(&t, "dpkg", "d", "1.1", "amd64", "installed");
	tb_pkg(&t, "dpkg", "e", "1.1", "amd64", "installed");
	tb_pkg(&t, "dpkg", "f", "1:1.0", "amd64", "installed");
	b = tb_build(&t);
	s = evaluate(std, b, &ev);
	ck_assert_uint_eq(ev.n, 6);
	ck_assert_str_eq(ev.v[0].message, "version 1:9.1p1-2 is older than the required >= 1:9.2p1");
	ck_assert_str_eq(ev.v[0].remedy, "apt-get install --only-upgrade openssh-server");
	ck_assert_str_eq(ev.v[1].message, "version 1.0 is not newer than the required > 1.0");
	ck_assert_str_eq(ev.v[2].message, "version 1.0 is not older than the allowed < 1.0");
	ck_assert_str_eq(ev.v[2].remedy, "downgrade c to a version < 1.0 "
	    "(apt-get install NAME=VERSION) and keep it there (apt-mark hold)");
	ck_assert_str_eq(ev.v[3].message, "version 1.1 is newer than the allowed <= 1.0");
	ck_assert_str_eq(ev.v[4].message, "version 1.1 is newer than the required = 1.0");
	ck_assert_str_eq(ev.v[4].remedy, "apt-get install e=1.0");
	ck_assert_str_eq(ev.v[5].message, "version 1:1.0 is older than the required = 1:2.0~rc1");
	ck_assert_str_eq(ev.v[5].remedy, "apt-get install f='1:2.0~rc1'");
	evaluation_release(&ev);
	standard_free(s);
	baseline_free(b);
	tb_release(&t);
}
END_TEST

START_TEST(test_packages_presence)
{
	static const char std[] =
	    "standard: p\npackages:\n"
	    "  required:\n"
	    "    - nginx\n"
	    "    - {name: curl, version: '>= 8'}\n"
	    "    - removed\n"
	    "    - halfway\n"
	    "    - {name: libc6, version: '>= 2.36'}\n"
	    "  forbidden:\n"
	    "    - telnetd\n"
	    "    - {name: rsh-server, severity: critical}\n"
	    "    - purged\n";
	struct evaluation ev;
	struct baseline *b;
	struct standard *s;
	struct tb t;
	int rpm;

	for (rpm = 0; rpm < 2; rpm++) {
		const char *mgr = rpm ? "rpm" : "dpkg";

		tb_init(&t, "debian");
		tb_pkg(&t, mgr, "removed", "1.0", "amd64", "config-files");
		tb_pkg(&t, mgr, "halfway", "1.0", "amd64", "half-installed");
		tb_pkg(&t, mgr, "libc6", "2.36-9", "amd64", "installed");
		tb_pkg(&t, mgr, "libc6", "2.31-13", "i386", "installed");
		tb_pkg(&t, mgr, "telnetd", "0.17-44", "amd64", "installed");
		tb_pkg(&t, mgr, "rsh-server", "0.17-24", "amd64", "config-files");
		tb_pkg(&t, mgr, "purged", "1", "amd64", "not-installed");
		b = tb_build(&t);
		s = evaluate(std, b, &ev);
		ck_assert_str_eq(ev.manager, mgr);
		ck_assert_uint_eq(ev.rules, 8);
		ck_assert_uint_eq(ev.n, 5);
		ck_assert_str_eq(ev.v[0].subject, "nginx");
		ck_assert_str_eq(ev.v[0].check, "installed");
		ck_assert_str_eq(ev.v[0].message, "is not installed; the standard requires it");
		ck_assert_str_eq(ev.v[0].remedy, rpm ? "dnf install nginx" : "apt-get install nginx");
		ck_assert_str_eq(ev.v[1].subject, "curl");
		ck_assert_str_eq(ev.v[1].message,
		    "is not installed; the standard requires it at version >= 8");
		ck_assert_str_eq(ev.v[2].subject, "removed");
		ck_assert_str_eq(ev.v[2].message, "is not installed (only its configuration files "
		    "remain); the standard requires it");
		ck_assert_str_eq(ev.v[3].subject, "libc6");
		ck_assert_str_eq(ev.v[3].check, "version");
		ck_assert_str_eq(ev.v[3].message, "version 2.31-13 is older than the required >= 2.36");
		ck_assert_str_eq(ev.v[4].subject, "telnetd");
		ck_assert_str_eq(ev.v[4].check, "forbidden");
		ck_assert_str_eq(ev.v[4].message, "is installed (version 0.17-44); the standard forbids it");
		ck_assert_str_eq(ev.v[4].remedy, rpm ? "dnf remove telnetd" : "apt-get purge telnetd");
		evaluation_release(&ev);
		standard_free(s);
		baseline_free(b);
		tb_release(&t);
	}
}
END_TEST

/* apt-get or dnf: from the packages the baseline holds, else from the OS. */
START_TEST(test_manager_choice)
{
	static const struct {
		const char *os, *pkgs;	/* pkgs: one letter per package, d or r */
		const char *expect;
	} cases[] = {
		{ "debian", "", "dpkg" }, { "rocky", "", "rpm" }, { "rhel", "", "rpm" },
		{ "fedora", "", "rpm" }, { "almalinux", "", "rpm" }, { "ol", "", "rpm" },
		{ "amzn", "", "rpm" }, { "centos", "", "rpm" }, { "ubuntu", "", "dpkg" },
		{ "", "", "dpkg" }, { "debian", "rr", "rpm" }, { "rocky", "d", "dpkg" },
		{ "rocky", "rd", "dpkg" },
	};
	static const char *const names[] = { "a", "b", "c" };
	struct evaluation ev;
	struct baseline *b;
	struct standard *s;
	struct tb t;
	size_t i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tb_init(&t, cases[i].os);
		for (j = 0; cases[i].pkgs[j] != '\0'; j++)
			tb_pkg(&t, cases[i].pkgs[j] == 'r' ? "rpm" : "dpkg", names[j], "1",
			    "noarch", "installed");
		b = tb_build(&t);
		s = evaluate("standard: m\npackages: {required: [zsh]}\n", b, &ev);
		ck_assert_msg(strcmp(ev.manager, cases[i].expect) == 0, "case %zu", i);
		ck_assert_str_eq(ev.v[0].remedy, strcmp(cases[i].expect, "rpm") == 0 ?
		    "dnf install zsh" : "apt-get install zsh");
		evaluation_release(&ev);
		standard_free(s);
		baseline_free(b);
		tb_release(&t);
	}
}
END_TEST

/* ------------------------------------------------------ order and status */

START_TEST(test_order)
{
	static const char std[] =
	    "standard: o\nfiles:\n"
	    "  - {path: /etc/info, severity: info}\n"
	    "  - {path: '/etc/k/*', mode: '0600', severity: critical}\n"
	    "  - {path: /etc/warn, owner: root}\n"
	    "  - {path: /etc/k/b, owner: root, severity: critical}\n"
	    "packages:\n  forbidden: [{name: telnetd, severity: critical}]\n"
	    "  required: [zsh]\n";
	static const char *const expect[][2] = {
		{ "/etc/k/a", "mode" }, { "/etc/k/b", "mode" }, { "/etc/k/c", "mode" },
		{ "/etc/k/b", "owner" }, { "telnetd", "forbidden" },
		{ "/etc/warn", "owner" }, { "zsh", "installed" }, { "/etc/info", "exists" },
	};
	struct evaluation ev;
	struct baseline *b;
	struct standard *s;
	Drift__FileEntry *f;
	struct tb t;
	size_t i;

	tb_init(&t, "debian");
	tb_file(&t, "/etc/k/c", REG, 0644);
	f = tb_file(&t, "/etc/k/b", REG, 0644);
	f->owner = "nobody";
	tb_file(&t, "/etc/k/a", REG, 0644);
	f = tb_file(&t, "/etc/warn", REG, 0644);
	f->owner = "";
	f->uid = 7;
	tb_pkg(&t, "dpkg", "telnetd", "1", "amd64", "installed");
	b = tb_build(&t);
	s = evaluate(std, b, &ev);
	ck_assert_uint_eq(ev.n, 8);
	for (i = 0; i < 8; i++) {
		ck_assert_str_eq(ev.v[i].subject, expect[i][0]);
		ck_assert_str_eq(ev.v[i].check, expect[i][1]);
	}
	ck_assert_uint_eq(ev.count[SEVERITY_CRITICAL], 5);
	ck_assert_uint_eq(ev.count[SEVERITY_WARNING], 2);
	ck_assert_uint_eq(ev.count[SEVERITY_INFO], 1);
	ck_assert_uint_eq(ev.unevaluated, 0);
	ck_assert_int_eq(evaluation_status(&ev), 2);
	evaluation_release(&ev);
	evaluation_release(&ev);	/* twice is harmless */
	standard_free(s);
	baseline_free(b);
	tb_release(&t);
}
END_TEST

START_TEST(test_status)
{
	static const struct {
		size_t crit, warn, info, unev;
		int status;
	} cases[] = {
		{ 0, 0, 0, 0, 0 }, { 0, 0, 3, 0, 0 }, { 0, 1, 0, 0, 1 }, { 0, 1, 1, 0, 1 },
		{ 0, 0, 0, 1, 3 }, { 0, 4, 0, 1, 3 }, { 1, 0, 0, 0, 2 }, { 1, 1, 1, 1, 2 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct evaluation ev;

		memset(&ev, 0, sizeof(ev));
		ev.count[SEVERITY_CRITICAL] = cases[i].crit;
		ev.count[SEVERITY_WARNING] = cases[i].warn;
		ev.count[SEVERITY_INFO] = cases[i].info;
		ev.unevaluated = cases[i].unev;
		ck_assert_int_eq(evaluation_status(&ev), cases[i].status);
	}
}
END_TEST

/* Unevaluated beats warnings but not criticals, through a real evaluation. */
START_TEST(test_status_unevaluated)
{
	struct evaluation ev;
	struct baseline *b;
	struct standard *s;
	struct tb t;

	tb_init(&t, "debian");
	tb_file(&t, "/etc/a", REG, 0644);
	b = tb_build(&t);
	s = evaluate("standard: u\nfiles:\n  - {path: /etc/a, contains: x, severity: info}\n"
	    "  - {path: /etc/b}\n", b, &ev);
	ck_assert_uint_eq(ev.n, 2);
	ck_assert_int_eq(ev.v[0].status, FINDING_FAIL);		/* /etc/b: warning first */
	ck_assert_int_eq(ev.v[1].status, FINDING_UNEVALUATED);
	ck_assert_uint_eq(ev.unevaluated, 1);
	ck_assert_uint_eq(ev.count[SEVERITY_INFO], 0);
	ck_assert_int_eq(evaluation_status(&ev), 3);
	evaluation_release(&ev);
	standard_free(s);
	s = evaluate("standard: u\nfiles:\n  - {path: /etc/a, contains: x}\n"
	    "  - {path: /etc/b, severity: critical}\n", b, &ev);
	ck_assert_int_eq(evaluation_status(&ev), 2);
	evaluation_release(&ev);
	standard_free(s);
	baseline_free(b);
	tb_release(&t);
}
END_TEST

/* ---------------------------------------------- remedies, run by bash */

static int
run_bash(const char *dir, const char *cmd)
{
	pid_t pid;
	int st;

	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		if (chdir(dir) != 0)
			_exit(126);
		execl("/bin/bash", "bash", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *const odd_names[] = {
	"f-plain", "f-it's here", "f-new\nline", "f-tab\tand space", "f-\xff\xfe-latin1",
	"f-\xc3\xbc" "n\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9", "f-$(touch PWNED)", "f-`touch PWNED`",
	"f-back\\slash", "f-semi;colon&amp|pipe>x", "f-\x1b[31mred", "f-quote\"double",
	"f-star*?[x]", "f-~tilde", "f-!bang", "f-'", "f-\x7f", "f-end\n",
};

/*
 * A remedy is something to paste: bash, given each one, must fix exactly
 * the file it names, whatever bytes that name holds, and run nothing else.
 */
START_TEST(test_remedies_run)
{
	char dir[64] = "/tmp/drift-ev-XXXXXX", path[512], text[2048], target[256];
	struct evaluation ev;
	struct baseline *b;
	struct standard *s;
	struct stat st;
	Drift__FileEntry *f;
	struct tb t;
	size_t i, n = sizeof(odd_names) / sizeof(odd_names[0]);
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	tb_init(&t, "debian");
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, odd_names[i]);
		ck_assert_int_ge(fd = open(path, O_CREAT | O_WRONLY | O_EXCL, 0644), 0);
		ck_assert_int_eq(fchmod(fd, 0644), 0);
		close(fd);
		tb_file(&t, path, REG, 0644);
	}
	/* a setgid directory whose bit must go, and a too-open file */
	snprintf(path, sizeof(path), "%s/sgid", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(chmod(path, 02755), 0);
	tb_file(&t, path, DIR, 02755);
	snprintf(path, sizeof(path), "%s/g-max", dir);
	ck_assert_int_ge(fd = open(path, O_CREAT | O_WRONLY, 0600), 0);
	ck_assert_int_eq(fchmod(fd, 04757), 0);
	close(fd);
	tb_file(&t, path, REG, 04757);
	/* a symlink to point elsewhere, and a file to remove */
	snprintf(path, sizeof(path), "%s/link it's", dir);
	ck_assert_int_eq(symlink("/nowhere", path), 0);
	f = tb_file(&t, path, LNK, 0777);
	f->target.data = (uint8_t *)"/nowhere";
	f->target.len = 8;
	snprintf(path, sizeof(path), "%s/rm me\n", dir);
	ck_assert_int_ge(fd = open(path, O_CREAT | O_WRONLY, 0600), 0);
	close(fd);
	tb_file(&t, path, REG, 0600);
	b = tb_build(&t);

	snprintf(target, sizeof(target), "%s/t'arget \\n$(touch PWNED)", dir);
	snprintf(text, sizeof(text),
	    "standard: r\nfiles:\n"
	    "  - {path: '%s/f-*', mode: '0600'}\n"
	    "  - {path: '%s/sgid', mode: '0755'}\n"
	    "  - {path: '%s/g-max', mode_max: '0640'}\n"
	    "  - {path: \"%s/link it's\", target: \"%s\"}\n"
	    "  - {path: \"%s/rm me\\n\", absent: true}\n",
	    dir, dir, dir, dir, target, dir);
	s = evaluate(text, b, &ev);
	ck_assert_uint_eq(ev.n, n + 4);
	for (i = 0; i < ev.n; i++)
		ck_assert_msg(run_bash(dir, ev.v[i].remedy) == 0, "remedy failed: %s", ev.v[i].remedy);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, odd_names[i]);
		ck_assert_int_eq(lstat(path, &st), 0);
		ck_assert_msg((st.st_mode & 07777) == 0600, "%s: mode %o after: %s", odd_names[i],
		    (unsigned)st.st_mode & 07777, ev.v[i].remedy);
	}
	snprintf(path, sizeof(path), "%s/sgid", dir);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0755);
	snprintf(path, sizeof(path), "%s/g-max", dir);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	snprintf(path, sizeof(path), "%s/link it's", dir);
	{
		char got[256];
		ssize_t len = readlink(path, got, sizeof(got) - 1);
		const char *want = s->files[3].target;

		ck_assert_int_gt(len, 0);
		got[len] = '\0';
		ck_assert_str_eq(got, want);
		ck_assert_ptr_nonnull(strchr(want, '\n'));
	}
	snprintf(path, sizeof(path), "%s/rm me\n", dir);
	ck_assert_int_ne(lstat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/PWNED", dir);
	ck_assert_msg(lstat(path, &st) != 0, "a remedy ran a command hidden in a name");
	/* and the evaluation of the fixed files is clean: re-run against what is there now */
	evaluation_release(&ev);
	standard_free(s);
	baseline_free(b);
	tb_release(&t);
	snprintf(text, sizeof(text), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(text), 0);
}
END_TEST

/* The quoted forms themselves, for the record. */
START_TEST(test_remedy_quoting)
{
	static const struct {
		const char *path, *remedy;
	} cases[] = {
		{ "/etc/plain-name_1.2+x@y%z=w:v,u", "chmod 0600 /etc/plain-name_1.2+x@y%z=w:v,u" },
		{ "/etc/it's", "chmod 0600 '/etc/it'\\''s'" },
		{ "/etc/a b", "chmod 0600 '/etc/a b'" },
		{ "/etc/\xc3\xa9t\xc3\xa9", "chmod 0600 '/etc/\xc3\xa9t\xc3\xa9'" },
		{ "/etc/a\nb", "chmod 0600 $'/etc/a\\x0ab'" },
		{ "/etc/\xff'\\", "chmod 0600 $'/etc/\\xff\\'\\\\'" },
		{ "/etc/$HOME", "chmod 0600 '/etc/$HOME'" },
	};
	char text[256];
	struct evaluation ev;
	struct baseline *b;
	struct standard *s;
	struct tb t;
	size_t i;

	tb_init(&t, "debian");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		tb_file(&t, cases[i].path, REG, 0644);
	b = tb_build(&t);
	snprintf(text, sizeof(text), "standard: q\nfiles: [{path: '/etc/*', mode: '0600'}]\n");
	s = evaluate(text, b, &ev);
	ck_assert_uint_eq(ev.n, sizeof(cases) / sizeof(cases[0]));
	for (i = 0; i < ev.n; i++) {
		size_t j;

		for (j = 0; j < ev.n; j++)
			if (strcmp(ev.v[j].subject, cases[i].path) == 0)
				break;
		ck_assert_uint_lt(j, ev.n);
		ck_assert_str_eq(ev.v[j].remedy, cases[i].remedy);
	}
	evaluation_release(&ev);
	standard_free(s);
	baseline_free(b);
	tb_release(&t);
}
END_TEST

/* Names from a hostile baseline cannot smuggle control bytes into messages. */
START_TEST(test_message_escaping)
{
	struct evaluation ev;
	struct baseline *b;
	struct standard *s;
	Drift__FileEntry *f;
	struct tb t;

	tb_init(&t, "debian");
	f = tb_file(&t, "/etc/x", REG, 0644);
	f->owner = "evil\x1b[2J name";
	f = tb_file(&t, "/etc/y", LNK, 0777);
	f->target.data = (uint8_t *)"/a\xff\n";
	f->target.len = 4;
	b = tb_build(&t);
	s = evaluate("standard: e\nfiles:\n  - {path: /etc/x, owner: root}\n"
	    "  - {path: /etc/y, target: /b}\n", b, &ev);
	ck_assert_uint_eq(ev.n, 2);
	ck_assert_str_eq(ev.v[0].message, "owner is 'evil\\x1b[2J name'; the standard requires root");
	ck_assert_str_eq(ev.v[1].message, "points to '/a\\xff\\n'; the standard requires a symlink to '/b'");
	evaluation_release(&ev);
	standard_free(s);
	baseline_free(b);
	tb_release(&t);
}
END_TEST

Suite *
make_evaluate_suite(void)
{
	Suite *s = suite_create("evaluate");
	TCase *tc = tcase_create("files");

	tcase_add_loop_test(tc, test_rule_kind, 0, (int)(sizeof(kind_cases) / sizeof(kind_cases[0])));
	tcase_add_test(tc, test_one_finding_per_check);
	tcase_add_test(tc, test_message_escaping);
	suite_add_tcase(s, tc);

	tc = tcase_create("globs");
	tcase_add_loop_test(tc, test_glob_range, 0,
	    (int)(sizeof(glob_patterns) / sizeof(glob_patterns[0])));
	tcase_add_test(tc, test_glob_known);
	tcase_add_test(tc, test_glob_many);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("packages");
	tcase_add_loop_test(tc, test_version_dpkg, 0, (int)(sizeof(ver_cases) / sizeof(ver_cases[0])));
	tcase_add_loop_test(tc, test_version_rpm, 0, (int)(sizeof(ver_cases) / sizeof(ver_cases[0])));
	tcase_add_test(tc, test_version_messages);
	tcase_add_test(tc, test_packages_presence);
	tcase_add_test(tc, test_manager_choice);
	suite_add_tcase(s, tc);

	tc = tcase_create("report");
	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_status_unevaluated);
	tcase_add_test(tc, test_remedies_run);
	tcase_add_test(tc, test_remedy_quoting);
	suite_add_tcase(s, tc);
	return s;
}
