/* SPDX-License-Identifier: MIT */
/* standard_read.c - one rule of a standard read from YAML and checked, key by key. */
#include "config.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "glob.h"
#include "standard.h"
#include "version.h"
#include "ynode.h"

/* Longest regular expression accepted, and how much repetition it may ask for. */
#define REGEX_MAX_LEN		1024
#define REGEX_MAX_NODES		2000UL
#define REGEX_MAX_DEPTH		64

/* Room for a value quoted by shown(): 64 bytes, each up to 4, quotes and "...". */
#define SHOWN_SIZE		272

static const char *const file_keys[] = {
	"path", "id", "owner", "group", "mode", "mode_max", "type", "target",
	"sha256", "contains", "not_contains", "matches", "absent", "severity",
	"description", "remedy", NULL
};
/* Everything absent cannot be combined with. */
static const char *const check_keys[] = {
	"owner", "group", "mode", "mode_max", "type", "target", "sha256",
	"contains", "not_contains", "matches", NULL
};
static const char *const required_keys[] = {
	"name", "version", "severity", "description", "id", NULL
};
static const char *const forbidden_keys[] = {
	"name", "severity", "description", "id", NULL
};
static const char *const type_names[] = {
	"regular", "directory", "symlink", "fifo", "socket", "char", "block", NULL
};

/* A value quoted back in a message: control bytes as \xNN, long ones cut. */
static const char *
shown(char out[static SHOWN_SIZE], const char *s)
{
	size_t i, o = 0;

	out[o++] = '\'';
	for (i = 0; s[i] != '\0' && i < 64; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != 0x7f)
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, 5, "\\x%02x", c);
	}
	if (s[i] != '\0') {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '\'';
	out[o] = '\0';
	return out;
}

/* The i-th value of a "string or list of strings" node, for positions. */
static const struct ynode *
item_at(const struct ynode *n, size_t i)
{
	return n->type == YNODE_SEQ ? n->items[i] : n;
}

/* An optional non-empty string: 0 with *out untouched when key is absent. */
static int
read_text(const struct ydoc *doc, const struct ynode *map, const char *key,
    char **out, struct drift_error *err)
{
	const struct ynode *v = ynode_get(map, key);
	char *s;
	int r;

	if (v == NULL)
		return 0;
	if ((r = ynode_string(doc, v, key, &s, err)) < 0)
		return r;
	if (s[0] == '\0') {
		free(s);
		return ynode_error(doc, v, err, DRIFT_EINVAL,
		    "%s: expected a value, got an empty string", key);
	}
	*out = s;
	return 0;
}

static int
read_severity(const struct ydoc *doc, const struct ynode *map, enum severity *out,
    struct drift_error *err)
{
	static const char *const names[] = { "info", "warning", "critical", NULL };
	const struct ynode *v = ynode_get(map, "severity");
	char *s = NULL, buf[SHOWN_SIZE];
	int r, i;

	*out = SEVERITY_WARNING;
	if (v == NULL)
		return 0;
	if ((r = ynode_string(doc, v, "severity", &s, err)) < 0)
		return r;
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum severity)i;
			free(s);
			return 0;
		}
	r = ynode_error(doc, v, err, DRIFT_EINVAL,
	    "severity: expected info, warning or critical, got %s", shown(buf, s));
	free(s);
	return r;
}

/* "0600", "600", "4755": 3 or 4 octal digits, as a quoted or plain scalar. */
static int
read_mode(const struct ydoc *doc, const struct ynode *map, const char *key,
    bool *has, unsigned *out, struct drift_error *err)
{
	const struct ynode *v = ynode_get(map, key);
	char *s = NULL, buf[SHOWN_SIZE];
	unsigned m = 0;
	size_t i, len;
	int r;

	if (v == NULL)
		return 0;
	if ((r = ynode_string(doc, v, key, &s, err)) < 0)
		return r;
	len = strlen(s);
	for (i = 0; i < len && s[i] >= '0' && s[i] <= '7'; i++)
		m = m * 8 + (unsigned)(s[i] - '0');
	if (len < 3 || len > 4 || i != len) {
		r = ynode_error(doc, v, err, DRIFT_EINVAL,
		    "%s: expected 3 or 4 octal digits such as \"0640\", got %s",
		    key, shown(buf, s));
		free(s);
		return r;
	}
	free(s);
	*has = true;
	*out = m;
	return 0;
}

