/* SPDX-License-Identifier: MIT */
/* pkgdb_dpkg.c - the dpkg backend: ROOT/var/lib/dpkg/status and its updates/ journal. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "pkgdb.h"

#define DPKG_STATUS	"/var/lib/dpkg/status"
#define DPKG_UPDATES	"/var/lib/dpkg/updates"
/* Debian with every package of the archive installed has a ~60 MiB status file. */
#define DPKG_FILE_MAX	((size_t)512 << 20)

static const char *const wants[] = {
	"unknown", "install", "hold", "deinstall", "purge", NULL
};
enum { WANT_HOLD = 2 };
static const char *const eflags[] = { "ok", "reinstreq", NULL };
static const char *const states[] = {
	"not-installed", "config-files", "half-installed", "unpacked",
	"half-configured", "triggers-awaited", "triggers-pending", "installed",
	NULL
};
enum { ST_NOTINSTALLED = 0, ST_HALFINSTALLED = 2, ST_INSTALLED = 7 };

/* One package instance as dpkg keeps it, before it becomes a struct pkg. */
struct dpkg_rec {
	char *name, *version, *arch;
	int want, state;
	bool ma_same;	/* "Multi-Arch: same": one instance per arch allowed */
	size_t line;	/* where its stanza starts, for messages */
};

struct dpkg_db {
	struct dpkg_rec *v;
	size_t n, cap;
};

/* The fields a stanza is read for; every other field is skipped. */
enum { F_PACKAGE, F_STATUS, F_VERSION, F_ARCH, F_MULTIARCH, F_NFIELDS, F_OTHER = F_NFIELDS };
static const char *const fieldnames[F_NFIELDS] = {
	"Package", "Status", "Version", "Architecture", "Multi-Arch"
};

struct stanza {
	const char *val[F_NFIELDS];	/* NULL when absent; not NUL-terminated */
	size_t len[F_NFIELDS];
	size_t line[F_NFIELDS];
	size_t start;	/* line of the first field, 0 between stanzas */
	int cur;	/* the field a continuation line belongs to */
};

struct dpkg_parse {
	const char *path;	/* for messages */
	bool update;	/* an updates/ entry: replaces what it names */
	struct dpkg_db *db;
	struct drift_error *err;
};

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool
has_ws(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (is_ws(s[i]))
			return true;
	return false;
}

static bool
all_ws(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!is_ws(s[i]))
			return false;
	return true;
}

static void
dpkg_db_release(struct dpkg_db *db)
{
	size_t i;

	for (i = 0; i < db->n; i++) {
		free(db->v[i].name);
		free(db->v[i].version);
		free(db->v[i].arch);
	}
	free(db->v);
	db->v = NULL;
	db->n = db->cap = 0;
}

static char *
dup_lower(const char *s, size_t len)
{
	char *p = strndup(s, len);
	size_t i;

	/* dpkg compares package names case-insensitively and prints them lowercased. */
	for (i = 0; p != NULL && i < len; i++)
		if (p[i] >= 'A' && p[i] <= 'Z')
			p[i] = (char)(p[i] - 'A' + 'a');
	return p;
}

/* The index of the word s[0..len) in words, or -1. */
static int
word_index(const char *const *words, const char *s, size_t len)
{
	int i;

	for (i = 0; words[i] != NULL; i++)
		if (strlen(words[i]) == len && memcmp(words[i], s, len) == 0)
			return i;
	return -1;
}

