/* SPDX-License-Identifier: MIT */
/* ynode.c - YAML documents as a small tree on libyaml, with typed readers that report FILE:LINE:COL. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "buf.h"
#include "error.h"
#include "ynode.h"

/* Longest word drift_suggest compares; longer ones are no typo of a key. */
#define SUGGEST_MAX	64

/* Longest part of a value quoted back in a message. */
#define SHOW_MAX	48

/* ---------------------------------------------------------------- tree */

static void
ynode_free(struct ynode *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n; i++) {
		if (n->keys != NULL)
			ynode_free(n->keys[i]);
		ynode_free(n->items[i]);
	}
	free(n->keys);
	free(n->items);
	free(n->scalar);
	free(n);
}

static struct ynode *
ynode_new(enum ynode_type type, const yaml_mark_t *mark)
{
	struct ynode *n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	n->type = type;
	n->line = (unsigned)mark->line + 1;
	n->col = (unsigned)mark->column + 1;
	return n;
}

void
ydoc_release(struct ydoc *doc)
{
	if (doc == NULL)
		return;
	ynode_free(doc->root);
	free(doc->file);
	doc->root = NULL;
	doc->file = NULL;
}

const struct ynode *
ynode_get(const struct ynode *map, const char *key)
{
	size_t i, len;

	if (map == NULL || map->type != YNODE_MAP)
		return NULL;
	len = strlen(key);
	for (i = 0; i < map->n; i++) {
		const struct ynode *k = map->keys[i];

		if (k->len == len && memcmp(k->scalar, key, len) == 0)
			return map->items[i];
	}
	return NULL;
}

bool
ynode_is_null(const struct ynode *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	size_t i;

	if (n == NULL || n->type != YNODE_SCALAR || n->quoted)
		return false;
	for (i = 0; nulls[i] != NULL; i++)
		if (n->len == strlen(nulls[i]) && memcmp(n->scalar, nulls[i], n->len) == 0)
			return true;
	return false;
}

const char *
ynode_kind(const struct ynode *n)
{
	if (n == NULL)
		return "nothing";
	switch (n->type) {
	case YNODE_MAP:
		return "a mapping";
	case YNODE_SEQ:
		return "a list";
	case YNODE_SCALAR:
		break;
	}
	return "a value";
}

/* ------------------------------------------------------------ messages */

static int
verror_at(struct drift_error *err, int code, const char *file,
    unsigned long line, unsigned long col, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

static int
verror_at(struct drift_error *err, int code, const char *file,
    unsigned long line, unsigned long col, const char *fmt, va_list ap)
{
	char msg[sizeof(err->msg)];

	if (err == NULL)
		return code;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line == 0)
		return drift_error_set(err, code, "%s: %s", file, msg);
	return drift_error_set(err, code, "%s:%lu:%lu: %s", file, line, col, msg);
}

static int
error_at(struct drift_error *err, int code, const char *file,
    unsigned long line, unsigned long col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static int
error_at(struct drift_error *err, int code, const char *file,
    unsigned long line, unsigned long col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = verror_at(err, code, file, line, col, fmt, ap);
	va_end(ap);
	return code;
}

int
ynode_error(const struct ydoc *doc, const struct ynode *n,
    struct drift_error *err, int code, const char *fmt, ...)
{
	const char *file = doc != NULL && doc->file != NULL ? doc->file : "-";
	va_list ap;

	va_start(ap, fmt);
	code = verror_at(err, code, file, n ? n->line : 0, n ? n->col : 0, fmt, ap);
	va_end(ap);
	return code;
}

/*
 * Quote a value for a message: bytes that could upset a terminal become
 * \xNN and long values are cut, so a hostile file cannot forge output.
 */
static const char *
show(char out[static 256], const char *s, size_t len)
{
	size_t i, o = 0;

	out[o++] = '\'';
	for (i = 0; i < len && i < SHOW_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f)
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, 5, "\\x%02x", c);
	}
	if (len > SHOW_MAX) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '\'';
	out[o] = '\0';
	return out;
}