/*
 * Literal paths are compared byte for byte with what the agent recorded,
 * which is always normalized: a rule with '//' or a '.' component could
 * never match and would only ever report the file as missing.
 */
static bool
path_normalized(const char *p)
{
	const char *c = p;

	if (strcmp(p, "/") == 0)
		return true;
	for (;;) {
		size_t n;

		c++;	/* past the '/' */
		n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += n;
		if (*c == '\0')
			return true;
	}
}

static int
read_path(const struct ydoc *doc, const struct ynode *item, struct file_rule *t,
    struct drift_error *err)
{
	const struct ynode *v = ynode_get(item, "path");
	char buf[SHOWN_SIZE];
	int r;

	if (v == NULL)
		return ynode_error(doc, item, err, DRIFT_EINVAL,
		    "files: a rule needs a 'path' (an absolute path or a glob)");
	if ((r = ynode_string(doc, v, "path", &t->path, err)) < 0)
		return r;
	t->is_glob = !glob_is_literal(t->path);
	if (t->path[0] != '/' && strncmp(t->path, "**", 2) != 0)
		return ynode_error(doc, v, err, DRIFT_EINVAL,
		    "path: expected an absolute path or a glob starting with '/' or '**', got %s",
		    shown(buf, t->path));
	if (!t->is_glob && !path_normalized(t->path))
		return ynode_error(doc, v, err, DRIFT_EINVAL,
		    "path: %s can never match a recorded path: write it without '//', "
		    "'.' or '..' components and without a trailing '/'", shown(buf, t->path));
	return 0;
}

static int
read_type(const struct ydoc *doc, const struct ynode *item, struct file_rule *t,
    struct drift_error *err)
{
	const struct ynode *v = ynode_get(item, "type");
	const char *hint;
	char buf[SHOWN_SIZE];
	size_t i;
	int r;

	if ((r = read_text(doc, item, "type", &t->type, err)) < 0 || t->type == NULL)
		return r;
	for (i = 0; type_names[i] != NULL; i++)
		if (strcmp(t->type, type_names[i]) == 0)
			return 0;
	if ((hint = drift_suggest(t->type, type_names)) != NULL ||
	    (strcmp(t->type, "file") == 0 && (hint = "regular")))
		return ynode_error(doc, v, err, DRIFT_EINVAL,
		    "type: unknown type %s (did you mean '%s'?)", shown(buf, t->type), hint);
	return ynode_error(doc, v, err, DRIFT_EINVAL,
	    "type: expected regular, directory, symlink, fifo, socket, char or block, got %s",
	    shown(buf, t->type));
}

static int
read_sha256(const struct ydoc *doc, const struct ynode *item, struct file_rule *t,
    struct drift_error *err)
{
	const struct ynode *v = ynode_get(item, "sha256");
	char *s = NULL, buf[SHOWN_SIZE];
	int r;

	if (v == NULL)
		return 0;
	if ((r = ynode_string(doc, v, "sha256", &s, err)) < 0)
		return r;
	if (digest_from_hex(s, strlen(s), t->sha256) < 0)
		r = ynode_error(doc, v, err, DRIFT_EINVAL,
		    "sha256: expected 64 hexadecimal digits, got %s", shown(buf, s));
	else
		t->has_sha256 = true;
	free(s);
	return r;
}

