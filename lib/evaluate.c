/* SPDX-License-Identifier: MIT */
/* evaluate.c - holding one baseline to a standard: findings with what was found and how to fix it. */
#include "config.h"

#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "glob.h"
#include "json.h"
#include "standard.h"
#include "version.h"

/* Messages and remedies are short; the limit only bounds a hostile path. */
#define TEXT_MAX	((size_t)1 << 20)

/* A finding with what orders it: the rule's place and the order it was found in. */
struct pending {
	struct finding f;
	size_t rule, seq;
};

struct ectx {
	const struct standard *s;
	const struct baseline *b;
	const char *manager;
	struct pending *v;
	size_t n, cap;
	struct buf msg, fix;	/* the finding being written */
	int rc;			/* sticky: the first failure */
};

/* --- text --- */

static void
put(struct ectx *c, struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
put(struct ectx *c, struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	if (r < 0 && c->rc == 0)
		c->rc = DRIFT_ENOMEM;
}

static void
put_bytes(struct ectx *c, struct buf *b, const void *p, size_t len)
{
	if (buf_add(b, p, len) < 0 && c->rc == 0)
		c->rc = DRIFT_ENOMEM;
}

/*
 * A word for a shell, exactly: bare when every byte is harmless, in single
 * quotes when it is printable UTF-8 (a ' as '\''), else in $'...' with \xHH
 * for every other byte, which bash, zsh and ksh read back byte for byte.
 */
static void
put_sh(struct ectx *c, struct buf *b, const void *word, size_t len)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789@%+=:,./_-";
	const unsigned char *p = word;
	bool bare = len > 0, printable = true;
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] == '\0' || strchr(safe, p[i]) == NULL)
			bare = false;
		if (p[i] < 0x20 || p[i] == 0x7f)
			printable = false;
	}
	if (bare) {
		put_bytes(c, b, p, len);
		return;
	}
	if (printable && utf8_valid(p, len)) {
		put_bytes(c, b, "'", 1);
		for (i = 0; i < len; i++) {
			if (p[i] == '\'')
				put_bytes(c, b, "'\\''", 4);
			else
				put_bytes(c, b, &p[i], 1);
		}
		put_bytes(c, b, "'", 1);
		return;
	}
	put_bytes(c, b, "$'", 2);
	for (i = 0; i < len; i++) {
		if (p[i] == '\'' || p[i] == '\\') {
			put_bytes(c, b, "\\", 1);
			put_bytes(c, b, &p[i], 1);
		} else if (p[i] < 0x20 || p[i] >= 0x7f)
			put(c, b, "\\x%02x", p[i]);
		else
			put_bytes(c, b, &p[i], 1);
	}
	put_bytes(c, b, "'", 1);
}

static void
put_shstr(struct ectx *c, struct buf *b, const char *s)
{
	put_sh(c, b, s, strlen(s));
}

/*
 * A value quoted for a message ('...'): control bytes and bytes that are
 * not UTF-8 as \xHH, so nothing read from a host can upset a terminal.
 */
static void
put_shown(struct ectx *c, struct buf *b, const void *s, size_t len)
{
	const unsigned char *p = s;
	size_t i, cut = len > 200 ? 200 : len;

	put_bytes(c, b, "'", 1);
	for (i = 0; i < cut; i++) {
		size_t k = p[i] < 0x80 ? 1 : p[i] < 0xe0 ? 2 : p[i] < 0xf0 ? 3 : 4;

		if (p[i] == '\n')
			put_bytes(c, b, "\\n", 2);
		else if (p[i] == '\t')
			put_bytes(c, b, "\\t", 2);
		else if (p[i] < 0x20 || p[i] == 0x7f || p[i] == '\\' ||
		    (p[i] >= 0x80 && (i + k > len || !utf8_valid(p + i, k))))
			put(c, b, "\\x%02x", p[i]);
		else {
			put_bytes(c, b, p + i, k);
			i += k - 1;
		}
	}
	put(c, b, "%s'", cut < len ? "..." : "");
}