/* What n is, for "expected X, got Y". */
static const char *
got(const struct ynode *n, char out[static 256])
{
	if (n == NULL || ynode_is_null(n))
		return "nothing";
	if (n->type != YNODE_SCALAR)
		return ynode_kind(n);
	return show(out, n->scalar, n->len);
}

/* A scalar that can be read as a C string. */
static bool
is_text(const struct ynode *n)
{
	return n != NULL && n->type == YNODE_SCALAR && !ynode_is_null(n) &&
	    memchr(n->scalar, '\0', n->len) == NULL;
}

/* ------------------------------------------------------------- loading */

struct frame {
	struct ynode *node;
	size_t cap;		/* slots allocated in node->keys/items */
};

struct loader {
	const char *name;
	const char *text;
	size_t len;
	struct frame stack[YDOC_MAX_DEPTH];
	size_t depth;
	struct ynode *root;
	int documents;
	struct drift_error *err;
};

static int
load_error(struct loader *ld, const yaml_mark_t *m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
load_error(struct loader *ld, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = verror_at(ld->err, DRIFT_EFORMAT, ld->name, (unsigned long)m->line + 1,
	    (unsigned long)m->column + 1, fmt, ap);
	va_end(ap);
	return r;
}

static int
load_nomem(struct loader *ld)
{
	return drift_error_set(ld->err, DRIFT_ENOMEM, "%s: out of memory", ld->name);
}

static int
parser_error(struct loader *ld, const yaml_parser_t *p)
{
	const char *problem = p->problem != NULL ? p->problem : "syntax error";
	unsigned long line = 1, col = 1;
	size_t i;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return load_nomem(ld);
	case YAML_READER_ERROR:
		/* The reader has no mark, only a byte offset. */
		for (i = 0; i < p->problem_offset && i < ld->len; i++) {
			if (ld->text[i] == '\n') {
				line++;
				col = 1;
			} else
				col++;
		}
		if (p->problem_value != -1)
			return error_at(ld->err, DRIFT_EFORMAT, ld->name, line, col,
			    "%s (0x%x): the file must be UTF-8", problem,
			    (unsigned)p->problem_value);
		return error_at(ld->err, DRIFT_EFORMAT, ld->name, line, col, "%s", problem);
	default:
		break;
	}
	line = (unsigned long)p->problem_mark.line + 1;
	col = (unsigned long)p->problem_mark.column + 1;
	if (p->context != NULL)
		return error_at(ld->err, DRIFT_EFORMAT, ld->name, line, col,
		    "%s (%s started at line %lu, column %lu)", problem, p->context,
		    (unsigned long)p->context_mark.line + 1,
		    (unsigned long)p->context_mark.column + 1);
	return error_at(ld->err, DRIFT_EFORMAT, ld->name, line, col, "%s", problem);
}

static int
grow(struct frame *f)
{
	struct ynode *n = f->node, **p;
	size_t cap = f->cap != 0 ? f->cap * 2 : 4;

	if (cap > SIZE_MAX / sizeof(*p))
		return DRIFT_ENOMEM;
	if ((p = realloc(n->items, cap * sizeof(*p))) == NULL)
		return DRIFT_ENOMEM;
	n->items = p;
	if (n->type == YNODE_MAP) {
		if ((p = realloc(n->keys, cap * sizeof(*p))) == NULL)
			return DRIFT_ENOMEM;
		n->keys = p;
	}
	f->cap = cap;
	return 0;
}

