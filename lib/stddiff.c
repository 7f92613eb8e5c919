/* SPDX-License-Identifier: MIT */
/* stddiff.c - comparing two versions of a standard rule by rule, classified for auditors, and its renderers. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "stddiff.h"
#include "version.h"

/* Messages and values are short; a limit only guards against runaway input. */
#define TEXT_MAX ((size_t)16 << 20)

const char *
stddiff_kind_name(enum stddiff_kind k)
{
	static const char *const names[] = { "added", "removed", "tightened", "loosened", "changed" };

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "changed";
}

const char *
stddiff_direction_name(enum stddiff_direction dir)
{
	static const char *const names[] = { "tightened", "loosened", "changed" };

	return (unsigned)dir < sizeof(names) / sizeof(names[0]) ? names[dir] : "changed";
}

const char *
stddiff_rule_type_name(enum stddiff_rule_type t)
{
	static const char *const names[] = { "metadata", "applies_to", "file", "package" };

	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "metadata";
}

/* --- spelling values for people --- */

/* A byte that makes a value unsafe to print bare. */
static bool
odd_byte(unsigned char c)
{
	return c < 0x20 || c == 0x7f || c == '"' || c == '\\';
}

/* Append s in double quotes with C escapes for control and non-UTF-8 bytes. */
static int
add_quoted(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i;
	bool utf8 = utf8_valid(s, len);
	int r = buf_addch(b, '"');

	for (i = 0; r == 0 && i < len; i++) {
		switch (p[i]) {
		case '\n': r = buf_addstr(b, "\\n"); break;
		case '\t': r = buf_addstr(b, "\\t"); break;
		case '\r': r = buf_addstr(b, "\\r"); break;
		case '"': r = buf_addstr(b, "\\\""); break;
		case '\\': r = buf_addstr(b, "\\\\"); break;
		default:
			if (p[i] < 0x20 || p[i] == 0x7f || (p[i] >= 0x80 && !utf8))
				r = buf_printf(b, "\\%03o", p[i]);
			else
				r = buf_addch(b, p[i]);
		}
	}
	return r < 0 ? r : buf_addch(b, '"');
}

/* Append s bare when that is unambiguous (like quote_path), else quoted. */
static int
add_text(struct buf *b, const char *s)
{
	size_t len = strlen(s), i;
	bool plain = len > 0 && s[0] != ' ' && s[len - 1] != ' ' && utf8_valid(s, len);

	for (i = 0; plain && i < len; i++)
		plain = !odd_byte((unsigned char)s[i]);
	return plain ? buf_add(b, s, len) : add_quoted(b, s);
}

/* Free-text attributes are always quoted: they hold spaces and punctuation. */
static bool
quoted_attr(const char *attr)
{
	return strcmp(attr, "description") == 0 || strcmp(attr, "remedy") == 0 ||
	    strcmp(attr, "contains") == 0 || strcmp(attr, "not_contains") == 0 ||
	    strcmp(attr, "matches") == 0;
}

static int
add_value(struct buf *b, const char *attr, const char *v)
{
	return quoted_attr(attr) ? add_quoted(b, v) : add_text(b, v);
}