static void
put_shown_str(struct ectx *c, struct buf *b, const char *s)
{
	put_shown(c, b, s, strlen(s));
}

/* A name or version as is when it is one plain word, else quoted as above. */
static void
put_word(struct ectx *c, struct buf *b, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f ||
		    strchr("'\"\\;", s[i]) != NULL)
			break;
	if (i > 0 && s[i] == '\0')
		put_bytes(c, b, s, i);
	else
		put_shown_str(c, b, s);
}

/* --- findings --- */

/* Record a finding from c->msg and c->fix (or the rule's remedy), and clear them. */
static void
emit(struct ectx *c, size_t rule, const char *id, const char *check, enum severity sev,
    enum finding_status st, const void *subject, size_t sublen, const char *desc,
    const struct rule_origin *origin, const char *remedy)
{
	struct pending *p;
	char *subj = NULL, *msg = NULL, *fix = NULL;

	if (c->rc != 0)
		goto out;
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 16;
		struct pending *nv;

		if (ncap > SIZE_MAX / sizeof(*nv) ||
		    (nv = realloc(c->v, ncap * sizeof(*nv))) == NULL)
			goto nomem;
		c->v = nv;
		c->cap = ncap;
	}
	if ((subj = malloc(sublen + 1)) == NULL)
		goto nomem;
	memcpy(subj, subject, sublen);
	subj[sublen] = '\0';
	if ((msg = buf_detach(&c->msg, NULL)) == NULL && (msg = strdup("")) == NULL)
		goto nomem;
	if (st == FINDING_FAIL && remedy != NULL)
		fix = strdup(remedy);
	else
		fix = buf_detach(&c->fix, NULL);
	if (fix == NULL && (fix = strdup("")) == NULL)
		goto nomem;
	p = &c->v[c->n];
	memset(p, 0, sizeof(*p));
	p->f.rule = id;
	p->f.check = check;
	p->f.severity = sev;
	p->f.status = st;
	p->f.subject = subj;
	p->f.subject_len = sublen;
	p->f.message = msg;
	p->f.remedy = fix;
	p->f.description = desc;
	p->f.origin = origin;
	p->rule = rule;
	p->seq = c->n;
	c->n++;
	subj = msg = fix = NULL;	/* owned by the finding */
	goto out;
nomem:
	c->rc = DRIFT_ENOMEM;
out:
	free(subj);
	free(msg);
	free(fix);
	buf_reset(&c->msg);
	buf_reset(&c->fix);
}

/* --- files --- */

struct fctx {
	struct ectx *c;
	size_t ri;
	const struct file_rule *r;
	const Drift__FileEntry *f;
};

static void
file_emit(struct fctx *x, const char *check, enum finding_status st)
{
	emit(x->c, x->ri, x->r->id, check, x->r->severity, st, x->f->path.data,
	    x->f->path.len, x->r->description, &x->r->origin, x->r->remedy);
}

/* "chmod 0600 " + the path: the start of most remedies. */
static void
fix_cmd(struct fctx *x, const char *cmd)
{
	put(x->c, &x->c->fix, "%s ", cmd);
	put_sh(x->c, &x->c->fix, x->f->path.data, x->f->path.len);
}

/*
 * "chmod 0640 PATH". GNU chmod keeps a directory's setuid and setgid bits
 * under a 4-digit mode; only a 5-digit one ("00755") clears them.
 */
static void
fix_chmod(struct fctx *x, unsigned mode)
{
	bool keeps = x->f->type == DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY &&
	    (x->f->mode & 06000 & ~mode) != 0;

	put(x->c, &x->c->fix, keeps ? "chmod %05o" : "chmod %04o", mode);
	fix_cmd(x, "");
}