/* Hang node into the open collection (or make it the root); on failure the caller still owns it. */
static int
attach(struct loader *ld, struct ynode *node, const yaml_mark_t *mark)
{
	struct frame *f;
	struct ynode *parent;

	if (ld->depth == 0) {
		if (ld->root != NULL)
			return drift_error_set(ld->err, DRIFT_EINTERNAL,
			    "%s: a second root node", ld->name);
		ld->root = node;
		return 0;
	}
	f = &ld->stack[ld->depth - 1];
	parent = f->node;
	if (parent->type == YNODE_MAP && parent->n > 0 &&
	    parent->items[parent->n - 1] == NULL) {
		parent->items[parent->n - 1] = node;
		return 0;
	}
	if (parent->type == YNODE_MAP && node->type != YNODE_SCALAR)
		return load_error(ld, mark, "a key must be a single value, not %s",
		    ynode_kind(node));
	if (parent->n == f->cap && grow(f) < 0)
		return load_nomem(ld);
	if (parent->type == YNODE_MAP) {
		parent->keys[parent->n] = node;
		parent->items[parent->n] = NULL;	/* the value comes next */
	} else
		parent->items[parent->n] = node;
	parent->n++;
	return 0;
}

static int
cmp_keys(const void *a, const void *b)
{
	const struct ynode *x = *(struct ynode *const *)a;
	const struct ynode *y = *(struct ynode *const *)b;
	size_t m = x->len < y->len ? x->len : y->len;
	int c;

	if ((c = memcmp(x->scalar, y->scalar, m)) != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->col < y->col ? -1 : x->col > y->col;
}

static bool
same_key(const struct ynode *x, const struct ynode *y)
{
	return x->len == y->len && memcmp(x->scalar, y->scalar, x->len) == 0;
}

static bool
before(const struct ynode *x, const struct ynode *y)
{
	return x->line < y->line || (x->line == y->line && x->col < y->col);
}

/*
 * Refuse duplicate keys. Sorting keeps a large mapping from costing
 * n^2; the duplicate reported is the first one in file order.
 */
static int
check_duplicates(struct loader *ld, const struct ynode *map)
{
	const struct ynode **v, *dup = NULL, *first = NULL;
	char shown[256];
	size_t i;

	if (map->n < 2)
		return 0;
	if ((v = malloc(map->n * sizeof(*v))) == NULL)
		return load_nomem(ld);
	for (i = 0; i < map->n; i++)
		v[i] = map->keys[i];
	qsort(v, map->n, sizeof(*v), cmp_keys);
	for (i = 1; i < map->n; i++) {
		if (same_key(v[i - 1], v[i]) && (dup == NULL || before(v[i], dup))) {
			dup = v[i];
			first = v[i - 1];
		}
	}
	free(v);
	if (dup == NULL)
		return 0;
	return error_at(ld->err, DRIFT_EFORMAT, ld->name, dup->line, dup->col,
	    "duplicate key %s (first at line %u)", show(shown, dup->scalar, dup->len),
	    first->line);
}

/* Anchors, aliases and tags have no place in drift's files. */
static int
check_props(struct loader *ld, const yaml_event_t *ev, const yaml_char_t *anchor,
    const yaml_char_t *tag)
{
	if (anchor != NULL)
		return load_error(ld, &ev->start_mark,
		    "anchor '&%.64s' refused: anchors and aliases are not supported",
		    (const char *)anchor);
	if (tag != NULL)
		return load_error(ld, &ev->start_mark,
		    "tag '%.64s' refused: tags are not supported", (const char *)tag);
	return 0;
}

static int
on_scalar(struct loader *ld, const yaml_event_t *ev)
{
	struct ynode *n;
	int r;

	if ((r = check_props(ld, ev, ev->data.scalar.anchor, ev->data.scalar.tag)) < 0)
		return r;
	if ((n = ynode_new(YNODE_SCALAR, &ev->start_mark)) == NULL ||
	    (n->scalar = malloc(ev->data.scalar.length + 1)) == NULL) {
		ynode_free(n);
		return load_nomem(ld);
	}
	memcpy(n->scalar, ev->data.scalar.value, ev->data.scalar.length);
	n->scalar[ev->data.scalar.length] = '\0';
	n->len = ev->data.scalar.length;
	n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	if ((r = attach(ld, n, &ev->start_mark)) < 0)
		ynode_free(n);
	return r;
}

static int
on_start(struct loader *ld, const yaml_event_t *ev, enum ynode_type type)
{
	const yaml_char_t *anchor, *tag;
	struct ynode *n;
	int r;

	if (type == YNODE_MAP) {
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
	} else {
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
	}
	if ((r = check_props(ld, ev, anchor, tag)) < 0)
		return r;
	if (ld->depth == YDOC_MAX_DEPTH)
		return load_error(ld, &ev->start_mark, "nested deeper than %d levels",
		    YDOC_MAX_DEPTH);
	if ((n = ynode_new(type, &ev->start_mark)) == NULL)
		return load_nomem(ld);
	if ((r = attach(ld, n, &ev->start_mark)) < 0) {
		ynode_free(n);
		return r;
	}
	ld->stack[ld->depth].node = n;
	ld->stack[ld->depth].cap = 0;
	ld->depth++;
	return 0;
}

static int
on_event(struct loader *ld, const yaml_event_t *ev, bool *done)
{
	switch (ev->type) {
	case YAML_STREAM_START_EVENT:
	case YAML_DOCUMENT_END_EVENT:
	case YAML_NO_EVENT:
		return 0;
	case YAML_STREAM_END_EVENT:
		*done = true;
		return 0;
	case YAML_DOCUMENT_START_EVENT:
		if (++ld->documents > 1)
			return load_error(ld, &ev->start_mark,
			    "a second document starts here: only one is allowed per file");
		return 0;
	case YAML_ALIAS_EVENT:
		return load_error(ld, &ev->start_mark,
		    "alias '*%.64s' refused: anchors and aliases are not supported",
		    (const char *)ev->data.alias.anchor);
	case YAML_SCALAR_EVENT:
		return on_scalar(ld, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_start(ld, ev, YNODE_SEQ);
	case YAML_MAPPING_START_EVENT:
		return on_start(ld, ev, YNODE_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (ld->depth == 0)
			return drift_error_set(ld->err, DRIFT_EINTERNAL,
			    "%s: unbalanced collection end", ld->name);
		ld->depth--;
		if (ev->type == YAML_MAPPING_END_EVENT)
			return check_duplicates(ld, ld->stack[ld->depth].node);
		return 0;
	}
	return drift_error_set(ld->err, DRIFT_EINTERNAL, "%s: unknown YAML event %d",
	    ld->name, (int)ev->type);
}

int
ydoc_load_string(struct ydoc *doc, const char *name, const char *text,
    size_t len, struct drift_error *err)
{
	struct loader ld;
	yaml_parser_t parser;
	yaml_event_t ev;
	yaml_mark_t start = { 0, 0, 0 };
	bool done = false;
	char *file = NULL;
	int r;

	memset(&ld, 0, sizeof(ld));
	ld.name = name;
	ld.text = text != NULL ? text : "";
	ld.len = text != NULL ? len : 0;
	ld.err = err;
	if (!yaml_parser_initialize(&parser))
		return load_nomem(&ld);
	yaml_parser_set_input_string(&parser, (const unsigned char *)ld.text, ld.len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			r = parser_error(&ld, &parser);
			goto out;
		}
		r = on_event(&ld, &ev, &done);
		yaml_event_delete(&ev);
		if (r < 0)
			goto out;
	}
	/* Nothing at all, or a bare "---": an empty mapping, so "no settings". */
	if (ld.root != NULL && ld.root->type == YNODE_SCALAR && ld.root->len == 0 &&
	    !ld.root->quoted) {
		start.line = ld.root->line - 1;
		start.column = ld.root->col - 1;
		ynode_free(ld.root);
		ld.root = NULL;
	}
	if (ld.root == NULL && (ld.root = ynode_new(YNODE_MAP, &start)) == NULL) {
		r = load_nomem(&ld);
		goto out;
	}
	if ((file = strdup(name)) == NULL) {
		r = load_nomem(&ld);
		goto out;
	}
	doc->root = ld.root;
	doc->file = file;
	ld.root = NULL;		/* owned by doc */
	r = 0;
out:
	yaml_parser_delete(&parser);
	ynode_free(ld.root);
	return r;
}

int
ydoc_load_file(struct ydoc *doc, const char *path, size_t max_bytes,
    struct drift_error *err)
{
	struct buf b = BUF_INIT(max_bytes);
	struct stat st;
	int fd, r;

	/* O_NONBLOCK: a FIFO in place of the file must not hang us before fstat. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		if (errno == ENOENT)
			return drift_error_set(err, DRIFT_ENOTFOUND, "'%s': no such file", path);
		return drift_error_errno(err, errno, "'%s': cannot open", path);
	}
	if (fstat(fd, &st) < 0) {
		r = drift_error_errno(err, errno, "'%s': cannot stat", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = drift_error_set(err, DRIFT_EINVAL, "'%s': not a regular file", path);
		goto out;
	}
	if ((uint64_t)st.st_size > max_bytes)
		r = DRIFT_ETOOBIG;
	else
		r = buf_read_fd(&b, fd);
	if (r == DRIFT_ETOOBIG) {
		r = drift_error_set(err, r, "'%s': larger than the limit of %zu bytes",
		    path, max_bytes);
		goto out;
	} else if (r == DRIFT_EIO) {
		r = drift_error_errno(err, errno, "'%s': cannot read", path);
		goto out;
	} else if (r < 0) {
		r = drift_error_set(err, r, "'%s': %s", path, drift_strerror(r));
		goto out;
	}
	r = ydoc_load_string(doc, path, b.data, b.len, err);
out:
	close(fd);
	buf_release(&b);
	return r;
}

/* ------------------------------------------------------- typed readers */

int
ynode_string(const struct ydoc *doc, const struct ynode *n, const char *what,
    char **out, struct drift_error *err)
{
	char shown[256], *s;

	if (n == NULL || n->type != YNODE_SCALAR || ynode_is_null(n))
		return ynode_error(doc, n, err, DRIFT_EINVAL,
		    "%s: expected a string, got %s", what, got(n, shown));
	if (!is_text(n))
		return ynode_error(doc, n, err, DRIFT_EINVAL,
		    "%s: %s contains a NUL byte", what, got(n, shown));
	if ((s = strdup(n->scalar)) == NULL)
		return ynode_error(doc, n, err, DRIFT_ENOMEM, "%s: out of memory", what);
	*out = s;
	return 0;
}

int
ynode_bool(const struct ydoc *doc, const struct ynode *n, const char *what,
    bool *out, struct drift_error *err)
{
	static const char *const yes[] = { "true", "yes", "on", NULL };
	static const char *const no[] = { "false", "no", "off", NULL };
	char shown[256];
	size_t i;

	if (is_text(n)) {
		for (i = 0; yes[i] != NULL; i++)
			if (strcasecmp(n->scalar, yes[i]) == 0) {
				*out = true;
				return 0;
			}
		for (i = 0; no[i] != NULL; i++)
			if (strcasecmp(n->scalar, no[i]) == 0) {
				*out = false;
				return 0;
			}
	}
	return ynode_error(doc, n, err, DRIFT_EINVAL,
	    "%s: expected true or false, got %s", what, got(n, shown));
}

void
ynode_strv_free(char **v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

int
ynode_strlist(const struct ydoc *doc, const struct ynode *n, const char *what,
    char ***out, size_t *count, struct drift_error *err)
{
	const struct ynode *const *items = &n;
	char shown[256], **v;
	size_t i, k = 1;
	int r;

	if (n == NULL || ynode_is_null(n))
		return ynode_error(doc, n, err, DRIFT_EINVAL,
		    "%s: expected a string or a list of strings, got nothing "
		    "(write [] for an empty list)", what);
	if (n->type == YNODE_MAP)
		return ynode_error(doc, n, err, DRIFT_EINVAL,
		    "%s: expected a string or a list of strings, got %s", what,
		    got(n, shown));
	if (n->type == YNODE_SEQ) {
		items = (const struct ynode *const *)n->items;
		k = n->n;
	}
	if ((v = calloc(k + 1, sizeof(*v))) == NULL)
		return ynode_error(doc, n, err, DRIFT_ENOMEM, "%s: out of memory", what);
	for (i = 0; i < k; i++)
		if ((r = ynode_string(doc, items[i], what, &v[i], err)) < 0) {
			ynode_strv_free(v);
			return r;
		}
	*out = v;
	*count = k;
	return 0;
}

/* Decimal digits at *sp into *out; -1 when there are none, -2 on overflow. */
static int
parse_digits(const char **sp, uint64_t *out)
{
	const char *s = *sp;
	uint64_t v = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -2;
		v = v * 10 + d;
	}
	*sp = s;
	*out = v;
	return 0;
}

int
ynode_size(const struct ydoc *doc, const struct ynode *n, const char *what,
    uint64_t *out, struct drift_error *err)
{
	static const struct {
		const char *name;
		uint64_t mult;
	} units[] = {
		{ "", 1 }, { "b", 1 },
		{ "kb", 1000ULL }, { "mb", 1000000ULL },
		{ "gb", 1000000000ULL }, { "tb", 1000000000000ULL },
		{ "kib", 1ULL << 10 }, { "mib", 1ULL << 20 },
		{ "gib", 1ULL << 30 }, { "tib", 1ULL << 40 },
	};
	char shown[256];
	const char *s;
	uint64_t v;
	size_t i;
	int r;

	if (!is_text(n))
		goto bad;
	s = n->scalar;
	if (*s == '-')
		return ynode_error(doc, n, err, DRIFT_EINVAL,
		    "%s: a size cannot be negative, got %s", what, got(n, shown));
	if ((r = parse_digits(&s, &v)) == -2)
		goto overflow;
	if (r < 0)
		goto bad;
	if (*s == ' ')
		s++;
	if (s[0] != '\0' && s[1] == '\0' && strchr("kKmMgGtT", s[0]) != NULL)
		return ynode_error(doc, n, err, DRIFT_EINVAL,
		    "%s: ambiguous unit in %s: write %ciB for powers of 1024 or "
		    "%cB for powers of 1000", what, got(n, shown),
		    toupper((unsigned char)s[0]), toupper((unsigned char)s[0]));
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(s, units[i].name) != 0)
			continue;
		if (v > UINT64_MAX / units[i].mult)
			goto overflow;
		*out = v * units[i].mult;
		return 0;
	}
bad:
	return ynode_error(doc, n, err, DRIFT_EINVAL,
	    "%s: expected a size such as 256KiB, 64MiB or 10MB, got %s", what,
	    got(n, shown));
overflow:
	return ynode_error(doc, n, err, DRIFT_EINVAL, "%s: size %s is too large",
	    what, got(n, shown));
}

int
ynode_duration(const struct ydoc *doc, const struct ynode *n, const char *what,
    uint64_t *seconds, struct drift_error *err)
{
	char shown[256];
	const char *s;
	uint64_t total = 0, v, mult;
	int r;

	if (!is_text(n))
		goto bad;
	s = n->scalar;
	if ((r = parse_digits(&s, &v)) == -2)
		goto overflow;
	if (r < 0)
		goto bad;
	if (*s == '\0') {
		*seconds = v;
		return 0;
	}
	for (;;) {
		switch (*s) {
		case 's': mult = 1; break;
		case 'm': mult = 60; break;
		case 'h': mult = 3600; break;
		case 'd': mult = 86400; break;
		case 'w': mult = 7 * 86400; break;
		default: goto bad;
		}
		s++;
		if (v > UINT64_MAX / mult || total > UINT64_MAX - v * mult)
			goto overflow;
		total += v * mult;
		if (*s == '\0')
			break;
		if ((r = parse_digits(&s, &v)) == -2)
			goto overflow;
		if (r < 0)
			goto bad;
	}
	*seconds = total;
	return 0;
bad:
	return ynode_error(doc, n, err, DRIFT_EINVAL,
	    "%s: expected a duration such as 90s, 15m, 2h, 1d or 1h30m, got %s",
	    what, got(n, shown));
overflow:
	return ynode_error(doc, n, err, DRIFT_EINVAL, "%s: duration %s is too large",
	    what, got(n, shown));
}

int
ynode_uint(const struct ydoc *doc, const struct ynode *n, const char *what,
    uint64_t *out, uint64_t max, struct drift_error *err)
{
	char shown[256];
	const char *s;
	uint64_t v;
	int r = -1;

	if (is_text(n)) {
		s = n->scalar;
		if ((r = parse_digits(&s, &v)) == 0 && *s != '\0')
			r = -1;
	}
	if (r == -1)
		return ynode_error(doc, n, err, DRIFT_EINVAL,
		    "%s: expected a whole number, got %s", what, got(n, shown));
	if (r == -2 || v > max)
		return ynode_error(doc, n, err, DRIFT_EINVAL,
		    "%s: %s is too large: the most is %" PRIu64, what, got(n, shown), max);
	*out = v;
	return 0;
}

int
ynode_check_keys(const struct ydoc *doc, const struct ynode *map,
    const char *what, const char *const *known, struct drift_error *err)
{
	const char *prefix = what != NULL ? what : "", *sep = what != NULL ? ": " : "";
	char shown[256], list[512];
	size_t i, j, o;

	if (map == NULL || map->type != YNODE_MAP)
		return ynode_error(doc, map, err, DRIFT_EINVAL,
		    "%s%sexpected a mapping of settings, got %s", prefix, sep,
		    got(map, shown));
	for (i = 0; i < map->n; i++) {
		const struct ynode *k = map->keys[i];
		const char *hint;

		for (j = 0; known[j] != NULL; j++)
			if (k->len == strlen(known[j]) &&
			    memcmp(k->scalar, known[j], k->len) == 0)
				break;
		if (known[j] != NULL)
			continue;
		show(shown, k->scalar, k->len);
		if (is_text(k) && (hint = drift_suggest(k->scalar, known)) != NULL)
			return ynode_error(doc, k, err, DRIFT_EINVAL,
			    "%s%sunknown key %s (did you mean '%s'?)", prefix, sep,
			    shown, hint);
		for (j = 0, o = 0; known[j] != NULL && o < sizeof(list); j++)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
			    j > 0 ? ", " : "", known[j]);
		if (j == 0)
			snprintf(list, sizeof(list), "none");
		return ynode_error(doc, k, err, DRIFT_EINVAL,
		    "%s%sunknown key %s (known keys: %s)", prefix, sep, shown, list);
	}
	return 0;
}