static char *
xstrdup(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

/* "0600": modes keep four digits so setuid/setgid/sticky changes are visible. */
static void
mode_text(unsigned mode, char *buf, size_t size)
{
	snprintf(buf, size, "%04o", mode & 07777);
}

static int
version_text(struct buf *b, const struct package_rule *p)
{
	return buf_printf(b, "%s %s", version_op_name(p->op), p->version);
}

/* "owner root, group root, mode 0600, severity critical" */
static int
file_rule_summary(struct buf *b, const struct file_rule *f)
{
	char m[16], hex[DIGEST_HEX_LEN + 1];
	size_t i;
	int r = 0;

#define SEP() (b->len > 0 ? buf_addstr(b, ", ") : 0)
	if (f->absent)
		r = buf_addstr(b, "absent");
	if (r == 0 && f->owner != NULL && (r = SEP()) == 0 && (r = buf_addstr(b, "owner ")) == 0)
		r = add_text(b, f->owner);
	if (r == 0 && f->group != NULL && (r = SEP()) == 0 && (r = buf_addstr(b, "group ")) == 0)
		r = add_text(b, f->group);
	if (r == 0 && f->has_mode && (r = SEP()) == 0) {
		mode_text(f->mode, m, sizeof(m));
		r = buf_printf(b, "mode %s", m);
	}
	if (r == 0 && f->has_mode_max && (r = SEP()) == 0) {
		mode_text(f->mode_max, m, sizeof(m));
		r = buf_printf(b, "mode_max %s", m);
	}
	if (r == 0 && f->type != NULL && (r = SEP()) == 0 && (r = buf_addstr(b, "type ")) == 0)
		r = add_text(b, f->type);
	if (r == 0 && f->target != NULL && (r = SEP()) == 0 && (r = buf_addstr(b, "target ")) == 0)
		r = add_text(b, f->target);
	if (r == 0 && f->has_sha256 && (r = SEP()) == 0) {
		digest_hex(f->sha256, DIGEST_LEN, hex);
		r = buf_printf(b, "sha256 %s", hex);
	}
	for (i = 0; r == 0 && i < f->ncontains; i++)
		if ((r = SEP()) == 0 && (r = buf_addstr(b, "contains ")) == 0)
			r = add_quoted(b, f->contains[i]);
	for (i = 0; r == 0 && i < f->nnot_contains; i++)
		if ((r = SEP()) == 0 && (r = buf_addstr(b, "not_contains ")) == 0)
			r = add_quoted(b, f->not_contains[i]);
	for (i = 0; r == 0 && i < f->nmatches; i++)
		if ((r = SEP()) == 0 && (r = buf_addstr(b, "matches ")) == 0)
			r = add_quoted(b, f->matches[i].pattern);
	if (r == 0 && b->len == 0)
		r = buf_addstr(b, "exists");
	if (r == 0)
		r = buf_printf(b, ", severity %s", severity_name(f->severity));
#undef SEP
	return r;
}

/* "required >= 1:9.2p1, severity critical", "forbidden, severity warning" */
static int
package_rule_kind(struct buf *b, const struct package_rule *p)
{
	int r = buf_addstr(b, p->forbidden ? "forbidden" : "required");

	if (r == 0 && !p->forbidden && p->op != VOP_ANY && (r = buf_addch(b, ' ')) == 0)
		r = version_text(b, p);
	return r;
}

static int
package_rule_summary(struct buf *b, const struct package_rule *p)
{
	int r = package_rule_kind(b, p);

	return r < 0 ? r : buf_printf(b, ", severity %s", severity_name(p->severity));
}

/* --- collecting changes --- */

/* The rule being compared: where its changes are filed. */
struct ctx {
	struct stddiff *d;
	enum stddiff_rule_type type;
	const char *subject;
	const char *rule;
	const struct rule_origin *oo, *no;
	struct buf msg, v1, v2;	/* scratch */
};

/* The subject as a message names it: a path, "package NAME", "standard NAME". */
static int
add_subject(struct buf *b, const struct ctx *c)
{
	int r = 0;

	if (c->type == STDDIFF_PACKAGE)
		r = buf_addstr(b, "package ");
	else if (c->type == STDDIFF_METADATA)
		r = buf_addstr(b, "standard ");
	return r < 0 ? r : add_text(b, c->subject);
}

/* "mode 0600", "contains \"x\"", "absent" */
static int
add_check(struct buf *b, const char *attr, const char *v)
{
	int r;

	if (strcmp(attr, "absent") == 0)
		return buf_addstr(b, "absent");
	if ((r = buf_printf(b, "%s ", attr)) < 0)
		return r;
	return add_value(b, attr, v);
}

/* The plain sentence for a change, unless the caller wrote one. */
static int
make_message(struct buf *b, const struct ctx *c, enum stddiff_kind kind,
    const char *attr, const char *old, const char *new_)
{
	bool note = strcmp(attr, "description") == 0 || strcmp(attr, "remedy") == 0 ||
	    strcmp(attr, "id") == 0 || c->type == STDDIFF_METADATA;
	int r = 0;

	if (strcmp(attr, "rule") == 0) {
		if (kind == STDDIFF_ADDED) {
			if ((r = buf_addstr(b, "new rule for ")) == 0 && (r = add_subject(b, c)) == 0 &&
			    (r = buf_addstr(b, ": ")) == 0)
				r = buf_addstr(b, new_);
		} else if ((r = buf_addstr(b, "rule for ")) == 0 && (r = add_subject(b, c)) == 0 &&
		    (r = buf_addstr(b, " removed (was: ")) == 0 && (r = buf_addstr(b, old)) == 0)
			r = buf_addch(b, ')');
		return r;
	}
	if (strcmp(attr, "forbidden") == 0 || strcmp(attr, "required") == 0) {
		if ((r = add_subject(b, c)) == 0)
			r = buf_printf(b, " changed from %s to %s", old, new_);
		return r;
	}
	if (note && old == NULL) {
		if ((r = buf_printf(b, "%s of ", attr)) == 0 && (r = add_subject(b, c)) == 0 &&
		    (r = buf_addstr(b, " set to ")) == 0)
			r = add_value(b, attr, new_);
		return r;
	}
	if (note && new_ == NULL) {
		if ((r = buf_printf(b, "%s of ", attr)) == 0 && (r = add_subject(b, c)) == 0 &&
		    (r = buf_addstr(b, " removed (was ")) == 0 && (r = add_value(b, attr, old)) == 0)
			r = buf_addch(b, ')');
		return r;
	}
	if (kind == STDDIFF_ADDED || old == NULL) {
		if ((r = buf_addstr(b, "new check on ")) == 0 && (r = add_subject(b, c)) == 0 &&
		    (r = buf_addstr(b, ": ")) == 0)
			r = add_check(b, attr, new_);
		return r;
	}
	if (kind == STDDIFF_REMOVED || new_ == NULL) {
		if ((r = buf_addstr(b, "check removed from ")) == 0 && (r = add_subject(b, c)) == 0 &&
		    (r = buf_addstr(b, ": ")) == 0)
			r = add_check(b, attr, old);
		return r;
	}
	if ((r = buf_printf(b, "%s of ", attr)) == 0 && (r = add_subject(b, c)) == 0 &&
	    (r = buf_printf(b, " %s from ", stddiff_kind_name(kind))) == 0 &&
	    (r = add_value(b, attr, old)) == 0 && (r = buf_addstr(b, " to ")) == 0)
		r = add_value(b, attr, new_);
	return r;
}

static enum stddiff_direction
direction_of(enum stddiff_kind kind, const char *attr)
{
	if (strcmp(attr, "description") == 0 || strcmp(attr, "remedy") == 0 || strcmp(attr, "id") == 0)
		return STDDIFF_DIR_CHANGED;
	switch (kind) {
	case STDDIFF_ADDED:
	case STDDIFF_TIGHTENED:
		return STDDIFF_DIR_TIGHTENED;
	case STDDIFF_REMOVED:
	case STDDIFF_LOOSENED:
		return STDDIFF_DIR_LOOSENED;
	default:
		return STDDIFF_DIR_CHANGED;
	}
}

/* Record one change; message NULL: make the usual sentence. */
static int
emit_msg(struct ctx *c, enum stddiff_kind kind, const char *attr,
    const char *old, const char *new_, const char *message)
{
	struct stddiff *d = c->d;
	struct stddiff_change *ch;
	int r;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;
		struct stddiff_change *v = reallocarray(d->v, cap, sizeof(*v));

		if (v == NULL)
			return DRIFT_ENOMEM;
		d->v = v;
		d->cap = cap;
	}
	buf_reset(&c->msg);
	if (message != NULL)
		r = buf_addstr(&c->msg, message);
	else
		r = make_message(&c->msg, c, kind, attr, old, new_);
	if (r < 0 || c->msg.data == NULL)
		return DRIFT_ENOMEM;
	ch = &d->v[d->n];
	memset(ch, 0, sizeof(*ch));
	ch->kind = kind;
	ch->direction = direction_of(kind, attr);
	ch->rule_type = c->type;
	ch->rule = c->rule;
	ch->attribute = attr;
	ch->old_origin = c->oo;
	ch->new_origin = c->no;
	if ((ch->subject = xstrdup(c->subject)) == NULL ||
	    (old != NULL && (ch->old = strdup(old)) == NULL) ||
	    (new_ != NULL && (ch->new_ = strdup(new_)) == NULL) ||
	    (ch->message = strdup(c->msg.data)) == NULL) {
		free(ch->subject);
		free(ch->old);
		free(ch->new_);
		return DRIFT_ENOMEM;
	}
	d->count[ch->direction]++;
	d->n++;
	return 0;
}