/* contains / not_contains: non-empty strings (an empty one matches anything). */
static int
read_substrings(const struct ydoc *doc, const struct ynode *item, const char *key,
    char ***out, size_t *count, struct drift_error *err)
{
	const struct ynode *v = ynode_get(item, key);
	char **list = NULL;
	size_t n = 0, i;
	int r;

	if (v == NULL)
		return 0;
	if ((r = ynode_strlist(doc, v, key, &list, &n, err)) < 0)
		return r;
	for (i = 0; i < n; i++)
		if (list[i][0] == '\0') {
			ynode_strv_free(list);
			return ynode_error(doc, item_at(v, i), err, DRIFT_EINVAL,
			    "%s: an empty string says nothing about the content", key);
		}
	*out = list;
	*count = n;
	return 0;
}

/* Past a bracket expression starting at p ('['), or NULL when it never ends. */
static const char *
bracket_end(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	for (; *p != '\0' && *p != ']'; p++)
		if (p[0] == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			const char *e = p + 2;

			while (*e != '\0' && !(e[0] == p[1] && e[1] == ']'))
				e++;
			if (*e == '\0')
				return NULL;
			p = e + 1;
		}
	return *p == ']' ? p + 1 : NULL;
}

/* '*', '+', '?', or an interval "{n", "{,m"? */
static bool
is_repetition(const char *p)
{
	return *p == '*' || *p == '+' || *p == '?' || (*p == '{' &&
	    (isdigit((unsigned char)p[1]) || (p[1] == ',' && isdigit((unsigned char)p[2]))));
}

static unsigned long
sat_mul(unsigned long a, unsigned long b)
{
	return b != 0 && a > REGEX_MAX_NODES * 4 / b ? REGEX_MAX_NODES * 4 : a * b;
}

/*
 * glibc compiles x+ as xx* and x{n,m} as m copies of x, so stacked and
 * nested repetitions multiply ("a++++++++" doubles eight times). Estimate
 * the nodes a pattern compiles to and refuse more than REGEX_MAX_NODES;
 * refuse back-references too (they make matching exponential, and are not
 * POSIX ERE).
 */
static const char *
regex_too_costly(const char *p)
{
	struct {
		unsigned long sum, last;
	} st[REGEX_MAX_DEPTH + 1];
	size_t depth = 0;
	unsigned long atom;
	bool dup = false;	/* the last thing was a repetition operator */

	if (strlen(p) > REGEX_MAX_LEN)
		return "it is longer than 1024 bytes";
	st[0].sum = st[0].last = 0;
	while (*p != '\0') {
		/*
		 * POSIX leaves adjacent duplication symbols undefined ("a+*",
		 * "a{2}?"); glibc takes them, at a cost that explodes.
		 */
		if (dup && is_repetition(p))
			return "two repetition operators in a row ('+*', '{2}?', ...) are undefined";
		dup = is_repetition(p);
		atom = 1;
		switch (*p) {
		case '\\':
			if (p[1] >= '1' && p[1] <= '9')
				return "back-references are not supported";
			p += p[1] != '\0' ? 2 : 1;
			break;
		case '[':
			if ((p = bracket_end(p)) == NULL)
				return "a '[' has no matching ']'";
			break;
		case '(':
			if (++depth > REGEX_MAX_DEPTH)
				return "its groups nest more than 64 deep";
			st[depth].sum = st[depth].last = 0;
			p++;
			continue;
		case ')':
			p++;
			if (depth == 0)
				break;
			atom = st[depth].sum + st[depth].last;
			depth--;
			break;
		case '|':
			st[depth].sum += st[depth].last;
			st[depth].last = 0;
			p++;
			continue;
		case '+':
			st[depth].last = sat_mul(st[depth].last, 2);
			p++;
			continue;
		case '*':
		case '?':
			p++;	/* no copies: a loop or an alternative */
			continue;
		case '{':
			/* {n}: n copies; {n,}: n and a star; {n,m} and GNU {,m}: m */
			if (is_repetition(p)) {
				char *e = (char *)p + 1;
				unsigned long lo = 0, hi;

				if (isdigit((unsigned char)*e))
					lo = strtoul(e, &e, 10);
				hi = lo;
				if (*e == ',')
					hi = isdigit((unsigned char)e[1]) ? strtoul(e + 1, &e, 10) :
					    lo + 1;
				if (*e == ',')
					e++;
				st[depth].last = sat_mul(st[depth].last, hi > 1 ? hi : 1);
				p = *e != '\0' ? e + 1 : e;
				continue;
			}
			p++;
			break;
		default:
			p++;
			break;
		}
		st[depth].sum += st[depth].last;
		st[depth].last = atom > 0 ? atom : 1;
		if (st[depth].sum > REGEX_MAX_NODES * 4)
			st[depth].sum = REGEX_MAX_NODES * 4;
	}
	while (depth > 0) {	/* unclosed: regcomp refuses it anyway */
		st[depth - 1].sum += st[depth].sum + st[depth].last;
		depth--;
	}
	if (st[0].sum + st[0].last > REGEX_MAX_NODES)
		return "it would compile to more than 2000 nodes (a repetition copies what it repeats)";
	return NULL;
}