/* "want eflag state", words separated by any run of blanks as dpkg allows. */
static int
parse_status(struct dpkg_parse *ps, const struct stanza *st, int *want, int *state)
{
	const char *v = st->val[F_STATUS], *end = v + st->len[F_STATUS];
	const char *w[3];
	size_t wl[3], n = 0;
	int idx[3], i;
	const char *const *tables[3] = { wants, eflags, states };
	const char *what[3] = { "want", "error flag", "state" };

	while (v < end) {
		const char *s = v;

		while (v < end && !is_ws(*v))
			v++;
		if (n == 3)
			goto count;
		w[n] = s;
		wl[n++] = (size_t)(v - s);
		while (v < end && is_ws(*v))
			v++;
	}
	if (n != 3)
		goto count;
	for (i = 0; i < 3; i++) {
		if ((idx[i] = word_index(tables[i], w[i], wl[i])) < 0)
			return drift_error_set(ps->err, DRIFT_EFORMAT,
			    "'%s': line %zu: bad 'Status' field '%.*s': unknown %s '%.*s'",
			    ps->path, st->line[F_STATUS], (int)st->len[F_STATUS],
			    st->val[F_STATUS], what[i], (int)wl[i], w[i]);
	}
	*want = idx[0];
	*state = idx[2];
	return 0;
count:
	return drift_error_set(ps->err, DRIFT_EFORMAT,
	    "'%s': line %zu: bad 'Status' field '%.*s': expected three words "
	    "(want, error flag, state)", ps->path, st->line[F_STATUS],
	    (int)st->len[F_STATUS], st->val[F_STATUS]);
}

static struct dpkg_rec *
dpkg_db_find(struct dpkg_db *db, const char *name, const char *arch)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		if (strcmp(db->v[i].name, name) == 0 &&
		    (arch == NULL || strcmp(db->v[i].arch, arch) == 0))
			return &db->v[i];
	return NULL;
}

/*
 * The record an updates/ entry replaces, as dpkg's parse_find_pkg_slot()
 * chooses it: with exactly one installed instance of the name, that one
 * (a cross-grade), unless both are "Multi-Arch: same"; else the one of the
 * same architecture. NULL when the entry adds a new instance.
 */
static struct dpkg_rec *
dpkg_db_slot(struct dpkg_db *db, const struct dpkg_rec *rec)
{
	struct dpkg_rec *single = NULL;
	size_t i, installed = 0;

	for (i = 0; i < db->n; i++) {
		if (db->v[i].state == ST_NOTINSTALLED ||
		    strcmp(db->v[i].name, rec->name) != 0)
			continue;
		installed++;
		single = &db->v[i];
	}
	if (installed == 1 && !(single->ma_same && rec->ma_same))
		return single;
	return dpkg_db_find(db, rec->name, rec->arch);
}

static int
dpkg_db_put(struct dpkg_db *db, struct dpkg_rec *rec, bool update)
{
	struct dpkg_rec *slot = update ? dpkg_db_slot(db, rec) : NULL;

	if (slot != NULL) {
		free(slot->name);
		free(slot->version);
		free(slot->arch);
		*slot = *rec;
		return 0;
	}
	if (db->n == db->cap) {
		size_t ncap = db->cap ? db->cap * 2 : 256;
		struct dpkg_rec *nv;

		if ((nv = reallocarray(db->v, ncap, sizeof(*nv))) == NULL)
			return DRIFT_ENOMEM;
		db->v = nv;
		db->cap = ncap;
	}
	db->v[db->n++] = *rec;
	return 0;
}