static int
emit(struct ctx *c, enum stddiff_kind kind, const char *attr, const char *old, const char *new_)
{
	return emit_msg(c, kind, attr, old, new_, NULL);
}

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* A check whose values have no order: set, unset or replaced. */
static int
cmp_plain(struct ctx *c, const char *attr, const char *old, const char *new_)
{
	if (same_str(old, new_))
		return 0;
	if (old == NULL)
		return emit(c, STDDIFF_ADDED, attr, NULL, new_);
	if (new_ == NULL)
		return emit(c, STDDIFF_REMOVED, attr, old, NULL);
	return emit(c, STDDIFF_CHANGED, attr, old, new_);
}

/* Free text: any difference is "changed", with no direction. */
static int
cmp_note(struct ctx *c, const char *attr, const char *old, const char *new_)
{
	return same_str(old, new_) ? 0 : emit(c, STDDIFF_CHANGED, attr, old, new_);
}

/* Permission bits: fewer bits allowed tightens, more loosens, others change. */
static enum stddiff_kind
bits_kind(unsigned old, unsigned new_)
{
	if ((new_ & ~old) == 0)
		return STDDIFF_TIGHTENED;
	if ((old & ~new_) == 0)
		return STDDIFF_LOOSENED;
	return STDDIFF_CHANGED;
}

static int
cmp_mode(struct ctx *c, const char *attr, bool ohas, unsigned old, bool nhas, unsigned new_)
{
	char a[16], b[16];

	mode_text(old, a, sizeof(a));
	mode_text(new_, b, sizeof(b));
	if (ohas && nhas)
		return (old & 07777) == (new_ & 07777) ? 0 :
		    emit(c, bits_kind(old & 07777, new_ & 07777), attr, a, b);
	if (nhas)
		return emit(c, STDDIFF_ADDED, attr, NULL, b);
	if (ohas)
		return emit(c, STDDIFF_REMOVED, attr, a, NULL);
	return 0;
}