static int
read_matches(const struct ydoc *doc, const struct ynode *item, struct file_rule *t,
    struct drift_error *err)
{
	const struct ynode *v = ynode_get(item, "matches");
	char **list = NULL, buf[SHOWN_SIZE], why[256];
	const char *costly;
	size_t n = 0, i;
	int r = 0, rc;

	if (v == NULL)
		return 0;
	if ((r = ynode_strlist(doc, v, "matches", &list, &n, err)) < 0)
		return r;
	if (n > 0 && (t->matches = calloc(n, sizeof(*t->matches))) == NULL) {
		r = ynode_error(doc, v, err, DRIFT_ENOMEM, "matches: out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct rule_regex *x = &t->matches[i];

		if ((costly = regex_too_costly(list[i])) != NULL) {
			r = ynode_error(doc, item_at(v, i), err, DRIFT_EINVAL,
			    "matches: regular expression %s refused: %s",
			    shown(buf, list[i]), costly);
			goto out;
		}
		rc = regcomp(&x->re, list[i], REG_EXTENDED | REG_NEWLINE | REG_NOSUB);
		if (rc != 0) {
			regerror(rc, NULL, why, sizeof(why));
			r = ynode_error(doc, item_at(v, i), err,
			    rc == REG_ESPACE ? DRIFT_ENOMEM : DRIFT_EINVAL,
			    "matches: invalid regular expression %s: %s",
			    shown(buf, list[i]), why);
			goto out;
		}
		x->pattern = list[i];
		list[i] = NULL;		/* owned by the rule */
		t->nmatches++;
	}
out:
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return r;
}

void
file_rule_release(struct file_rule *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->id);
	free(r->path);
	free(r->owner);
	free(r->group);
	free(r->type);
	free(r->target);
	ynode_strv_free(r->contains);
	ynode_strv_free(r->not_contains);
	for (i = 0; i < r->nmatches; i++) {
		regfree(&r->matches[i].re);
		free(r->matches[i].pattern);
	}
	free(r->matches);
	free(r->description);
	free(r->remedy);
	memset(r, 0, sizeof(*r));
}

/* Checks that contradict each other would fail on every host: say so now. */
static int
check_consistent(const struct ydoc *doc, const struct ynode *item,
    const struct file_rule *t, struct drift_error *err)
{
	const struct ynode *v;
	char buf[SHOWN_SIZE];
	size_t i;

	if ((v = ynode_get(item, "absent")) != NULL && t->absent)
		for (i = 0; check_keys[i] != NULL; i++)
			if (ynode_get(item, check_keys[i]) != NULL)
				return ynode_error(doc, v, err, DRIFT_EINVAL,
				    "absent: cannot be combined with other checks "
				    "(this rule also sets '%s')", check_keys[i]);
	if (t->target != NULL && t->type != NULL && strcmp(t->type, "symlink") != 0)
		return ynode_error(doc, ynode_get(item, "target"), err, DRIFT_EINVAL,
		    "target: only a symlink has a target, but the rule requires type %s",
		    shown(buf, t->type));
	if (t->has_mode && t->has_mode_max && (t->mode & ~t->mode_max) != 0)
		return ynode_error(doc, ynode_get(item, "mode"), err, DRIFT_EINVAL,
		    "mode: %04o has bits beyond mode_max %04o, so the rule could never pass",
		    t->mode, t->mode_max);
	return 0;
}