/* A stanza is complete: check it and record the package it describes. */
static int
stanza_end(struct dpkg_parse *ps, const struct stanza *st)
{
	struct dpkg_rec rec = { NULL, NULL, NULL, 0, ST_NOTINSTALLED, false, st->start };
	int r;

	if (st->val[F_PACKAGE] == NULL)
		return drift_error_set(ps->err, DRIFT_EFORMAT,
		    "'%s': line %zu: stanza has no 'Package' field",
		    ps->path, st->start);
	if (st->len[F_PACKAGE] == 0 || has_ws(st->val[F_PACKAGE], st->len[F_PACKAGE]))
		return drift_error_set(ps->err, DRIFT_EFORMAT,
		    "'%s': line %zu: bad 'Package' field '%.*s': not a package name",
		    ps->path, st->line[F_PACKAGE], (int)st->len[F_PACKAGE],
		    st->val[F_PACKAGE]);
	/* Like dpkg, a stanza without Status is a package never installed. */
	if (st->val[F_STATUS] != NULL &&
	    (r = parse_status(ps, st, &rec.want, &rec.state)) < 0)
		return r;
	/* In the status file a not-installed stanza only records a selection. */
	if (rec.state == ST_NOTINSTALLED && !ps->update)
		return 0;
	if (rec.state != ST_NOTINSTALLED && rec.state != ST_HALFINSTALLED &&
	    (st->val[F_VERSION] == NULL || st->len[F_VERSION] == 0))
		return drift_error_set(ps->err, DRIFT_EFORMAT,
		    "'%s': line %zu: package '%.*s': status '%s' needs a 'Version' field",
		    ps->path, st->start, (int)st->len[F_PACKAGE],
		    st->val[F_PACKAGE], states[rec.state]);
	if (st->val[F_VERSION] != NULL &&
	    has_ws(st->val[F_VERSION], st->len[F_VERSION]))
		return drift_error_set(ps->err, DRIFT_EFORMAT,
		    "'%s': line %zu: bad 'Version' field '%.*s': contains a blank",
		    ps->path, st->line[F_VERSION], (int)st->len[F_VERSION],
		    st->val[F_VERSION]);
	rec.ma_same = st->val[F_MULTIARCH] != NULL && st->len[F_MULTIARCH] == 4 &&
	    memcmp(st->val[F_MULTIARCH], "same", 4) == 0;
	rec.name = dup_lower(st->val[F_PACKAGE], st->len[F_PACKAGE]);
	rec.version = st->val[F_VERSION] ?
	    strndup(st->val[F_VERSION], st->len[F_VERSION]) : strdup("");
	rec.arch = st->val[F_ARCH] ?
	    strndup(st->val[F_ARCH], st->len[F_ARCH]) : strdup("");
	if (rec.name == NULL || rec.version == NULL || rec.arch == NULL ||
	    dpkg_db_put(ps->db, &rec, ps->update) < 0) {
		free(rec.name);
		free(rec.version);
		free(rec.arch);
		return drift_error_set(ps->err, DRIFT_ENOMEM, "'%s': out of memory",
		    ps->path);
	}
	return 0;
}

static void
stanza_clear(struct stanza *st)
{
	memset(st, 0, sizeof(*st));
	st->cur = F_OTHER;
}

/* One line, without its newline: a field, a continuation or a blank separator. */
static int
dpkg_line(struct dpkg_parse *ps, struct stanza *st, const char *p,
    const char *eol, size_t lno)
{
	const char *colon, *nend, *v, *vend;
	size_t nlen;
	int f, r;

	if (p == eol) {
		if (st->start != 0 && (r = stanza_end(ps, st)) < 0)
			return r;
		stanza_clear(st);
		return 0;
	}
	if (is_ws(*p)) {
		bool blank = all_ws(p, (size_t)(eol - p));

		if (st->start == 0)
			return drift_error_set(ps->err, DRIFT_EFORMAT,
			    "'%s': line %zu: continuation line outside any field "
			    "(a line that starts with a blank must follow a field)",
			    ps->path, lno);
		if (st->cur != F_OTHER && !blank)
			return drift_error_set(ps->err, DRIFT_EFORMAT,
			    "'%s': line %zu: field '%s' continues onto a second line",
			    ps->path, lno, fieldnames[st->cur]);
		return 0;
	}
	if ((colon = memchr(p, ':', (size_t)(eol - p))) == NULL)
		return drift_error_set(ps->err, DRIFT_EFORMAT,
		    "'%s': line %zu: '%.*s' is not a field (no ':')",
		    ps->path, lno, (int)(eol - p), p);
	for (nend = colon; nend > p && is_ws(nend[-1]); nend--)
		;
	nlen = (size_t)(nend - p);
	if (nlen == 0 || has_ws(p, nlen))
		return drift_error_set(ps->err, DRIFT_EFORMAT,
		    "'%s': line %zu: bad field name '%.*s'",
		    ps->path, lno, (int)nlen, p);
	for (v = colon + 1; v < eol && is_ws(*v); v++)
		;
	for (vend = eol; vend > v && is_ws(vend[-1]); vend--)
		;
	for (f = 0; f < F_NFIELDS; f++)
		if (strlen(fieldnames[f]) == nlen &&
		    strncasecmp(fieldnames[f], p, nlen) == 0)
			break;
	if (st->start == 0)
		st->start = lno;
	st->cur = f;
	if (f == F_OTHER)
		return 0;
	if (st->val[f] != NULL)
		return drift_error_set(ps->err, DRIFT_EFORMAT,
		    "'%s': line %zu: second '%s' field in one stanza (first at "
		    "line %zu; is a blank line missing?)",
		    ps->path, lno, fieldnames[f], st->line[f]);
	st->val[f] = v;
	st->len[f] = (size_t)(vend - v);
	st->line[f] = lno;
	return 0;
}