/* Items of a list check: each new one tightens, each dropped one loosens. */
static bool
in_list(const char *s, const char *const *v, size_t n, size_t stride)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, *(const char *const *)((const char *)v + i * stride)) == 0)
			return true;
	return false;
}

static int
cmp_list(struct ctx *c, const char *attr, const void *ov, size_t on, const void *nv,
    size_t nn, size_t stride)
{
	size_t i;
	int r;

	for (i = 0; i < on; i++) {
		const char *s = *(const char *const *)((const char *)ov + i * stride);

		if (!in_list(s, nv, nn, stride) && (r = emit(c, STDDIFF_REMOVED, attr, s, NULL)) < 0)
			return r;
	}
	for (i = 0; i < nn; i++) {
		const char *s = *(const char *const *)((const char *)nv + i * stride);

		if (!in_list(s, ov, on, stride) && (r = emit(c, STDDIFF_ADDED, attr, NULL, s)) < 0)
			return r;
	}
	return 0;
}

static int
cmp_severity(struct ctx *c, enum severity old, enum severity new_)
{
	if (old == new_)
		return 0;
	return emit(c, new_ > old ? STDDIFF_TIGHTENED : STDDIFF_LOOSENED, "severity",
	    severity_name(old), severity_name(new_));
}

/*
 * Order two constraint versions: dpkg's rules unless the pair only makes
 * sense to rpm (a version rpm accepts and dpkg refuses).
 */
static int
constraint_cmp(const char *a, const char *b)
{
	if (version_check_dpkg(a) == 0 && version_check_dpkg(b) == 0)
		return version_compare_dpkg(a, b);
	if (version_check_rpm(a) == 0 && version_check_rpm(b) == 0)
		return version_compare_rpm(a, b);
	return version_compare_dpkg(a, b);
}

static int
cmp_version(struct ctx *c, const struct package_rule *o, const struct package_rule *n)
{
	enum stddiff_kind kind = STDDIFF_CHANGED;
	char *a = NULL, *b = NULL;
	int r = 0, cmp;

	if (o->op == VOP_ANY && n->op == VOP_ANY)
		return 0;
	if (o->op == n->op && strcmp(o->version, n->version) == 0)
		return 0;
	buf_reset(&c->v1);
	buf_reset(&c->v2);
	if ((o->op != VOP_ANY && (r = version_text(&c->v1, o)) < 0) ||
	    (n->op != VOP_ANY && (r = version_text(&c->v2, n)) < 0))
		return r;
	a = o->op != VOP_ANY ? c->v1.data : NULL;
	b = n->op != VOP_ANY ? c->v2.data : NULL;
	if (o->op == VOP_ANY)
		return emit(c, STDDIFF_ADDED, "version", NULL, b);
	if (n->op == VOP_ANY)
		return emit(c, STDDIFF_REMOVED, "version", a, NULL);
	if (o->op == n->op && (cmp = constraint_cmp(o->version, n->version)) != 0) {
		/* a higher minimum or a lower maximum leaves fewer versions acceptable */
		if (o->op == VOP_GE || o->op == VOP_GT)
			kind = cmp < 0 ? STDDIFF_TIGHTENED : STDDIFF_LOOSENED;
		else if (o->op == VOP_LE || o->op == VOP_LT)
			kind = cmp > 0 ? STDDIFF_TIGHTENED : STDDIFF_LOOSENED;
	}
	return emit(c, kind, "version", a, b);
}

static int
cmp_file_rule(struct ctx *c, const struct file_rule *o, const struct file_rule *n)
{
	char a[DIGEST_HEX_LEN + 1], b[DIGEST_HEX_LEN + 1];
	int r;

	if (o->absent != n->absent &&
	    (r = emit(c, n->absent ? STDDIFF_ADDED : STDDIFF_REMOVED, "absent",
	    o->absent ? "true" : NULL, n->absent ? "true" : NULL)) < 0)
		return r;
	if ((r = cmp_plain(c, "owner", o->owner, n->owner)) < 0 ||
	    (r = cmp_plain(c, "group", o->group, n->group)) < 0 ||
	    (r = cmp_mode(c, "mode", o->has_mode, o->mode, n->has_mode, n->mode)) < 0 ||
	    (r = cmp_mode(c, "mode_max", o->has_mode_max, o->mode_max, n->has_mode_max,
	    n->mode_max)) < 0 ||
	    (r = cmp_plain(c, "type", o->type, n->type)) < 0 ||
	    (r = cmp_plain(c, "target", o->target, n->target)) < 0)
		return r;
	digest_hex(o->sha256, DIGEST_LEN, a);
	digest_hex(n->sha256, DIGEST_LEN, b);
	if ((r = cmp_plain(c, "sha256", o->has_sha256 ? a : NULL, n->has_sha256 ? b : NULL)) < 0 ||
	    (r = cmp_list(c, "contains", o->contains, o->ncontains, n->contains, n->ncontains,
	    sizeof(char *))) < 0 ||
	    (r = cmp_list(c, "not_contains", o->not_contains, o->nnot_contains, n->not_contains,
	    n->nnot_contains, sizeof(char *))) < 0 ||
	    (r = cmp_list(c, "matches", o->matches, o->nmatches, n->matches, n->nmatches,
	    sizeof(struct rule_regex))) < 0 ||
	    (r = cmp_severity(c, o->severity, n->severity)) < 0 ||
	    (r = cmp_note(c, "id", o->id, n->id)) < 0 ||
	    (r = cmp_note(c, "description", o->description, n->description)) < 0)
		return r;
	return cmp_note(c, "remedy", o->remedy, n->remedy);
}

