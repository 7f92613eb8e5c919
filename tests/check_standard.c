/* SPDX-License-Identifier: MIT */
/* check_standard.c - loading standards: every refusal with its position, includes and overrides, applies_to. */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "standard.h"

Suite *make_standard_suite(void);

/* ------------------------------------------------------------- helpers */

static int
load_text(const char *text, struct standard **out, struct drift_error *err)
{
	return standard_load_buffer("std.yaml", text, strlen(text), out, err);
}

static struct standard *
load_ok(const char *text)
{
	struct drift_error err = { 0 };
	struct standard *s = NULL;
	int r = load_text(text, &s, &err);

	ck_assert_msg(r == 0, "load failed: %s", err.msg);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* A fresh directory for a test's files. */
static void
make_dir(char dir[static 64])
{
	strcpy(dir, "/tmp/drift-std-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Write text to dir/name (creating one level of subdirectory if named). */
static void
put_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((slash = strrchr(path, '/')) != NULL && slash > path + strlen(dir)) {
		*slash = '\0';
		mkdir(path, 0700);
		*slash = '/';
	}
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void
remove_tree(const char *dir)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int
load_file(const char *dir, const char *name, struct standard **out, struct drift_error *err)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return standard_load(path, out, err);
}

static const struct file_rule *
file_rule(const struct standard *s, const char *path)
{
	size_t i;

	for (i = 0; i < s->nfiles; i++)
		if (strcmp(s->files[i].path, path) == 0)
			return &s->files[i];
	return NULL;
}

static const struct package_rule *
package_rule(const struct standard *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->npackages; i++)
		if (strcmp(s->packages[i].name, name) == 0)
			return &s->packages[i];
	return NULL;
}

/* -------------------------------------------------- a full standard */

static const char full[] =
    "standard: web-server\n"
    "version: 2026.1\n"
    "description: Front-end web hosts\n"
    "applies_to: {hosts: [\"web*\"], os: [debian-12]}\n"
    "files:\n"
    "  - path: /etc/ssh/sshd_config\n"
    "    id: ssh-config\n"
    "    owner: root\n"
    "    group: root\n"
    "    mode: \"0600\"\n"
    "    contains: PermitRootLogin no\n"
    "    not_contains: [\"PermitEmptyPasswords yes\", \"Protocol 1\"]\n"
    "    matches: ['^Port[[:space:]]+22$']\n"
    "    severity: critical\n"
    "    description: root must not log in over ssh\n"
    "    remedy: systemctl reload ssh after editing\n"
    "  - path: /etc/shadow\n"
    "    mode_max: 640\n"
    "    type: regular\n"
    "    sha256: 0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef\n"
    "  - path: /etc/alternatives/editor\n"
    "    target: /usr/bin/vim.basic\n"
    "    type: symlink\n"
    "    severity: info\n"
    "  - path: /etc/hosts.equiv\n"
    "    absent: yes\n"
    "  - path: \"**/*.key\"\n"
    "    mode: 4750\n"
    "packages:\n"
    "  required:\n"
    "    - name: openssh-server\n"
    "      version: \">= 1:9.2p1\"\n"
    "      severity: critical\n"
    "      description: the patched sshd\n"
    "    - nginx\n"
    "    - {name: curl, version: '<8', id: old-curl}\n"
    "  forbidden:\n"
    "    - telnetd\n"
    "    - {name: rsh-server, severity: info}\n";

START_TEST(test_full)
{
	struct standard *s = load_ok(full);
	const struct file_rule *f;
	const struct package_rule *p;

	ck_assert_str_eq(s->name, "web-server");
	ck_assert_str_eq(s->version, "2026.1");
	ck_assert_str_eq(s->description, "Front-end web hosts");
	ck_assert_str_eq(s->file, "std.yaml");
	ck_assert_uint_eq(s->nsources, 1);
	ck_assert_str_eq(s->sources[0], "std.yaml");
	ck_assert_uint_eq(s->nhosts, 1);
	ck_assert_str_eq(s->hosts[0], "web*");
	ck_assert_uint_eq(s->nos, 1);
	ck_assert_str_eq(s->os[0], "debian-12");
	ck_assert_uint_eq(s->nfiles, 5);
	ck_assert_uint_eq(s->npackages, 5);

	f = &s->files[0];
	ck_assert_str_eq(f->path, "/etc/ssh/sshd_config");
	ck_assert_str_eq(f->id, "ssh-config");
	ck_assert(!f->is_glob);
	ck_assert_str_eq(f->owner, "root");
	ck_assert_str_eq(f->group, "root");
	ck_assert(f->has_mode && f->mode == 0600 && !f->has_mode_max);
	ck_assert_uint_eq(f->ncontains, 1);
	ck_assert_str_eq(f->contains[0], "PermitRootLogin no");
	ck_assert_uint_eq(f->nnot_contains, 2);
	ck_assert_str_eq(f->not_contains[1], "Protocol 1");
	ck_assert_uint_eq(f->nmatches, 1);
	ck_assert_str_eq(f->matches[0].pattern, "^Port[[:space:]]+22$");
	ck_assert_int_eq(regexec(&f->matches[0].re, "x\nPort  22\ny", 0, NULL, 0), 0);
	ck_assert_int_eq(regexec(&f->matches[0].re, "x Port 22", 0, NULL, 0), REG_NOMATCH);
	ck_assert_int_eq(f->severity, SEVERITY_CRITICAL);
	ck_assert_str_eq(f->description, "root must not log in over ssh");
	ck_assert_str_eq(f->remedy, "systemctl reload ssh after editing");
	ck_assert_ptr_eq(f->origin.file, s->sources[0]);
	ck_assert_uint_eq(f->origin.line, 6);
	ck_assert_uint_eq(f->origin.col, 5);

	f = &s->files[1];
	ck_assert_str_eq(f->id, "file:/etc/shadow");
	ck_assert(f->has_mode_max && f->mode_max == 0640 && !f->has_mode);
	ck_assert_str_eq(f->type, "regular");
	ck_assert(f->has_sha256);
	ck_assert_uint_eq(f->sha256[0], 0x01);
	ck_assert_uint_eq(f->sha256[7], 0xef);
	ck_assert_uint_eq(f->sha256[31], 0xef);
	ck_assert_int_eq(f->severity, SEVERITY_WARNING);
	ck_assert_ptr_null(f->description);

	ck_assert_str_eq(s->files[2].target, "/usr/bin/vim.basic");
	ck_assert_int_eq(s->files[2].severity, SEVERITY_INFO);
	ck_assert(s->files[3].absent);
	ck_assert(s->files[4].is_glob);
	ck_assert_uint_eq(s->files[4].mode, 04750);

	p = &s->packages[0];
	ck_assert_str_eq(p->name, "openssh-server");
	ck_assert_str_eq(p->id, "package:openssh-server");
	ck_assert(!p->forbidden);
	ck_assert_int_eq(p->op, VOP_GE);
	ck_assert_str_eq(p->version, "1:9.2p1");
	ck_assert_int_eq(p->severity, SEVERITY_CRITICAL);
	ck_assert_str_eq(p->description, "the patched sshd");
	p = &s->packages[1];
	ck_assert_str_eq(p->name, "nginx");
	ck_assert_int_eq(p->op, VOP_ANY);
	ck_assert_ptr_null(p->version);
	ck_assert_int_eq(p->severity, SEVERITY_WARNING);
	p = &s->packages[2];
	ck_assert_str_eq(p->id, "old-curl");
	ck_assert_int_eq(p->op, VOP_LT);
	ck_assert_str_eq(p->version, "8");
	ck_assert(s->packages[3].forbidden);
	ck_assert_str_eq(s->packages[3].name, "telnetd");
	ck_assert_uint_eq(s->packages[3].origin.line, 38);
	ck_assert(s->packages[4].forbidden);
	ck_assert_int_eq(s->packages[4].severity, SEVERITY_INFO);
	standard_free(s);
}
END_TEST

START_TEST(test_minimal_and_names)
{
	struct standard *s = load_ok("standard: empty\n");

	ck_assert_str_eq(s->name, "empty");
	ck_assert_ptr_null(s->version);
	ck_assert_uint_eq(s->nfiles + s->npackages + s->nhosts + s->nos, 0);
	standard_free(s);
	s = load_ok("standard: lists\nfiles: []\npackages: {required: [], forbidden: []}\n"
	    "applies_to: {hosts: [], os: []}\ninclude: []\n");
	standard_free(s);
	standard_free(NULL);

	ck_assert_str_eq(severity_name(SEVERITY_INFO), "info");
	ck_assert_str_eq(severity_name(SEVERITY_WARNING), "warning");
	ck_assert_str_eq(severity_name(SEVERITY_CRITICAL), "critical");
	ck_assert_str_eq(version_op_name(VOP_ANY), "");
	ck_assert_str_eq(version_op_name(VOP_GE), ">=");
	ck_assert_str_eq(version_op_name(VOP_GT), ">");
	ck_assert_str_eq(version_op_name(VOP_LE), "<=");
	ck_assert_str_eq(version_op_name(VOP_LT), "<");
	ck_assert_str_eq(version_op_name(VOP_EQ), "=");
}
END_TEST

/* Operators with and without blanks, and versions only one manager accepts. */
START_TEST(test_version_constraints)
{
	struct standard *s = load_ok(
	    "standard: v\npackages:\n  required:\n"
	    "    - {name: a, version: '>=1.0'}\n"
	    "    - {name: b, version: '  >  2:1.0-1 '}\n"
	    "    - {name: c, version: '<= 1.0~rc1'}\n"
	    "    - {name: d, version: '< 3'}\n"
	    "    - {name: e, version: '= 1.22.1-9+deb12u1'}\n"
	    "    - {name: f, version: '= 1.0^post1'}\n");

	ck_assert_int_eq(s->packages[0].op, VOP_GE);
	ck_assert_str_eq(s->packages[0].version, "1.0");
	ck_assert_int_eq(s->packages[1].op, VOP_GT);
	ck_assert_str_eq(s->packages[1].version, "2:1.0-1");
	ck_assert_int_eq(s->packages[2].op, VOP_LE);
	ck_assert_int_eq(s->packages[3].op, VOP_LT);
	ck_assert_int_eq(s->packages[4].op, VOP_EQ);
	ck_assert_str_eq(s->packages[4].version, "1.22.1-9+deb12u1");
	ck_assert_str_eq(s->packages[5].version, "1.0^post1");
	standard_free(s);
}
END_TEST

/* ---------------------------------------------- every refusal, with position */

struct bad {
	const char *text;
	const char *where;	/* exact "std.yaml:L:C: " prefix */
	const char *phrase;	/* part of the message after it */
};

#define STD "standard: s\n"
#define F1 STD "files:\n  - path: /etc/x\n"

static const struct bad bad_cases[] = {
	/* the document */
	{ "- a\n", "std.yaml:1:1: ", "expected a mapping of settings, got a list" },
	{ "standard: [\n", "std.yaml:2:1: ", "" },
	{ STD "filez: []\n", "std.yaml:2:1: ", "unknown key 'filez' (did you mean 'files'?)" },
	{ STD "colour: red\n", "std.yaml:2:1: ", "unknown key 'colour' (known keys: standard," },
	{ "files: []\n", "std.yaml:1:1: ", "standard: missing" },
	{ "standard: \"\"\n", "std.yaml:1:11: ", "expected the standard's name" },
	{ "standard: [a]\n", "std.yaml:1:11: ", "standard: expected a string, got a list" },
	{ STD "version: [1]\n", "std.yaml:2:10: ", "version: expected a string" },
	{ STD "description: {a: b}\n", "std.yaml:2:14: ", "description: expected a string" },
	{ STD "include: {a: b}\n", "std.yaml:2:10: ", "include: expected a string or a list" },
	{ STD "applies_to: [web]\n", "std.yaml:2:13: ", "applies_to: expected a mapping" },
	{ STD "applies_to: {host: [web]}\n", "std.yaml:2:14: ", "unknown key 'host' (did you mean 'hosts'?)" },
	{ STD "applies_to: {hosts: {a: b}}\n", "std.yaml:2:21: ", "applies_to.hosts: expected a string or a list" },
	{ STD "applies_to: {os: }\n", "std.yaml:2:18: ", "applies_to.os: expected a string or a list of strings, got nothing" },
	/* files */
	{ STD "files: {path: /a}\n", "std.yaml:2:8: ", "files: expected a list of file rules, got a mapping" },
	{ STD "files:\n", "std.yaml:2:7: ", "files: expected a list of file rules, got a value" },
	{ STD "files:\n  - /etc/x\n", "std.yaml:3:5: ", "files: expected a mapping of settings" },
	{ F1 "    mdoe: '0600'\n", "std.yaml:4:5: ", "files: unknown key 'mdoe' (did you mean 'mode'?)" },
	{ STD "files:\n  - mode: '0600'\n", "std.yaml:3:5: ", "a rule needs a 'path'" },
	{ STD "files:\n  - path: etc/passwd\n", "std.yaml:3:11: ", "path: expected an absolute path or a glob starting with '/' or '**', got 'etc/passwd'" },
	{ STD "files:\n  - path: '*.key'\n", "std.yaml:3:11: ", "expected an absolute path or a glob" },
	{ STD "files:\n  - path: ''\n", "std.yaml:3:11: ", "expected an absolute path" },
	{ STD "files:\n  - path: [/a]\n", "std.yaml:3:11: ", "path: expected a string, got a list" },
	{ STD "files:\n  - path: /etc//x\n", "std.yaml:3:11: ", "'/etc//x' can never match a recorded path" },
	{ STD "files:\n  - path: /etc/ssh/\n", "std.yaml:3:11: ", "can never match" },
	{ STD "files:\n  - path: /etc/./x\n", "std.yaml:3:11: ", "can never match" },
	{ STD "files:\n  - path: /etc/../x\n", "std.yaml:3:11: ", "can never match" },
	{ F1 "    id: ''\n", "std.yaml:4:9: ", "id: expected a value, got an empty string" },
	{ F1 "    owner: [root]\n", "std.yaml:4:12: ", "owner: expected a string, got a list" },
	{ F1 "    group: ~\n", "std.yaml:4:12: ", "group: expected a string, got nothing" },
	{ F1 "    mode: '0999'\n", "std.yaml:4:11: ", "mode: expected 3 or 4 octal digits such as \"0640\", got '0999'" },
	{ F1 "    mode: 01234\n", "std.yaml:4:11: ", "mode: expected 3 or 4 octal digits" },
	{ F1 "    mode: 60\n", "std.yaml:4:11: ", "mode: expected 3 or 4 octal digits" },
	{ F1 "    mode: rw-r--r--\n", "std.yaml:4:11: ", "got 'rw-r--r--'" },
	{ F1 "    mode_max: 0o644\n", "std.yaml:4:15: ", "mode_max: expected 3 or 4 octal digits" },
	{ F1 "    mode: '0644'\n    mode_max: '0640'\n", "std.yaml:4:11: ", "mode: 0644 has bits beyond mode_max 0640, so the rule could never pass" },
	{ F1 "    type: file\n", "std.yaml:4:11: ", "type: unknown type 'file' (did you mean 'regular'?)" },
	{ F1 "    type: directry\n", "std.yaml:4:11: ", "(did you mean 'directory'?)" },
	{ F1 "    type: door\n", "std.yaml:4:11: ", "type: expected regular, directory, symlink, fifo, socket, char or block, got 'door'" },
	{ F1 "    target: /a\n    type: regular\n", "std.yaml:4:13: ", "target: only a symlink has a target, but the rule requires type 'regular'" },
	{ F1 "    sha256: abc\n", "std.yaml:4:13: ", "sha256: expected 64 hexadecimal digits, got 'abc'" },
	{ F1 "    sha256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg\n", "std.yaml:4:13: ", "sha256: expected 64 hexadecimal digits" },
	{ F1 "    contains: {a: b}\n", "std.yaml:4:15: ", "contains: expected a string or a list of strings, got a mapping" },
	{ F1 "    contains: [a, '']\n", "std.yaml:4:19: ", "contains: an empty string says nothing about the content" },
	{ F1 "    not_contains: ''\n", "std.yaml:4:19: ", "not_contains: an empty string" },
	{ F1 "    matches: ['ok', '(']\n", "std.yaml:4:21: ", "matches: invalid regular expression '(': " },
	{ F1 "    matches: 'a[b'\n", "std.yaml:4:14: ", "matches: regular expression 'a[b' refused: a '[' has no matching ']'" },
	{ F1 "    matches: 'a[[:alpha:]'\n", "std.yaml:4:14: ", "a '[' has no matching ']'" },
	{ F1 "    matches: 'a{2,1}'\n", "std.yaml:4:14: ", "matches: invalid regular expression 'a{2,1}': " },
	{ F1 "    matches: '(a)\\1'\n", "std.yaml:4:14: ", "back-references are not supported" },
	{ F1 "    matches: '((a{100}){100}){100}'\n", "std.yaml:4:14: ", "it would compile to more than 2000 nodes (a repetition copies what it repeats)" },
	{ F1 "    matches: 'k++++++++++++++++++++++++++++'\n", "std.yaml:4:14: ", "two repetition operators in a row" },
	{ F1 "    matches: '(((((((((((k+)+)+)+)+)+)+)+)+)+)+)+'\n", "std.yaml:4:14: ", "more than 2000 nodes" },
	{ F1 "    matches: '(a|b{5000}){3}'\n", "std.yaml:4:14: ", "more than 2000 nodes" },
	{ F1 "    matches: '(a{,200}){,200}'\n", "std.yaml:4:14: ", "more than 2000 nodes" },
	{ F1 "    matches: '(a{200,}){200,}'\n", "std.yaml:4:14: ", "more than 2000 nodes" },
	{ F1 "    matches: '(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))'\n",
	  "std.yaml:4:14: ", "its groups nest more than 64 deep" },
	{ F1 "    matches: 'x+*'\n", "std.yaml:4:14: ", "two repetition operators in a row ('+*', '{2}?', ...) are undefined" },
	{ F1 "    matches: 'x{2}?'\n", "std.yaml:4:14: ", "two repetition operators in a row" },
	{ F1 "    matches: '(x+)+(y{2,}){,3}a{2001}'\n", "std.yaml:4:14: ", "more than 2000 nodes" },
	{ F1 "    absent: maybe\n", "std.yaml:4:13: ", "absent: expected true or false, got 'maybe'" },
	{ F1 "    mode: '0600'\n    absent: true\n", "std.yaml:5:13: ", "absent: cannot be combined with other checks (this rule also sets 'mode')" },
	{ F1 "    absent: true\n    contains: x\n", "std.yaml:4:13: ", "(this rule also sets 'contains')" },
	{ F1 "    severity: high\n", "std.yaml:4:15: ", "severity: expected info, warning or critical, got 'high'" },
	{ F1 "    description: [a]\n", "std.yaml:4:18: ", "description: expected a string" },
	{ F1 "    remedy: ''\n", "std.yaml:4:13: ", "remedy: expected a value" },
	{ F1 "    mode: '0600'\n  - path: /etc/y\n  - path: /etc/x\n    mode: '0640'\n",
	  "std.yaml:6:5: ", "path '/etc/x' has a second rule in this file (first at line 3)" },
	{ F1 "    mode: '0600'\n    mode: '0640'\n", "std.yaml:5:5: ", "duplicate key 'mode' (first at line 4)" },
	/* packages */
	{ STD "packages: [a]\n", "std.yaml:2:11: ", "packages: expected a mapping" },
	{ STD "packages: {requird: [a]}\n", "std.yaml:2:12: ", "unknown key 'requird' (did you mean 'required'?)" },
	{ STD "packages: {required: nginx}\n", "std.yaml:2:22: ", "packages.required: expected a list of packages, got a value" },
	{ STD "packages: {forbidden: }\n", "std.yaml:2:23: ", "packages.forbidden: expected a list of packages, got nothing" },
	{ STD "packages: {required: [[a]]}\n", "std.yaml:2:23: ", "packages.required: expected a package name or a mapping with 'name', got a list" },
	{ STD "packages: {required: [{version: '>= 1'}]}\n", "std.yaml:2:23: ", "packages.required: each package needs a 'name'" },
	{ STD "packages: {required: ['foo bar']}\n", "std.yaml:2:23: ", "name: 'foo bar' is not a package name" },
	{ STD "packages: {required: ['-x']}\n", "std.yaml:2:23: ", "is not a package name" },
	{ STD "packages: {required: ['a;rm']}\n", "std.yaml:2:23: ", "is not a package name" },
	{ STD "packages: {required: [{name: [a]}]}\n", "std.yaml:2:30: ", "name: expected a string, got a list" },
	{ STD "packages: {required: [{name: a, vesion: '1'}]}\n", "std.yaml:2:33: ", "packages.required: unknown key 'vesion' (did you mean 'version'?)" },
	{ STD "packages: {required: [{name: a, version: '1.2'}]}\n", "std.yaml:2:42: ", "version: expected an operator (>=, >, <=, < or =) and a version such as \">= 1:9.2p1\", got '1.2'" },
	{ STD "packages: {required: [{name: a, version: '== 1.2'}]}\n", "std.yaml:2:42: ", "version: expected an operator" },
	{ STD "packages: {required: [{name: a, version: '=> 1.2'}]}\n", "std.yaml:2:42: ", "version: expected an operator" },
	{ STD "packages: {required: [{name: a, version: '>='}]}\n", "std.yaml:2:42: ", "version: '' is not a valid dpkg or rpm version" },
	{ STD "packages: {required: [{name: a, version: '>= 1.0 beta'}]}\n", "std.yaml:2:42: ", "'1.0 beta' is not a valid dpkg or rpm version" },
	{ STD "packages: {required: [{name: a, version: '>= a:1'}]}\n", "std.yaml:2:42: ", "is not a valid dpkg or rpm version" },
	{ STD "packages: {required: [{name: a, severity: high}]}\n", "std.yaml:2:43: ", "severity: expected info, warning or critical" },
	{ STD "packages: {forbidden: [{name: a, version: '< 2'}]}\n", "std.yaml:2:34: ", "packages.forbidden: unknown key 'version' (known keys: name, severity, description, id)" },
	{ STD "packages: {required: [{name: a, id: ''}]}\n", "std.yaml:2:37: ", "id: expected a value" },
	{ STD "packages:\n  required: [nginx, curl]\n  forbidden: [telnetd, nginx]\n",
	  "std.yaml:4:24: ", "package 'nginx' is listed twice in this file (first at line 3)" },
	{ STD "packages:\n  required: [curl, {name: curl, version: '>= 8'}]\n",
	  "std.yaml:3:20: ", "package 'curl' is listed twice in this file (first at line 3)" },
};

START_TEST(test_refused)
{
	const struct bad *c = &bad_cases[_i];
	struct standard *sentinel = (struct standard *)&sentinel, *s = sentinel;
	struct drift_error err = { 0 };
	int r;

	r = load_text(c->text, &s, &err);
	ck_assert_msg(r < 0, "case %d accepted:\n%s", _i, c->text);
	ck_assert_msg(s == sentinel, "case %d: output written on failure", _i);
	ck_assert_int_eq(err.code, r);
	ck_assert_msg(strncmp(err.msg, c->where, strlen(c->where)) == 0,
	    "case %d: expected position '%s', got '%s'", _i, c->where, err.msg);
	ck_assert_msg(strstr(err.msg + strlen(c->where), c->phrase) != NULL,
	    "case %d: expected '%s' in '%s'", _i, c->phrase, err.msg);
}
END_TEST

/* What the loader accepts beside each refusal: the boundaries are where they should be. */
START_TEST(test_accepted_edges)
{
	struct standard *s = load_ok(F1
	    "    mode: 755\n"
	    "  - path: /\n"
	    "    type: directory\n"
	    "  - path: '/etc/a\\*b'\n"
	    "    absent: false\n"
	    "    mode: '0644'\n"
	    "  - path: '**'\n"
	    "  - path: /etc/y\n"
	    "    mode: '0640'\n"
	    "    mode_max: '0644'\n"
	    "    target: /x\n"
	    "    type: symlink\n"
	    "    matches: ['(a{10}){99}', 'a+b+c+d+e+f+g+h+i+j+k+l+m+n+o+p+q+r+s+t+u+', '[[:alpha:]{]+x{3,}[]]{2}']\n"
	    "packages: {required: ['libstdc++6', 'perl-Net_SSLeay', {name: x, version: '=1'}]}\n");

	ck_assert_uint_eq(s->files[0].mode, 0755);
	ck_assert_str_eq(s->files[1].path, "/");
	ck_assert(!s->files[1].is_glob);
	ck_assert(s->files[2].is_glob);		/* the escape makes it a pattern */
	ck_assert(!s->files[2].absent);
	ck_assert(s->files[3].is_glob);
	ck_assert_uint_eq(s->npackages, 3);
	standard_free(s);
}
END_TEST

/* A regular expression of 1024 bytes is taken; one more byte is refused. */
START_TEST(test_regex_length)
{
	char text[1200], pat[1100];
	struct drift_error err = { 0 };
	struct standard *s = NULL;
	int len;

	for (len = 1024; len <= 1025; len++) {
		memset(pat, 'a', (size_t)len);
		pat[len] = '\0';
		snprintf(text, sizeof(text), F1 "    matches: '%s'\n", pat);
		if (len == 1024) {
			s = load_ok(text);
			ck_assert_uint_eq(strlen(s->files[0].matches[0].pattern), 1024);
			standard_free(s);
		} else {
			ck_assert_int_eq(load_text(text, &s, &err), DRIFT_EINVAL);
			ck_assert_str_eq(err.msg, "std.yaml:4:14: matches: regular expression "
			    "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' "
			    "refused: it is longer than 1024 bytes");
		}
	}
}
END_TEST

START_TEST(test_large_buffer_refused)
{
	size_t len = ((size_t)4 << 20) + 1;
	char *text = malloc(len);
	struct standard *s = NULL;
	struct drift_error err = { 0 };

	ck_assert_ptr_nonnull(text);
	memset(text, '#', len);
	ck_assert_int_eq(standard_load_buffer("big.yaml", text, len, &s, &err), DRIFT_ETOOBIG);
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(strstr(err.msg, "big.yaml: larger than the limit"));
	free(text);
}
END_TEST

/* ------------------------------------------------------------- includes */

START_TEST(test_include_override)
{
	struct drift_error err = { 0 };
	struct standard *s = NULL;
	const struct file_rule *f;
	const struct package_rule *p;
	char dir[64], top[PATH_MAX];

	make_dir(dir);
	put_file(dir, "base.yaml",
	    "standard: base\n"
	    "applies_to: {hosts: [nothing]}\n"
	    "files:\n"
	    "  - path: /etc/b\n"
	    "    mode: '0600'\n"
	    "  - path: /etc/a\n"
	    "    mode: '0600'\n"
	    "    owner: root\n"
	    "    severity: critical\n"
	    "packages:\n"
	    "  required: [nginx, curl]\n"
	    "  forbidden: [telnetd]\n");
	put_file(dir, "top.yaml",
	    "standard: top\n"
	    "include: base.yaml\n"
	    "files:\n"
	    "  - path: /etc/c\n"
	    "  - path: /etc/a\n"
	    "    mode_max: '0644'\n"
	    "packages:\n"
	    "  forbidden: [nginx]\n"
	    "  required: [telnetd]\n");
	ck_assert_msg(load_file(dir, "top.yaml", &s, &err) == 0, "%s", err.msg);
	snprintf(top, sizeof(top), "%s/top.yaml", dir);
	ck_assert_str_eq(s->name, "top");
	ck_assert_str_eq(s->file, top);
	ck_assert_uint_eq(s->nhosts, 0);	/* an included file's applies_to does not count */
	ck_assert_uint_eq(s->nsources, 2);
	ck_assert_str_eq(s->sources[0], top);
	ck_assert_ptr_nonnull(strstr(s->sources[1], "/base.yaml"));

	/* included first, the later definition replacing the earlier whole, in its own place */
	ck_assert_uint_eq(s->nfiles, 3);
	ck_assert_str_eq(s->files[0].path, "/etc/b");
	ck_assert_str_eq(s->files[1].path, "/etc/c");
	ck_assert_str_eq(s->files[2].path, "/etc/a");
	f = file_rule(s, "/etc/a");
	ck_assert(!f->has_mode);
	ck_assert(f->has_mode_max);
	ck_assert_ptr_null(f->owner);
	ck_assert_int_eq(f->severity, SEVERITY_WARNING);
	ck_assert_ptr_eq(f->origin.file, s->sources[0]);
	ck_assert_uint_eq(f->origin.line, 5);
	ck_assert_ptr_eq(file_rule(s, "/etc/b")->origin.file, s->sources[1]);

	ck_assert_uint_eq(s->npackages, 3);
	ck_assert_str_eq(s->packages[0].name, "curl");
	ck_assert_str_eq(s->packages[1].name, "nginx");
	ck_assert_str_eq(s->packages[2].name, "telnetd");
	p = package_rule(s, "nginx");
	ck_assert(p->forbidden);
	ck_assert_ptr_eq(p->origin.file, s->sources[0]);
	ck_assert(!package_rule(s, "telnetd")->forbidden);
	ck_assert(!package_rule(s, "curl")->forbidden);
	standard_free(s);
	remove_tree(dir);
}
END_TEST

/* Relative includes follow the including file's directory, not the current one. */
START_TEST(test_include_relative)
{
	struct drift_error err = { 0 };
	struct standard *s = NULL;
	char dir[64], cwd[PATH_MAX];
	int fd;

	make_dir(dir);
	put_file(dir, "top.yaml", "standard: top\ninclude: [sub/mid.yaml]\n");
	put_file(dir, "sub/mid.yaml", "include: [leaf.yaml, ../base.yaml]\n"
	    "files: [{path: /mid}]\n");
	put_file(dir, "sub/leaf.yaml", "files: [{path: /leaf}]\n");
	put_file(dir, "leaf.yaml", "files: [{path: /wrong-leaf}]\n");
	put_file(dir, "base.yaml", "files: [{path: /base}]\n");

	ck_assert_msg(load_file(dir, "top.yaml", &s, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(s->nfiles, 3);
	ck_assert_str_eq(s->files[0].path, "/leaf");
	ck_assert_str_eq(s->files[1].path, "/base");
	ck_assert_str_eq(s->files[2].path, "/mid");
	ck_assert_uint_eq(s->nsources, 4);
	standard_free(s);

	/* The same given as a relative path from elsewhere. */
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_int_ge(fd = open(".", O_RDONLY | O_DIRECTORY), 0);
	ck_assert_int_eq(chdir("/tmp"), 0);
	s = NULL;
	ck_assert_msg(standard_load(dir + strlen("/tmp/"), &s, &err) != 0, "a directory loaded");
	{
		char rel[PATH_MAX];

		snprintf(rel, sizeof(rel), "%s/top.yaml", dir + strlen("/tmp/"));
		ck_assert_msg(standard_load(rel, &s, &err) == 0, "%s", err.msg);
		ck_assert_uint_eq(s->nfiles, 3);
		ck_assert_ptr_nonnull(strstr(s->sources[1], "/sub/mid.yaml"));
		ck_assert(s->sources[1][0] != '/');
		standard_free(s);
	}
	/* A buffer resolves against the current directory. */
	ck_assert_int_eq(chdir(dir), 0);
	s = NULL;
	ck_assert_int_eq(load_text("standard: b\ninclude: base.yaml\n", &s, &err), 0);
	ck_assert_uint_eq(s->nfiles, 1);
	ck_assert_str_eq(s->files[0].path, "/base");
	standard_free(s);
	ck_assert_int_eq(fchdir(fd), 0);
	close(fd);
	remove_tree(dir);
}
END_TEST

/* A shared base reached twice is read once, so the first branch's overrides hold. */
START_TEST(test_include_diamond)
{
	struct drift_error err = { 0 };
	struct standard *s = NULL;
	char dir[64];

	make_dir(dir);
	put_file(dir, "top.yaml", "standard: top\ninclude: [left.yaml, right.yaml]\n");
	put_file(dir, "left.yaml", "include: base.yaml\nfiles: [{path: /a, mode: '0600'}]\n");
	put_file(dir, "right.yaml", "include: base.yaml\nfiles: [{path: /r}]\n");
	put_file(dir, "base.yaml", "files: [{path: /a, mode: '0777'}, {path: /b}]\n");
	ck_assert_msg(load_file(dir, "top.yaml", &s, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(s->nfiles, 3);
	ck_assert_str_eq(s->files[0].path, "/b");
	ck_assert_str_eq(s->files[1].path, "/a");
	ck_assert_uint_eq(s->files[1].mode, 0600);
	ck_assert_str_eq(s->files[2].path, "/r");
	ck_assert_uint_eq(s->nsources, 4);
	standard_free(s);
	remove_tree(dir);
}
END_TEST

struct inc_bad {
	const char *top;	/* top.yaml */
	const char *other;	/* b.yaml, or NULL */
	const char *where;	/* position, after the directory */
	const char *phrase;
};

static const struct inc_bad inc_bad_cases[] = {
	{ "standard: t\ninclude: [nope.yaml]\n", NULL, "/top.yaml:2:11: ",
	  "include 'nope.yaml': no such file" },
	{ "standard: t\ninclude: top.yaml\n", NULL, "/top.yaml:2:10: ",
	  "include 'top.yaml' makes a cycle: " },
	{ "standard: t\ninclude: b.yaml\n", "include: [top.yaml]\n", "/b.yaml:1:11: ",
	  "include 'top.yaml' makes a cycle: " },
	{ "standard: t\ninclude: b.yaml\n", "files: [{path: /x, mode: 9}]\n", "/b.yaml:1:26: ",
	  "mode: expected 3 or 4 octal digits" },
	{ "standard: t\ninclude: b.yaml\n", "files: [\n", "/b.yaml:2:1: ", "" },
	{ "standard: t\ninclude: b.yaml\n", "standard: [x]\n", "/b.yaml:1:11: ",
	  "standard: expected a string" },
	{ "standard: t\ninclude: [b.yaml, sub]\n", "files: []\n", "/top.yaml:2:19: ",
	  "not a regular file" },
	{ "standard: t\nfiles: [{path: /x, mode: 9}]\ninclude: nope.yaml\n", NULL, "/top.yaml:2:26: ",
	  "mode: expected" },
	{ "standard: t\ninclude: [b.yaml, b.yaml]\n", "files: []\n", NULL, NULL },
};

START_TEST(test_include_refused)
{
	const struct inc_bad *c = &inc_bad_cases[_i];
	struct drift_error err = { 0 };
	struct standard *s = NULL;
	char dir[64], where[128];
	int r;

	make_dir(dir);
	put_file(dir, "top.yaml", c->top);
	if (c->other != NULL)
		put_file(dir, "b.yaml", c->other);
	put_file(dir, "sub/x.yaml", "");
	r = load_file(dir, "top.yaml", &s, &err);
	if (c->where == NULL) {
		/* the control case: the same file twice is fine */
		ck_assert_msg(r == 0, "%s", err.msg);
		standard_free(s);
	} else {
		ck_assert_msg(r < 0, "case %d accepted", _i);
		ck_assert_ptr_null(s);
		snprintf(where, sizeof(where), "%s%s", dir, c->where);
		ck_assert_msg(strncmp(err.msg, where, strlen(where)) == 0,
		    "case %d: expected position '%s', got '%s'", _i, where, err.msg);
		ck_assert_msg(strstr(err.msg, c->phrase) != NULL,
		    "case %d: expected '%s' in '%s'", _i, c->phrase, err.msg);
	}
	remove_tree(dir);
}
END_TEST

/* 32 levels of includes load; the 33rd is refused where it is written. */
START_TEST(test_include_depth)
{
	struct drift_error err = { 0 };
	struct standard *s = NULL;
	char dir[64], name[32], text[128], where[128];
	int i, levels;

	for (levels = 32; levels <= 33; levels++) {
		make_dir(dir);
		for (i = 0; i <= levels; i++) {
			snprintf(name, sizeof(name), "f%d.yaml", i);
			if (i < levels)
				snprintf(text, sizeof(text), "%sinclude: f%d.yaml\nfiles: [{path: /f%d}]\n",
				    i == 0 ? "standard: deep\n" : "", i + 1, i);
			else
				snprintf(text, sizeof(text), "files: [{path: /f%d}]\n", i);
			put_file(dir, name, text);
		}
		s = NULL;
		if (levels == 32) {
			ck_assert_msg(load_file(dir, "f0.yaml", &s, &err) == 0, "%s", err.msg);
			ck_assert_uint_eq(s->nfiles, 33);
			ck_assert_str_eq(s->files[0].path, "/f32");
			ck_assert_str_eq(s->files[32].path, "/f0");
			standard_free(s);
		} else {
			ck_assert_int_lt(load_file(dir, "f0.yaml", &s, &err), 0);
			ck_assert_ptr_null(s);
			snprintf(where, sizeof(where), "%s/f32.yaml:1:10: ", dir);
			ck_assert_msg(strncmp(err.msg, where, strlen(where)) == 0, "%s", err.msg);
			ck_assert_ptr_nonnull(strstr(err.msg, "include 'f33.yaml': more than 32 levels"));
		}
		remove_tree(dir);
	}
}
END_TEST

START_TEST(test_include_too_large)
{
	struct drift_error err = { 0 };
	struct standard *s = NULL;
	char dir[64], path[PATH_MAX], where[128];
	FILE *f;

	make_dir(dir);
	put_file(dir, "top.yaml", "standard: t\ninclude: big.yaml\n");
	snprintf(path, sizeof(path), "%s/big.yaml", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_eq(fseek(f, (4L << 20), SEEK_SET), 0);
	fputc('\n', f);
	fclose(f);
	ck_assert_int_lt(load_file(dir, "top.yaml", &s, &err), 0);
	snprintf(where, sizeof(where), "%s/top.yaml:2:10: include 'big.yaml': ", dir);
	ck_assert_msg(strncmp(err.msg, where, strlen(where)) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(strstr(err.msg, "larger than the limit"));
	/* the top-level file itself */
	ck_assert_int_eq(standard_load(path, &s, &err), DRIFT_ETOOBIG);
	ck_assert_ptr_null(s);
	snprintf(path, sizeof(path), "%s/missing.yaml", dir);
	ck_assert_int_eq(standard_load(path, &s, &err), DRIFT_ENOTFOUND);
	ck_assert_ptr_null(s);
	remove_tree(dir);
}
END_TEST

/* ----------------------------------------------------------- applies_to */

struct applies_case {
	const char *applies;	/* YAML flow mapping, or NULL for none */
	const char *host_id, *hostname, *os_id, *os_version;
	bool expect;
};

static const struct applies_case applies_cases[] = {
	{ NULL, "web01", "web01", "debian", "12", true },
	{ "{hosts: ['web*']}", "web01", "x", "debian", "12", true },
	{ "{hosts: ['web*']}", "db01", "web-db01", "debian", "12", true },	/* hostname */
	{ "{hosts: ['web*']}", "db01", "db01", "debian", "12", false },
	{ "{hosts: ['web?1', db01]}", "db01", "", "debian", "12", true },
	{ "{hosts: ['web[0-9]*']}", "webx", "webx", "debian", "12", false },
	{ "{hosts: []}", "db01", "db01", "debian", "12", true },
	{ "{os: [debian-12]}", "a", "a", "debian", "12", true },
	{ "{os: [debian-12]}", "a", "a", "debian", "11", false },
	{ "{os: ['debian-*']}", "a", "a", "debian", "13", true },
	{ "{os: ['debian-*']}", "a", "a", "ubuntu", "24.04", false },
	{ "{os: ['rhel-9*', 'rocky-9*']}", "a", "a", "rocky", "9.3", true },
	{ "{os: ['debian-*']}", "a", "a", "", "", false },
	{ "{hosts: ['web*'], os: [debian-12]}", "web1", "web1", "debian", "11", false },
	{ "{hosts: ['web*'], os: [debian-12]}", "db1", "db1", "debian", "12", false },
	{ "{hosts: ['web*'], os: [debian-12]}", "web1", "web1", "debian", "12", true },
};

START_TEST(test_applies)
{
	const struct applies_case *c = &applies_cases[_i];
	Drift__Baseline b = DRIFT__BASELINE__INIT;
	Drift__HostFacts h = DRIFT__HOST_FACTS__INIT;
	struct standard *s;
	char text[256];

	snprintf(text, sizeof(text), "standard: a\n%s%s\n", c->applies ? "applies_to: " : "",
	    c->applies ? c->applies : "");
	s = load_ok(text);
	b.host_id = (char *)c->host_id;
	h.hostname = (char *)c->hostname;
	h.os_id = (char *)c->os_id;
	h.os_version = (char *)c->os_version;
	b.host = &h;
	ck_assert_msg(standard_applies(s, &b) == c->expect, "case %d", _i);
	b.host = NULL;		/* no facts at all: only unrestricted standards apply */
	if (c->applies == NULL)
		ck_assert(standard_applies(s, &b));
	standard_free(s);
}
END_TEST

Suite *
make_standard_suite(void)
{
	Suite *s = suite_create("standard");
	TCase *tc = tcase_create("load");

	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_minimal_and_names);
	tcase_add_test(tc, test_version_constraints);
	tcase_add_loop_test(tc, test_refused, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, test_accepted_edges);
	tcase_add_test(tc, test_regex_length);
	tcase_add_test(tc, test_large_buffer_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("include");
	tcase_add_test(tc, test_include_override);
	tcase_add_test(tc, test_include_relative);
	tcase_add_test(tc, test_include_diamond);
	tcase_add_loop_test(tc, test_include_refused, 0,
	    (int)(sizeof(inc_bad_cases) / sizeof(inc_bad_cases[0])));
	tcase_add_test(tc, test_include_depth);
	tcase_add_test(tc, test_include_too_large);
	suite_add_tcase(s, tc);

	tc = tcase_create("applies");
	tcase_add_loop_test(tc, test_applies, 0,
	    (int)(sizeof(applies_cases) / sizeof(applies_cases[0])));
	suite_add_tcase(s, tc);
	return s;
}