/* ---------------------------------------------------------- did you mean */

/* Optimal string alignment distance, ignoring ASCII case. */
static size_t
edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t rows[3][SUGGEST_MAX + 1];
	size_t *two = rows[0], *one = rows[1], *cur = rows[2], *t;
	size_t i, j;

	for (j = 0; j <= lb; j++)
		one[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			int ai = tolower((unsigned char)a[i - 1]);
			int bj = tolower((unsigned char)b[j - 1]);
			size_t v = one[j - 1] + (ai != bj);

			if (one[j] + 1 < v)
				v = one[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && ai == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == bj && two[j - 2] + 1 < v)
				v = two[j - 2] + 1;
			cur[j] = v;
		}
		t = two;
		two = one;
		one = cur;
		cur = t;
	}
	return one[lb];
}

const char *
drift_suggest(const char *word, const char *const *candidates)
{
	size_t lw = strlen(word), limit = lw >= 5 ? 2 : 1, best_d = SIZE_MAX, i;
	const char *best = NULL;

	if (lw > SUGGEST_MAX)
		return NULL;
	for (i = 0; candidates[i] != NULL; i++) {
		size_t lc = strlen(candidates[i]), d;

		if (lc > SUGGEST_MAX)
			continue;
		d = edit_distance(word, lw, candidates[i], lc);
		if (d <= limit && d < best_d) {
			best = candidates[i];
			best_d = d;
		}
	}
	return best;
}