static int
cmp_package_rule(struct ctx *c, const struct package_rule *o, const struct package_rule *n)
{
	int r;

	if (o->forbidden != n->forbidden) {
		/* the version constraint goes with the flip: it is in the values */
		buf_reset(&c->v1);
		buf_reset(&c->v2);
		if ((r = package_rule_kind(&c->v1, o)) < 0 || (r = package_rule_kind(&c->v2, n)) < 0 ||
		    (r = emit(c, STDDIFF_CHANGED, n->forbidden ? "forbidden" : "required",
		    c->v1.data, c->v2.data)) < 0)
			return r;
	} else if (!n->forbidden && (r = cmp_version(c, o, n)) < 0)
		return r;
	if ((r = cmp_severity(c, o->severity, n->severity)) < 0 ||
	    (r = cmp_note(c, "id", o->id, n->id)) < 0)
		return r;
	return cmp_note(c, "description", o->description, n->description);
}

/* A whole rule that appears or disappears. */
static int
emit_rule(struct ctx *c, bool added, const struct file_rule *f, const struct package_rule *p)
{
	int r;

	buf_reset(&c->v1);
	r = f != NULL ? file_rule_summary(&c->v1, f) : package_rule_summary(&c->v1, p);
	if (r < 0 || c->v1.data == NULL)
		return DRIFT_ENOMEM;
	return added ? emit(c, STDDIFF_ADDED, "rule", NULL, c->v1.data) :
	    emit(c, STDDIFF_REMOVED, "rule", c->v1.data, NULL);
}

static int
file_key_cmp(const void *a, const void *b)
{
	const struct file_rule *x = *(const struct file_rule *const *)a;
	const struct file_rule *y = *(const struct file_rule *const *)b;
	int r = strcmp(x->path, y->path);

	/* ties (not from the loader) keep their order, so the merge pairs them in turn */
	return r != 0 ? r : (x < y ? -1 : x > y);
}

static int
package_key_cmp(const void *a, const void *b)
{
	const struct package_rule *x = *(const struct package_rule *const *)a;
	const struct package_rule *y = *(const struct package_rule *const *)b;
	int r = strcmp(x->name, y->name);

	return r != 0 ? r : (x < y ? -1 : x > y);
}