static size_t
line_of(const char *data, const char *at)
{
	size_t n = 1;

	for (; data < at; data++)
		if (*data == '\n')
			n++;
	return n;
}

/*
 * Parse a status file (or an updates/ entry) into db. The last line may
 * lack its newline: dpkg itself never writes such a file but would refuse
 * it, and there is no ambiguity in reading it.
 */
static int
dpkg_parse(struct dpkg_parse *ps, const char *data, size_t len)
{
	const char *p = data, *end = data + len, *nul;
	struct stanza st;
	size_t lno = 0;
	int r;

	if (len == 0)
		return 0;
	if ((nul = memchr(data, '\0', len)) != NULL)
		return drift_error_set(ps->err, DRIFT_EFORMAT,
		    "'%s': line %zu: NUL byte in a text file", ps->path,
		    line_of(data, nul));
	stanza_clear(&st);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (eol == NULL)
			eol = end;
		if ((r = dpkg_line(ps, &st, p, eol, ++lno)) < 0)
			return r;
		p = eol < end ? eol + 1 : end;
	}
	if (st.start != 0)
		return stanza_end(ps, &st);
	return 0;
}

static int
rec_cmp(const void *a, const void *b)
{
	const struct dpkg_rec *x = a, *y = b;
	int c;

	if ((c = strcmp(x->name, y->name)) != 0 ||
	    (c = strcmp(x->arch, y->arch)) != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/*
 * dpkg refuses a status file with two instances of one package unless both
 * are "Multi-Arch: same" for different architectures; so do we, since such
 * a file says nothing reliable about what is installed.
 */
static int
dpkg_check_instances(const char *path, struct dpkg_db *db, struct drift_error *err)
{
	size_t i;

	if (db->n > 1)
		qsort(db->v, db->n, sizeof(*db->v), rec_cmp);
	for (i = 1; i < db->n; i++) {
		const struct dpkg_rec *a = &db->v[i - 1], *b = &db->v[i];
		const struct dpkg_rec *first = a->line < b->line ? a : b;
		const struct dpkg_rec *again = a->line < b->line ? b : a;

		if (strcmp(a->name, b->name) != 0)
			continue;
		if (a->ma_same && b->ma_same && strcmp(a->arch, b->arch) != 0)
			continue;
		return drift_error_set(err, DRIFT_EFORMAT,
		    "'%s': line %zu: package '%s' is listed again (first at line "
		    "%zu) and the two instances cannot be installed together",
		    path, again->line, again->name, first->line);
	}
	return 0;
}

/* Read path whole, through a bounded buffer. */
static int
dpkg_load(const char *path, struct buf *b, struct drift_error *err)
{
	struct stat st;
	int fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		if (errno == ENOENT)
			return drift_error_set(err, DRIFT_ENOTFOUND,
			    "'%s': no such file", path);
		return drift_error_errno(err, errno, "'%s': cannot open", path);
	}
	if (fstat(fd, &st) < 0) {
		r = drift_error_errno(err, errno, "'%s': cannot stat", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = drift_error_set(err, DRIFT_EFORMAT, "'%s': not a regular file", path);
		goto out;
	}
	buf_reset(b);
	if ((r = buf_read_fd(b, fd)) == DRIFT_ETOOBIG)
		r = drift_error_set(err, r, "'%s': larger than %zu MiB", path,
		    DPKG_FILE_MAX >> 20);
	else if (r == DRIFT_EIO)
		r = drift_error_errno(err, errno, "'%s': cannot read", path);
	else if (r < 0)
		r = drift_error_set(err, r, "'%s': %s", path, drift_strerror(r));
out:
	close(fd);
	return r;
}

static bool
all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int
name_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t lx = strlen(x), ly = strlen(y);

	if (lx != ly)
		return lx < ly ? -1 : 1;
	return strcmp(x, y);
}

/*
 * dpkg journals each status change in updates/NNNN until it folds them
 * into status; dpkg-query applies them in order, and so do we, or a host
 * where dpkg was interrupted would be recorded as it was before.
 */
static int
dpkg_updates(const char *root, struct dpkg_db *db, struct buf *b, struct drift_error *err)
{
	struct dpkg_parse ps = { NULL, true, db, err };
	char *dir = NULL, **names = NULL, *path = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d = NULL;
	int r;

	if ((dir = pkgdb_path(root, DPKG_UPDATES)) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto out;
	}
	if ((d = opendir(dir)) == NULL) {
		r = errno == ENOENT ? 0 :
		    drift_error_errno(err, errno, "'%s': cannot open directory", dir);
		goto out;
	}
	for (errno = 0; (de = readdir(d)) != NULL; errno = 0) {
		if (!all_digits(de->d_name))
			continue;	/* tmp.i is the entry being written */
		if (n == cap) {
			char **nv;

			cap = cap ? cap * 2 : 16;
			if ((nv = reallocarray(names, cap, sizeof(*nv))) == NULL) {
				r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
				goto out;
			}
			names = nv;
		}
		if ((names[n] = strdup(de->d_name)) == NULL) {
			r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
			goto out;
		}
		n++;
	}
	if (errno != 0) {
		r = drift_error_errno(err, errno, "'%s': cannot read directory", dir);
		goto out;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		free(path);
		if ((path = malloc(strlen(dir) + strlen(names[i]) + 2)) == NULL) {
			r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
			goto out;
		}
		strcpy(path, dir);
		strcat(path, "/");
		strcat(path, names[i]);
		if ((r = dpkg_load(path, b, err)) < 0)
			goto out;
		ps.path = path;
		if ((r = dpkg_parse(&ps, b->data, b->len)) < 0)
			goto out;
	}
	r = 0;
out:
	if (d != NULL)
		closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(path);
	free(dir);
	return r;
}

static bool
dpkg_present(const char *root)
{
	char *path = pkgdb_path(root, DPKG_STATUS);
	struct stat st;
	bool ok;

	ok = path != NULL && stat(path, &st) == 0 && S_ISREG(st.st_mode);
	free(path);
	return ok;
}

static int
dpkg_read(const char *root, struct pkglist *out, struct drift_error *err)
{
	struct dpkg_db db = { NULL, 0, 0 };
	struct dpkg_parse ps = { NULL, false, &db, err };
	struct buf b = BUF_INIT(DPKG_FILE_MAX);
	size_t n0 = out->n, i;
	char *path;
	int r;

	if ((path = pkgdb_path(root, DPKG_STATUS)) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto out;
	}
	ps.path = path;
	if ((r = dpkg_load(path, &b, err)) < 0 ||
	    (r = dpkg_parse(&ps, b.data, b.len)) < 0 ||
	    (r = dpkg_check_instances(path, &db, err)) < 0 ||
	    (r = dpkg_updates(root, &db, &b, err)) < 0)
		goto out;
	for (i = 0; i < db.n; i++) {
		const struct dpkg_rec *rec = &db.v[i];
		const char *status = states[rec->state];

		if (rec->state == ST_NOTINSTALLED)
			continue;	/* removed by an updates/ entry */
		if (rec->want == WANT_HOLD && rec->state == ST_INSTALLED)
			status = "hold";
		if ((r = pkglist_add(out, "dpkg", rec->name, rec->version,
		    rec->arch, status)) < 0) {
			r = drift_error_set(err, r, "'%s': out of memory", path);
			goto out;
		}
	}
	r = 0;
out:
	if (r < 0)
		pkglist_truncate(out, n0);
	dpkg_db_release(&db);
	buf_release(&b);
	free(path);
	return r;
}

const struct pkgdb_ops pkgdb_dpkg_ops = {
	.name = "dpkg",
	.present = dpkg_present,
	.read = dpkg_read,
};