int
standard_read_file_rule(const struct ydoc *doc, const struct ynode *item,
    const char *source, struct file_rule *r, struct drift_error *err)
{
	const struct ynode *v;
	struct file_rule t;
	int rc;

	memset(&t, 0, sizeof(t));
	t.severity = SEVERITY_WARNING;
	if ((rc = ynode_check_keys(doc, item, "files", file_keys, err)) < 0)
		return rc;
	t.origin.file = source;
	t.origin.line = item->line;
	t.origin.col = item->col;
	if ((rc = read_path(doc, item, &t, err)) < 0 ||
	    (rc = read_text(doc, item, "id", &t.id, err)) < 0 ||
	    (rc = read_text(doc, item, "owner", &t.owner, err)) < 0 ||
	    (rc = read_text(doc, item, "group", &t.group, err)) < 0 ||
	    (rc = read_mode(doc, item, "mode", &t.has_mode, &t.mode, err)) < 0 ||
	    (rc = read_mode(doc, item, "mode_max", &t.has_mode_max, &t.mode_max, err)) < 0 ||
	    (rc = read_type(doc, item, &t, err)) < 0 ||
	    (rc = read_text(doc, item, "target", &t.target, err)) < 0 ||
	    (rc = read_sha256(doc, item, &t, err)) < 0 ||
	    (rc = read_substrings(doc, item, "contains", &t.contains, &t.ncontains, err)) < 0 ||
	    (rc = read_substrings(doc, item, "not_contains", &t.not_contains,
		&t.nnot_contains, err)) < 0 ||
	    (rc = read_matches(doc, item, &t, err)) < 0 ||
	    (rc = read_severity(doc, item, &t.severity, err)) < 0 ||
	    (rc = read_text(doc, item, "description", &t.description, err)) < 0 ||
	    (rc = read_text(doc, item, "remedy", &t.remedy, err)) < 0)
		goto out;
	if ((v = ynode_get(item, "absent")) != NULL &&
	    (rc = ynode_bool(doc, v, "absent", &t.absent, err)) < 0)
		goto out;
	if ((rc = check_consistent(doc, item, &t, err)) < 0)
		goto out;
	if (t.id == NULL) {
		size_t len = strlen(t.path) + sizeof("file:");

		if ((t.id = malloc(len)) == NULL) {
			rc = ynode_error(doc, item, err, DRIFT_ENOMEM, "files: out of memory");
			goto out;
		}
		snprintf(t.id, len, "file:%s", t.path);
	}
	*r = t;
	memset(&t, 0, sizeof(t));	/* owned by r */
	rc = 0;
out:
	file_rule_release(&t);
	return rc;
}

/* --------------------------------------------------------------- packages */

/*
 * Names as dpkg and rpm allow them: letters, digits and ._+-~ , starting
 * with a letter or digit. Anything else (spaces, shell syntax) is a typo.
 */
static bool
package_name_ok(const char *s)
{
	size_t i;

	if (!isalnum((unsigned char)s[0]))
		return false;
	for (i = 1; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("._+-~", s[i]) == NULL)
			return false;
	return i <= 255;
}

/* ">= 1:9.2p1", "=2.0", "< 3": an operator, optional blanks, a version. */
static int
read_constraint(const struct ydoc *doc, const struct ynode *v, struct package_rule *t,
    struct drift_error *err)
{
	static const struct {
		const char *text;
		enum version_op op;
	} ops[] = {
		{ ">=", VOP_GE }, { "<=", VOP_LE }, { ">", VOP_GT }, { "<", VOP_LT }, { "=", VOP_EQ },
	};
	char *s = NULL, *p, *end, buf[SHOWN_SIZE];
	size_t i;
	int r;