/* Pointers to n elements of size sz, sorted by cmp; NULL when out of memory. */
static const void **
sorted_index(const void *base, size_t n, size_t sz, int (*cmp)(const void *, const void *))
{
	const void **v = calloc(n + 1, sizeof(*v));
	size_t i;

	if (v == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		v[i] = (const char *)base + i * sz;
	qsort(v, n, sizeof(*v), cmp);
	return v;
}

static int
diff_files(struct ctx *c, const struct standard *old, const struct standard *new_)
{
	const void **ov = sorted_index(old->files, old->nfiles, sizeof(*old->files), file_key_cmp);
	const void **nv = sorted_index(new_->files, new_->nfiles, sizeof(*new_->files), file_key_cmp);
	size_t i = 0, j = 0;
	int r = DRIFT_ENOMEM;

	if (ov == NULL || nv == NULL)
		goto out;
	c->type = STDDIFF_FILE;
	r = 0;
	while (r == 0 && (i < old->nfiles || j < new_->nfiles)) {
		const struct file_rule *o = i < old->nfiles ? ov[i] : NULL;
		const struct file_rule *n = j < new_->nfiles ? nv[j] : NULL;
		int k = o == NULL ? 1 : n == NULL ? -1 : strcmp(o->path, n->path);

		c->subject = k <= 0 ? o->path : n->path;
		c->rule = k < 0 ? o->id : n->id;
		c->oo = k <= 0 ? &o->origin : NULL;
		c->no = k >= 0 ? &n->origin : NULL;
		if (k < 0)
			r = emit_rule(c, false, o, NULL);
		else if (k > 0)
			r = emit_rule(c, true, n, NULL);
		else
			r = cmp_file_rule(c, o, n);
		i += k <= 0;
		j += k >= 0;
	}
out:
	free(ov);
	free(nv);
	return r;
}

static int
diff_packages(struct ctx *c, const struct standard *old, const struct standard *new_)
{
	const void **ov = sorted_index(old->packages, old->npackages, sizeof(*old->packages),
	    package_key_cmp);
	const void **nv = sorted_index(new_->packages, new_->npackages, sizeof(*new_->packages),
	    package_key_cmp);
	size_t i = 0, j = 0;
	int r = DRIFT_ENOMEM;

	if (ov == NULL || nv == NULL)
		goto out;
	c->type = STDDIFF_PACKAGE;
	r = 0;
	while (r == 0 && (i < old->npackages || j < new_->npackages)) {
		const struct package_rule *o = i < old->npackages ? ov[i] : NULL;
		const struct package_rule *n = j < new_->npackages ? nv[j] : NULL;
		int k = o == NULL ? 1 : n == NULL ? -1 : strcmp(o->name, n->name);

		c->subject = k <= 0 ? o->name : n->name;
		c->rule = k < 0 ? o->id : n->id;
		c->oo = k <= 0 ? &o->origin : NULL;
		c->no = k >= 0 ? &n->origin : NULL;
		if (k < 0)
			r = emit_rule(c, false, NULL, o);
		else if (k > 0)
			r = emit_rule(c, true, NULL, n);
		else
			r = cmp_package_rule(c, o, n);
		i += k <= 0;
		j += k >= 0;
	}
out:
	free(ov);
	free(nv);
	return r;
}

static int
join_globs(struct buf *b, char *const *v, size_t n)
{
	size_t i;
	int r = 0;

	buf_reset(b);
	for (i = 0; r == 0 && i < n; i++)
		if ((i == 0 || (r = buf_addstr(b, ", ")) == 0))
			r = add_text(b, v[i]);
	return r;
}

/*
 * applies_to.hosts or .os. An empty list means every host, so the first
 * glob narrows the scope (loosens) and dropping the last widens it
 * (tightens); between non-empty lists a glob added can only widen the
 * union (tightens) and one removed can only narrow it (loosens).
 */
static int
diff_scope(struct ctx *c, const char *attr, const char *every, char *const *ov, size_t on,
    char *const *nv, size_t nn)
{
	size_t i;
	int r = 0;

	c->type = STDDIFF_APPLIES_TO;
	c->rule = NULL;
	c->oo = c->no = NULL;
	if (on == 0 && nn == 0)
		return 0;
	if (on == 0 || nn == 0) {
		c->subject = attr;
		if ((r = join_globs(&c->v1, on ? ov : nv, on ? on : nn)) < 0 || c->v1.data == NULL)
			return DRIFT_ENOMEM;
		buf_reset(&c->v2);
		if ((r = buf_printf(&c->v2, "applies_to.%s %s from %s%s to %s%s (%s hosts held to the standard)",
		    attr, on == 0 ? "narrowed" : "widened", on == 0 ? "every " : "",
		    on == 0 ? every : c->v1.data, nn == 0 ? "every " : "",
		    nn == 0 ? every : c->v1.data, on == 0 ? "fewer" : "more")) < 0)
			return r;
		return emit_msg(c, on == 0 ? STDDIFF_LOOSENED : STDDIFF_TIGHTENED, attr,
		    on == 0 ? NULL : c->v1.data, nn == 0 ? NULL : c->v1.data, c->v2.data);
	}
	for (i = 0; r == 0 && i < on; i++) {
		if (in_list(ov[i], (const char *const *)nv, nn, sizeof(char *)))
			continue;
		c->subject = ov[i];
		buf_reset(&c->v2);
		if ((r = buf_printf(&c->v2, "applies_to.%s no longer matches ", attr)) == 0 &&
		    (r = add_text(&c->v2, ov[i])) == 0 &&
		    (r = buf_addstr(&c->v2, " (fewer hosts held to the standard)")) == 0)
			r = emit_msg(c, STDDIFF_REMOVED, attr, ov[i], NULL, c->v2.data);
	}
	for (i = 0; r == 0 && i < nn; i++) {
		if (in_list(nv[i], (const char *const *)ov, on, sizeof(char *)))
			continue;
		c->subject = nv[i];
		buf_reset(&c->v2);
		if ((r = buf_printf(&c->v2, "applies_to.%s now also matches ", attr)) == 0 &&
		    (r = add_text(&c->v2, nv[i])) == 0 &&
		    (r = buf_addstr(&c->v2, " (more hosts held to the standard)")) == 0)
			r = emit_msg(c, STDDIFF_ADDED, attr, NULL, nv[i], c->v2.data);
	}
	return r;
}

static int
diff_metadata(struct ctx *c, const struct standard *old, const struct standard *new_)
{
	int r = 0;

	c->type = STDDIFF_METADATA;
	c->subject = new_->name != NULL ? new_->name : "";
	c->rule = NULL;
	c->oo = c->no = NULL;
	if (!same_str(old->name, new_->name)) {
		buf_reset(&c->v2);
		if ((r = buf_addstr(&c->v2, "standard renamed from ")) < 0 ||
		    (r = add_text(&c->v2, old->name ? old->name : "")) < 0 ||
		    (r = buf_addstr(&c->v2, " to ")) < 0 ||
		    (r = add_text(&c->v2, c->subject)) < 0 ||
		    (r = emit_msg(c, STDDIFF_CHANGED, "name", old->name, new_->name,
		    c->v2.data)) < 0)
			return r;
	}
	if ((r = cmp_note(c, "version", old->version, new_->version)) < 0)
		return r;
	return cmp_note(c, "description", old->description, new_->description);
}

void
stddiff_release(struct stddiff *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->v[i].subject);
		free(d->v[i].old);
		free(d->v[i].new_);
		free(d->v[i].message);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

int
stddiff_compare(const struct standard *old, const struct standard *new_, struct stddiff *d)
{
	struct ctx c;
	int r;

	memset(d, 0, sizeof(*d));
	memset(&c, 0, sizeof(c));
	c.d = d;
	buf_init(&c.msg, TEXT_MAX);
	buf_init(&c.v1, TEXT_MAX);
	buf_init(&c.v2, TEXT_MAX);
	if ((r = diff_metadata(&c, old, new_)) < 0 ||
	    (r = diff_scope(&c, "hosts", "host", old->hosts, old->nhosts, new_->hosts,
	    new_->nhosts)) < 0 ||
	    (r = diff_scope(&c, "os", "OS", old->os, old->nos, new_->os, new_->nos)) < 0 ||
	    (r = diff_files(&c, old, new_)) < 0 ||
	    (r = diff_packages(&c, old, new_)) < 0)
		goto out;
	d->old = old;
	d->new_ = new_;
	r = 0;
out:
	if (r < 0)
		stddiff_release(d);
	buf_release(&c.msg);
	buf_release(&c.v1);
	buf_release(&c.v2);
	return r < 0 ? DRIFT_ENOMEM : 0;
}

const char *
stddiff_summary(const struct stddiff *d, char *buf, size_t size)
{
	if (d->n == 0)
		snprintf(buf, size, "no differences");
	else
		snprintf(buf, size, "%zu requirement%s tightened, %zu loosened, %zu changed",
		    d->count[STDDIFF_DIR_TIGHTENED], d->count[STDDIFF_DIR_TIGHTENED] == 1 ? "" : "s",
		    d->count[STDDIFF_DIR_LOOSENED], d->count[STDDIFF_DIR_CHANGED]);
	return buf;
}

/* --- renderers --- */

/* Write s as add_text spells it. */
static void
put_text(FILE *f, const char *s)
{
	struct buf b = BUF_INIT(TEXT_MAX);

	if (add_text(&b, s != NULL ? s : "") == 0 && b.data != NULL)
		fwrite(b.data, 1, b.len, f);
	buf_release(&b);
}

/* "web-server 2026.1 (std/web.yaml)" */
static void
put_ident(FILE *f, const struct standard *s)
{
	put_text(f, s->name);
	if (s->version != NULL) {
		putc(' ', f);
		put_text(f, s->version);
	}
	fputs(" (", f);
	put_text(f, s->file);
	putc(')', f);
}

static int
text_render(FILE *f, const struct stddiff *d)
{
	char sum[128];
	int dir;
	size_t i;

	fputs("standard ", f);
	put_ident(f, d->old);
	fputs(" -> ", f);
	put_ident(f, d->new_);
	fprintf(f, "\n%s\n", stddiff_summary(d, sum, sizeof(sum)));
	for (dir = 0; dir < STDDIFF_NDIR; dir++) {
		if (d->count[dir] == 0)
			continue;
		fprintf(f, "\n%s:\n", stddiff_direction_name(dir));
		for (i = 0; i < d->n; i++)
			if ((int)d->v[i].direction == dir)
				fprintf(f, "  %s\n", d->v[i].message);
	}
	return fflush(f) != 0 || ferror(f) ? DRIFT_EIO : 0;
}

static void
json_origin(FILE *f, const struct rule_origin *o)
{
	if (o == NULL || o->file == NULL) {
		fputs("null", f);
		return;
	}
	fputs("{\"file\": ", f);
	json_cstr(f, o->file);
	fprintf(f, ", \"line\": %u, \"column\": %u}", o->line, o->col);
}

static void
json_ident(FILE *f, const struct standard *s)
{
	fputs("{\"standard\": ", f);
	json_cstr(f, s->name);
	fputs(", \"version\": ", f);
	json_cstr(f, s->version);
	fputs(", \"file\": ", f);
	json_cstr(f, s->file);
	putc('}', f);
}

static int
json_render(FILE *f, const struct stddiff *d)
{
	size_t i;

	fputs("{\"old\": ", f);
	json_ident(f, d->old);
	fputs(",\n \"new\": ", f);
	json_ident(f, d->new_);
	fprintf(f, ",\n \"summary\": {\"tightened\": %zu, \"loosened\": %zu, \"changed\": %zu},\n"
	    " \"changes\": [", d->count[STDDIFF_DIR_TIGHTENED], d->count[STDDIFF_DIR_LOOSENED],
	    d->count[STDDIFF_DIR_CHANGED]);
	for (i = 0; i < d->n; i++) {
		const struct stddiff_change *ch = &d->v[i];

		fprintf(f, "%s\n  {\"kind\": \"%s\", \"direction\": \"%s\", \"rule_type\": \"%s\", "
		    "\"subject\": ", i ? "," : "", stddiff_kind_name(ch->kind),
		    stddiff_direction_name(ch->direction), stddiff_rule_type_name(ch->rule_type));
		json_cstr(f, ch->subject);
		fputs(", \"rule\": ", f);
		json_cstr(f, ch->rule);
		fprintf(f, ", \"attribute\": \"%s\", \"old\": ", ch->attribute);
		json_cstr(f, ch->old);
		fputs(", \"new\": ", f);
		json_cstr(f, ch->new_);
		fputs(", \"message\": ", f);
		json_cstr(f, ch->message);
		fputs(", \"old_origin\": ", f);
		json_origin(f, ch->old_origin);
		fputs(", \"new_origin\": ", f);
		json_origin(f, ch->new_origin);
		putc('}', f);
	}
	fputs(d->n ? "\n ]}\n" : "]}\n", f);
	return fflush(f) != 0 || ferror(f) ? DRIFT_EIO : 0;
}

/*
 * Markdown table cells: one line, '|' escaped, and in prose the
 * characters that would start emphasis, links, HTML or code ('>' only
 * matters at the start of a line, which a cell never is).
 */
static void
md_prose(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '\n' || ch == '\r' || ch == '\t')
			putc(' ', f);
		else if (ch == '<')
			fputs("&lt;", f);
		else if (ch == '&')
			fputs("&amp;", f);
		else if (strchr("\\`*_[]|~#", ch) != NULL) {
			putc('\\', f);
			putc(ch, f);
		} else
			putc(ch, f);
	}
}