static const char *
type_phrase(const char *type)
{
	static const char *const names[][2] = {
		{ "regular", "a regular file" }, { "directory", "a directory" },
		{ "symlink", "a symlink" }, { "fifo", "a fifo" }, { "socket", "a socket" },
		{ "char", "a character device" }, { "block", "a block device" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(type, names[i][0]) == 0)
			return names[i][1];
	return "a file of unknown type";
}

static void
check_id(struct fctx *x, const char *check, const char *want, const char *name,
    uint32_t id, const char *cmd)
{
	char num[16];
	const char *have = name;

	if (have == NULL || have[0] == '\0') {
		snprintf(num, sizeof(num), "%u", (unsigned)id);
		have = num;
	}
	if (strcmp(have, want) == 0)
		return;
	put(x->c, &x->c->msg, "%s is ", check);
	put_word(x->c, &x->c->msg, have);
	put(x->c, &x->c->msg, "; the standard requires ");
	put_word(x->c, &x->c->msg, want);
	put(x->c, &x->c->fix, "%s ", cmd);
	put_shstr(x->c, &x->c->fix, want);
	fix_cmd(x, "");
	file_emit(x, check, FINDING_FAIL);
}

static void
check_target(struct fctx *x)
{
	const Drift__FileEntry *f = x->f;
	const char *want = x->r->target;
	struct ectx *c = x->c;

	if (f->type == DRIFT__FILE_TYPE__FILE_TYPE_SYMLINK) {
		if (f->target.len == strlen(want) && memcmp(f->target.data, want, f->target.len) == 0)
			return;
		put(c, &c->msg, "points to ");
		put_shown(c, &c->msg, f->target.data, f->target.len);
	} else
		put(c, &c->msg, "is %s, not a symlink", type_phrase(file_type_name(f->type)));
	put(c, &c->msg, "; the standard requires a symlink to ");
	put_shown_str(c, &c->msg, want);
	put(c, &c->fix, "ln -sfn %s", want[0] == '-' ? "-- " : "");
	put_shstr(c, &c->fix, want);
	fix_cmd(x, "");
	file_emit(x, "target", FINDING_FAIL);
}

static void
check_sha256(struct fctx *x)
{
	const Drift__FileEntry *f = x->f;
	struct ectx *c = x->c;
	char have[DIGEST_HEX_LEN + 1], want[DIGEST_HEX_LEN + 1];

	digest_hex(x->r->sha256, DIGEST_LEN, want);
	if (f->sha256.len == DIGEST_LEN) {
		if (memcmp(f->sha256.data, x->r->sha256, DIGEST_LEN) == 0)
			return;
		digest_hex(f->sha256.data, DIGEST_LEN, have);
		put(c, &c->msg, "sha256 is %s; the standard requires %s", have, want);
		fix_cmd(x, "restore the approved content of");
		file_emit(x, "sha256", FINDING_FAIL);
	} else if (f->type != DRIFT__FILE_TYPE__FILE_TYPE_REGULAR) {
		put(c, &c->msg, "is %s; the standard requires a regular file with sha256 %s",
		    type_phrase(file_type_name(f->type)), want);
		fix_cmd(x, "restore the approved content of");
		file_emit(x, "sha256", FINDING_FAIL);
	} else {
		put(c, &c->msg, "the content could not be hashed");
		if (f->error != NULL && f->error[0] != '\0') {
			put(c, &c->msg, ": ");
			put_shown_str(c, &c->msg, f->error);
		}
		put(c, &c->fix, "let the agent read ");
		put_sh(c, &c->fix, f->path.data, f->path.len);
		put(c, &c->fix, ", then take a new snapshot");
		file_emit(x, "sha256", FINDING_UNEVALUATED);
	}
}

/* Line number (1-based) of offset off in data. */
static size_t
line_of(const char *data, size_t off)
{
	size_t line = 1, i;

	for (i = 0; i < off; i++)
		line += data[i] == '\n';
	return line;
}

static bool
regex_found(const regex_t *re, const char *data, size_t len)
{
	regmatch_t m[1];

	if (len > INT_MAX)
		return false;
	/* REG_STARTEND: the content is not NUL-terminated, and may hold NULs. */
	m[0].rm_so = 0;
	m[0].rm_eo = (regoff_t)len;
	return regexec(re, data != NULL ? data : "", 1, m, REG_STARTEND) == 0;
}

/* Why there is no content to look at, as an unevaluated finding. */
static void
content_missing(struct fctx *x, const char *check)
{
	const Drift__FileEntry *f = x->f;
	struct ectx *c = x->c;

	if (f->error != NULL && f->error[0] != '\0') {
		put(c, &c->msg, "the content could not be read (");
		put_shown_str(c, &c->msg, f->error);
		put(c, &c->msg, "), so it could not be checked");
		put(c, &c->fix, "let the agent read ");
		put_sh(c, &c->fix, f->path.data, f->path.len);
		put(c, &c->fix, ", then take a new snapshot");
	} else if (f->type != DRIFT__FILE_TYPE__FILE_TYPE_REGULAR) {
		put(c, &c->msg, "is %s, not a regular file, so its content cannot be checked",
		    type_phrase(file_type_name(f->type)));
		fix_cmd(x, "restore the regular file");
		put(c, &c->fix, " from the last good baseline");
	} else if (f->content_captured) {
		put(c, &c->msg, "the content was captured but is not in this baseline "
		    "(a bare baseline.pb?); check the bundle instead");
		put(c, &c->fix, "run the check on the bundle the agent sent, which holds the content");
	} else {
		put(c, &c->msg, "the content of ");
		put_shown(c, &c->msg, f->path.data, f->path.len);
		put(c, &c->msg, " was not captured; add it to the agent's capture globs");
		put(c, &c->fix, "add ");
		put_sh(c, &c->fix, f->path.data, f->path.len);
		put(c, &c->fix, " to capture: in the agent's configuration, then take a new snapshot");
	}
	file_emit(x, check, FINDING_UNEVALUATED);
}

static void
check_content(struct fctx *x)
{
	const struct file_rule *r = x->r;
	const struct content *ct;
	struct ectx *c = x->c;
	const char *hit;
	size_t i;

	if (r->ncontains + r->nnot_contains + r->nmatches == 0)
		return;
	if ((ct = baseline_file_content(c->b, x->f)) == NULL ||
	    x->f->type != DRIFT__FILE_TYPE__FILE_TYPE_REGULAR) {
		content_missing(x, r->ncontains ? "contains" : r->nnot_contains ?
		    "not_contains" : "matches");
		return;
	}
	for (i = 0; i < r->ncontains; i++) {
		if (ct->len > 0 && memmem(ct->data, ct->len, r->contains[i],
		    strlen(r->contains[i])) != NULL)
			continue;
		put(c, &c->msg, "does not contain ");
		put_shown_str(c, &c->msg, r->contains[i]);
		put(c, &c->msg, "; the standard requires it");
		fix_cmd(x, "edit");
		put(c, &c->fix, " so that it contains ");
		put_shown_str(c, &c->fix, r->contains[i]);
		file_emit(x, "contains", FINDING_FAIL);
	}
	for (i = 0; i < r->nnot_contains; i++) {
		if (ct->len == 0 || (hit = memmem(ct->data, ct->len, r->not_contains[i],
		    strlen(r->not_contains[i]))) == NULL)
			continue;
		put(c, &c->msg, "contains ");
		put_shown_str(c, &c->msg, r->not_contains[i]);
		put(c, &c->msg, " at line %zu; the standard forbids it",
		    line_of(ct->data, (size_t)(hit - ct->data)));
		fix_cmd(x, "edit");
		put(c, &c->fix, " to remove ");
		put_shown_str(c, &c->fix, r->not_contains[i]);
		file_emit(x, "not_contains", FINDING_FAIL);
	}
	for (i = 0; i < r->nmatches; i++) {
		if (regex_found(&r->matches[i].re, ct->data, ct->len))
			continue;
		put(c, &c->msg, "no line matches ");
		put_shown_str(c, &c->msg, r->matches[i].pattern);
		put(c, &c->msg, "; the standard requires one");
		fix_cmd(x, "edit");
		put(c, &c->fix, " so that a line matches ");
		put_shown_str(c, &c->fix, r->matches[i].pattern);
		file_emit(x, "matches", FINDING_FAIL);
	}
}

static void
check_entry(struct ectx *c, size_t ri, const struct file_rule *r, const Drift__FileEntry *f)
{
	struct fctx x = { c, ri, r, f };
	const char *type = file_type_name(f->type);
	bool symlink = f->type == DRIFT__FILE_TYPE__FILE_TYPE_SYMLINK;
	unsigned mode = f->mode & 07777;

	if (r->absent) {
		put(c, &c->msg, "exists (%s); the standard requires it to be absent",
		    type_phrase(type));
		fix_cmd(&x, f->type == DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY ?
		    "rm -r --" : "rm -f --");
		file_emit(&x, "absent", FINDING_FAIL);
		return;
	}
	if (r->type != NULL && strcmp(r->type, type) != 0) {
		put(c, &c->msg, "is %s; the standard requires %s", type_phrase(type),
		    type_phrase(r->type));
		fix_cmd(&x, "replace");
		put(c, &c->fix, " with %s, as in the last good baseline", type_phrase(r->type));
		file_emit(&x, "type", FINDING_FAIL);
	}
	if (r->target != NULL)
		check_target(&x);
	if (r->owner != NULL)
		check_id(&x, "owner", r->owner, f->owner, f->uid, "chown");
	if (r->group != NULL)
		check_id(&x, "group", r->group, f->group, f->gid, "chgrp");
	/* A symlink's own permission bits mean nothing on Linux: chmod would change its target. */
	if (r->has_mode && !symlink && mode != r->mode) {
		put(c, &c->msg, "mode is %04o; the standard requires %04o", mode, r->mode);
		fix_chmod(&x, r->mode);
		file_emit(&x, "mode", FINDING_FAIL);
	}
	if (r->has_mode_max && !symlink && (mode & ~r->mode_max) != 0) {
		put(c, &c->msg, "mode %04o allows bits beyond %04o", mode, r->mode_max);
		fix_chmod(&x, mode & r->mode_max);
		file_emit(&x, "mode_max", FINDING_FAIL);
	}
	if (r->has_sha256)
		check_sha256(&x);
	check_content(&x);
}

/* First index whose path is >= key (files are sorted by path bytes). */
static size_t
lower_bound(Drift__FileEntry *const *v, size_t n, const char *key, size_t keylen)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (path_cmp(v[mid]->path.data, v[mid]->path.len,
		    (const uint8_t *)key, keylen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
eval_file_rule(struct ectx *c, size_t ri, const struct file_rule *r)
{
	Drift__FileEntry *const *v = c->b->pb->files;
	size_t n = c->b->pb->n_files, len = strlen(r->path), i, prefix;

	if (!r->is_glob) {
		i = lower_bound(v, n, r->path, len);
		if (i < n && v[i]->path.len == len && memcmp(v[i]->path.data, r->path, len) == 0) {
			check_entry(c, ri, r, v[i]);
			return;
		}
		if (r->absent)
			return;
		put(c, &c->msg, "does not exist; the standard requires it");
		put(c, &c->fix, "restore ");
		put_shstr(c, &c->fix, r->path);
		put(c, &c->fix, " from the last good baseline or reinstall the package "
		    "that provides it");
		emit(c, ri, r->id, "exists", r->severity, FINDING_FAIL, r->path, len,
		    r->description, &r->origin, r->remedy);
		return;
	}
	/*
	 * Every path the glob can match starts with the bytes before its first
	 * special character, and those paths sit together in sorted order.
	 */
	prefix = strcspn(r->path, "*?[\\");
	for (i = lower_bound(v, n, r->path, prefix); i < n && c->rc == 0; i++) {
		const Drift__FileEntry *f = v[i];

		if (f->path.len < prefix || memcmp(f->path.data, r->path, prefix) != 0)
			break;
		if (glob_match(r->path, (const char *)f->path.data, f->path.len))
			check_entry(c, ri, r, f);
	}
}

/* --- packages --- */

static bool
pkg_installed(const Drift__PackageEntry *p)
{
	return strcmp(p->status, "config-files") != 0 && strcmp(p->status, "not-installed") != 0;
}

static bool
version_ok(enum version_op op, int cmp)
{
	switch (op) {
	case VOP_ANY: return true;
	case VOP_GE: return cmp >= 0;
	case VOP_GT: return cmp > 0;
	case VOP_LE: return cmp <= 0;
	case VOP_LT: return cmp < 0;
	case VOP_EQ: return cmp == 0;
	}
	return false;
}

static void
pkg_version_finding(struct ectx *c, size_t ri, const struct package_rule *r,
    const Drift__PackageEntry *p, int cmp)
{
	bool rpm = strcmp(p->manager, "rpm") == 0;
	const char *op = version_op_name(r->op);
	const char *rel = cmp < 0 ? "older than" : cmp > 0 ? "newer than" :
	    r->op == VOP_GT ? "not newer than" : r->op == VOP_LT ? "not older than" : "equal to";
	const char *kind = r->op == VOP_LE || r->op == VOP_LT ? "allowed" : "required";

	put(c, &c->msg, "version ");
	put_word(c, &c->msg, p->version);
	put(c, &c->msg, " is %s the %s %s %s", rel, kind, op, r->version);
	switch (r->op) {
	case VOP_GE:
	case VOP_GT:
		put(c, &c->fix, rpm ? "dnf upgrade " : "apt-get install --only-upgrade ");
		put_shstr(c, &c->fix, r->name);
		break;
	case VOP_EQ:
		put(c, &c->fix, rpm ? "dnf install " : "apt-get install ");
		put_shstr(c, &c->fix, r->name);
		put(c, &c->fix, rpm ? "-" : "=");
		put_shstr(c, &c->fix, r->version);
		break;
	default:
		put(c, &c->fix, "downgrade ");
		put_shstr(c, &c->fix, r->name);
		put(c, &c->fix, " to a version %s %s (%s) and keep it there (%s)", op, r->version,
		    rpm ? "dnf downgrade" : "apt-get install NAME=VERSION",
		    rpm ? "dnf versionlock" : "apt-mark hold");
		break;
	}
	emit(c, ri, r->id, "version", r->severity, FINDING_FAIL, r->name, strlen(r->name),
	    r->description, &r->origin, NULL);
}

static void
eval_package_rule(struct ectx *c, size_t ri, const struct package_rule *r)
{
	Drift__PackageEntry *const *v = c->b->pb->packages;
	size_t n = c->b->pb->n_packages, lo = 0, hi = n, i;
	const Drift__PackageEntry *first = NULL, *leftover = NULL;
	bool rpm;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(v[mid]->name, r->name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Every architecture of the package must meet the rule. */
	for (i = lo; i < n && strcmp(v[i]->name, r->name) == 0; i++) {
		int cmp;

		if (!pkg_installed(v[i])) {
			leftover = v[i];
			continue;
		}
		if (first == NULL)
			first = v[i];
		if (r->forbidden || r->op == VOP_ANY)
			continue;
		cmp = version_compare(v[i]->manager, v[i]->version, r->version);
		if (!version_ok(r->op, cmp)) {
			pkg_version_finding(c, ri, r, v[i], cmp);
			return;
		}
	}
	if (r->forbidden && first != NULL) {
		rpm = strcmp(first->manager, "rpm") == 0;
		put(c, &c->msg, "is installed (version ");
		put_word(c, &c->msg, first->version);
		put(c, &c->msg, "); the standard forbids it");
		put(c, &c->fix, rpm ? "dnf remove " : "apt-get purge ");
		put_shstr(c, &c->fix, r->name);
		emit(c, ri, r->id, "forbidden", r->severity, FINDING_FAIL, r->name,
		    strlen(r->name), r->description, &r->origin, NULL);
	} else if (!r->forbidden && first == NULL) {
		rpm = strcmp(c->manager, "rpm") == 0;
		put(c, &c->msg, "is not installed%s; the standard requires it",
		    leftover != NULL ? " (only its configuration files remain)" : "");
		if (r->op != VOP_ANY)
			put(c, &c->msg, " at version %s %s", version_op_name(r->op), r->version);
		put(c, &c->fix, rpm ? "dnf install " : "apt-get install ");
		put_shstr(c, &c->fix, r->name);
		emit(c, ri, r->id, "installed", r->severity, FINDING_FAIL, r->name,
		    strlen(r->name), r->description, &r->origin, NULL);
	}
}

/* --- the evaluation --- */

static const char *
pick_manager(const Drift__Baseline *pb)
{
	static const char *const rpm_os[] = {
		"rhel", "centos", "fedora", "rocky", "almalinux", "ol", "amzn", NULL
	};
	size_t i;

	if (pb->n_packages > 0) {
		for (i = 0; i < pb->n_packages; i++)
			if (strcmp(pb->packages[i]->manager, "rpm") != 0)
				return "dpkg";
		return "rpm";
	}
	for (i = 0; pb->host != NULL && pb->host->os_id != NULL && rpm_os[i] != NULL; i++)
		if (strcmp(pb->host->os_id, rpm_os[i]) == 0)
			return "rpm";
	return "dpkg";
}

static int
cmp_pending(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;
	int c;

	if (x->f.severity != y->f.severity)
		return x->f.severity > y->f.severity ? -1 : 1;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	if ((c = path_cmp((const uint8_t *)x->f.subject, x->f.subject_len,
	    (const uint8_t *)y->f.subject, y->f.subject_len)) != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int
standard_evaluate(const struct standard *s, const struct baseline *b, struct evaluation *ev)
{
	struct ectx c;
	struct evaluation e;
	size_t i;

	memset(&c, 0, sizeof(c));
	memset(&e, 0, sizeof(e));
	c.s = s;
	c.b = b;
	c.manager = pick_manager(b->pb);
	buf_init(&c.msg, TEXT_MAX);
	buf_init(&c.fix, TEXT_MAX);
	for (i = 0; i < s->nfiles && c.rc == 0; i++)
		eval_file_rule(&c, i, &s->files[i]);
	for (i = 0; i < s->npackages && c.rc == 0; i++)
		eval_package_rule(&c, s->nfiles + i, &s->packages[i]);
	buf_release(&c.msg);
	buf_release(&c.fix);
	if (c.rc == 0 && c.n > 0 && (e.v = calloc(c.n, sizeof(*e.v))) == NULL)
		c.rc = DRIFT_ENOMEM;
	if (c.rc != 0) {
		for (i = 0; i < c.n; i++) {
			free(c.v[i].f.subject);
			free(c.v[i].f.message);
			free(c.v[i].f.remedy);
		}
		free(c.v);
		return c.rc;
	}
	if (c.n > 0)
		qsort(c.v, c.n, sizeof(*c.v), cmp_pending);
	for (i = 0; i < c.n; i++) {
		e.v[i] = c.v[i].f;
		if (e.v[i].status == FINDING_UNEVALUATED)
			e.unevaluated++;
		else
			e.count[e.v[i].severity]++;
	}
	free(c.v);
	e.n = e.cap = c.n;
	e.rules = s->nfiles + s->npackages;
	e.manager = c.manager;
	*ev = e;
	return 0;
}

void
evaluation_release(struct evaluation *ev)
{
	size_t i;

	if (ev == NULL)
		return;
	for (i = 0; i < ev->n; i++) {
		free(ev->v[i].subject);
		free(ev->v[i].message);
		free(ev->v[i].remedy);
	}
	free(ev->v);
	memset(ev, 0, sizeof(*ev));
}

int
evaluation_status(const struct evaluation *ev)
{
	if (ev->count[SEVERITY_CRITICAL] > 0)
		return 2;
	if (ev->unevaluated > 0)
		return 3;
	if (ev->count[SEVERITY_WARNING] > 0)
		return 1;
	return 0;
}