	if ((r = ynode_string(doc, v, "version", &s, err)) < 0)
		return r;
	for (p = s; *p == ' ' || *p == '\t'; p++)
		;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strncmp(p, ops[i].text, strlen(ops[i].text)) == 0)
			break;
	if (i == sizeof(ops) / sizeof(ops[0]) || strncmp(p, "==", 2) == 0 ||
	    strncmp(p, "=<", 2) == 0 || strncmp(p, "=>", 2) == 0) {
		r = ynode_error(doc, v, err, DRIFT_EINVAL,
		    "version: expected an operator (>=, >, <=, < or =) and a version "
		    "such as \">= 1:9.2p1\", got %s", shown(buf, s));
		goto out;
	}
	p += strlen(ops[i].text);
	while (*p == ' ' || *p == '\t')
		p++;
	for (end = p + strlen(p); end > p && (end[-1] == ' ' || end[-1] == '\t'); end--)
		;
	*end = '\0';
	if (*p == '\0' || (version_check_dpkg(p) < 0 && version_check_rpm(p) < 0)) {
		r = ynode_error(doc, v, err, DRIFT_EINVAL,
		    "version: %s is not a valid dpkg or rpm version", shown(buf, p));
		goto out;
	}
	if ((t->version = strdup(p)) == NULL) {
		r = ynode_error(doc, v, err, DRIFT_ENOMEM, "version: out of memory");
		goto out;
	}
	t->op = ops[i].op;
	r = 0;
out:
	free(s);
	return r;
}

void
package_rule_release(struct package_rule *r)
{
	if (r == NULL)
		return;
	free(r->id);
	free(r->name);
	free(r->version);
	free(r->description);
	memset(r, 0, sizeof(*r));
}

int
standard_read_package_rule(const struct ydoc *doc, const struct ynode *item,
    bool forbidden, const char *source, struct package_rule *r, struct drift_error *err)
{
	const char *what = forbidden ? "packages.forbidden" : "packages.required";
	const struct ynode *name = item, *v;
	struct package_rule t;
	char buf[SHOWN_SIZE];
	int rc;

	memset(&t, 0, sizeof(t));
	t.forbidden = forbidden;
	t.severity = SEVERITY_WARNING;
	t.origin.file = source;
	t.origin.line = item->line;
	t.origin.col = item->col;
	if (item->type == YNODE_MAP) {
		if ((rc = ynode_check_keys(doc, item, what,
		    forbidden ? forbidden_keys : required_keys, err)) < 0)
			return rc;
		if ((name = ynode_get(item, "name")) == NULL)
			return ynode_error(doc, item, err, DRIFT_EINVAL,
			    "%s: each package needs a 'name'", what);
	} else if (item->type != YNODE_SCALAR)
		return ynode_error(doc, item, err, DRIFT_EINVAL,
		    "%s: expected a package name or a mapping with 'name', got %s",
		    what, ynode_kind(item));
	if ((rc = ynode_string(doc, name, "name", &t.name, err)) < 0)
		goto out;
	if (!package_name_ok(t.name)) {
		rc = ynode_error(doc, name, err, DRIFT_EINVAL,
		    "name: %s is not a package name (letters, digits and ._+-~, "
		    "starting with a letter or digit)", shown(buf, t.name));
		goto out;
	}
	if (item->type == YNODE_MAP) {
		if ((v = ynode_get(item, "version")) != NULL &&
		    (rc = read_constraint(doc, v, &t, err)) < 0)
			goto out;
		if ((rc = read_severity(doc, item, &t.severity, err)) < 0 ||
		    (rc = read_text(doc, item, "description", &t.description, err)) < 0 ||
		    (rc = read_text(doc, item, "id", &t.id, err)) < 0)
			goto out;
	}
	if (t.id == NULL) {
		size_t len = strlen(t.name) + sizeof("package:");

		if ((t.id = malloc(len)) == NULL) {
			rc = ynode_error(doc, item, err, DRIFT_ENOMEM, "%s: out of memory", what);
			goto out;
		}
		snprintf(t.id, len, "package:%s", t.name);
	}
	*r = t;
	memset(&t, 0, sizeof(t));	/* owned by r */
	rc = 0;
out:
	package_rule_release(&t);
	return rc;
}