/* A value as a code span, fenced by more backticks than it holds in a row. */
static void
md_code(FILE *f, const char *s)
{
	struct buf b = BUF_INIT(TEXT_MAX);
	size_t run = 0, longest = 0, i;
	const char *p;

	if (s == NULL)
		return;
	if (add_text(&b, s) < 0 || b.data == NULL) {
		buf_release(&b);
		return;
	}
	for (i = 0; i < b.len; i++) {
		run = b.data[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	for (i = 0; i <= longest; i++)
		putc('`', f);
	putc(' ', f);
	for (p = b.data; *p != '\0'; p++) {
		if (*p == '|')
			putc('\\', f);
		putc(*p, f);
	}
	putc(' ', f);
	for (i = 0; i <= longest; i++)
		putc('`', f);
	buf_release(&b);
}

static void
md_ident(FILE *f, const struct standard *s)
{
	md_code(f, s->name);
	if (s->version != NULL) {
		fputs(" version ", f);
		md_code(f, s->version);
	}
	fputs(" (", f);
	md_code(f, s->file);
	putc(')', f);
}

static int
markdown_render(FILE *f, const struct stddiff *d)
{
	char sum[128];
	int dir;
	size_t i;

	fputs("### Changes to the standard\n\nFrom ", f);
	md_ident(f, d->old);
	fputs(" to ", f);
	md_ident(f, d->new_);
	fprintf(f, ": %s.\n\n", stddiff_summary(d, sum, sizeof(sum)));
	if (d->n == 0)
		return fflush(f) != 0 || ferror(f) ? DRIFT_EIO : 0;
	fputs("| Direction | Change | Rule type | Subject | Attribute | Old | New | Summary |\n"
	    "|---|---|---|---|---|---|---|---|\n", f);
	for (dir = 0; dir < STDDIFF_NDIR; dir++) {
		for (i = 0; i < d->n; i++) {
			const struct stddiff_change *ch = &d->v[i];

			if ((int)ch->direction != dir)
				continue;
			fprintf(f, "| %s | %s | %s | ", stddiff_direction_name(ch->direction),
			    stddiff_kind_name(ch->kind), stddiff_rule_type_name(ch->rule_type));
			md_code(f, ch->subject);
			fprintf(f, " | %s | ", ch->attribute);
			md_code(f, ch->old);
			fputs(" | ", f);
			md_code(f, ch->new_);
			fputs(" | ", f);
			md_prose(f, ch->message);
			fputs(" |\n", f);
		}
	}
	return fflush(f) != 0 || ferror(f) ? DRIFT_EIO : 0;
}

static const struct stddiff_format formats[] = {
	{ "text", text_render },
	{ "json", json_render },
	{ "markdown", markdown_render },
};

const struct stddiff_format *
stddiff_format_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(formats[i].name, name) == 0)
			return &formats[i];
	return NULL;
}
