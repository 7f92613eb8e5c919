/* SPDX-License-Identifier: MIT */
/* standard.c - loading a standard with its includes and overrides, and whom it applies to. */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "standard.h"
#include "ynode.h"

#define STANDARD_MAX_BYTES	((size_t)4 << 20)
#define STANDARD_MAX_DEPTH	32

static const char *const top_keys[] = {
	"standard", "version", "description", "include", "applies_to", "files",
	"packages", NULL
};
static const char *const applies_keys[] = { "hosts", "os", NULL };
static const char *const packages_keys[] = { "required", "forbidden", NULL };

const char *
severity_name(enum severity s)
{
	switch (s) {
	case SEVERITY_INFO: return "info";
	case SEVERITY_WARNING: return "warning";
	case SEVERITY_CRITICAL: return "critical";
	}
	return "unknown";
}

const char *
version_op_name(enum version_op op)
{
	switch (op) {
	case VOP_ANY: return "";
	case VOP_GE: return ">=";
	case VOP_GT: return ">";
	case VOP_LE: return "<=";
	case VOP_LT: return "<";
	case VOP_EQ: return "=";
	}
	return "?";
}

/* Rules in the order they were read (one file's, or everything so far). */
struct rules {
	struct file_rule *files;
	size_t nfiles, capfiles;
	struct package_rule *packages;
	size_t npackages, cappackages;
};

/* A file being read, on the include chain: for cycles and messages. */
struct active {
	char *real;		/* realpath, NULL for a buffer */
	const char *name;	/* as written */
};

struct loader {
	struct standard *s;
	struct rules acc;
	struct active chain[STANDARD_MAX_DEPTH + 1];
	size_t nchain;
	char **seen;		/* realpaths of every file read */
	size_t nseen;
	struct drift_error *err;
};

static void
rules_release(struct rules *r)
{
	size_t i;

	for (i = 0; i < r->nfiles; i++)
		file_rule_release(&r->files[i]);
	for (i = 0; i < r->npackages; i++)
		package_rule_release(&r->packages[i]);
	free(r->files);
	free(r->packages);
	memset(r, 0, sizeof(*r));
}

/* Make room for one more element in *v (of *cap); 0 or DRIFT_ENOMEM. */
static int
reserve(void **v, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap > SIZE_MAX / size || (nv = realloc(*v, ncap * size)) == NULL)
		return DRIFT_ENOMEM;
	*v = nv;
	*cap = ncap;
	return 0;
}

static int
nomem(struct loader *ld, const char *file)
{
	return drift_error_set(ld->err, DRIFT_ENOMEM, "%s: out of memory", file);
}

/* Keep name in s->sources; the copy is what rule origins point to. */
static const char *
add_source(struct loader *ld, const char *name)
{
	struct standard *s = ld->s;
	char **v, *copy;

	if ((copy = strdup(name)) == NULL)
		return NULL;
	if ((v = realloc(s->sources, (s->nsources + 1) * sizeof(*v))) == NULL) {
		free(copy);
		return NULL;
	}
	s->sources = v;
	s->sources[s->nsources++] = copy;
	return copy;
}

/* --- duplicates: within one file an error, across files an override --- */

struct keyed {
	const char *key;
	size_t i;
};

static int
cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Sort (key, position) pairs so equal keys sit together in file order;
 * O(n log n), since a 4 MiB standard may hold a hundred thousand rules.
 */
static struct keyed *
sorted_keys(const struct rules *r, bool packages, size_t *n)
{
	struct keyed *k;
	size_t i;

	*n = packages ? r->npackages : r->nfiles;
	if ((k = calloc(*n + 1, sizeof(*k))) == NULL)
		return NULL;
	for (i = 0; i < *n; i++) {
		k[i].key = packages ? r->packages[i].name : r->files[i].path;
		k[i].i = i;
	}
	qsort(k, *n, sizeof(*k), cmp_keyed);
	return k;
}

/* Refuse a path or package name written twice in one file: surely a mistake. */
static int
check_duplicates(struct loader *ld, const struct rules *own, const char *source)
{
	const struct rule_origin *first = NULL, *dup = NULL, *o1, *o2;
	const char *what = NULL;
	struct keyed *k;
	size_t n, i;
	int pass;

	for (pass = 0; pass < 2 && dup == NULL; pass++) {
		if ((k = sorted_keys(own, pass == 1, &n)) == NULL)
			return nomem(ld, source);
		for (i = 1; i < n; i++) {
			if (strcmp(k[i - 1].key, k[i].key) != 0)
				continue;
			o1 = pass ? &own->packages[k[i - 1].i].origin : &own->files[k[i - 1].i].origin;
			o2 = pass ? &own->packages[k[i].i].origin : &own->files[k[i].i].origin;
			if (dup == NULL || o2->line < dup->line ||
			    (o2->line == dup->line && o2->col < dup->col)) {
				first = o1;
				dup = o2;
				what = k[i].key;
			}
		}
		if (dup != NULL) {
			if (pass == 0)
				drift_error_set(ld->err, DRIFT_EINVAL,
				    "%s:%u:%u: path '%.200s' has a second rule in this file "
				    "(first at line %u): merge them into one", source,
				    dup->line, dup->col, what, first->line);
			else
				drift_error_set(ld->err, DRIFT_EINVAL,
				    "%s:%u:%u: package '%.200s' is listed twice in this file "
				    "(first at line %u)", source, dup->line, dup->col, what,
				    first->line);
		}
		free(k);
	}
	return dup != NULL ? DRIFT_EINVAL : 0;
}

/*
 * Across files, the last definition of a path or package wins whole and
 * keeps its own position: drop every earlier one, keep the order of the rest.
 */
static int
apply_overrides(struct rules *acc)
{
	struct keyed *k;
	bool *dead;
	size_t n, i, o;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		if ((k = sorted_keys(acc, pass == 1, &n)) == NULL)
			return DRIFT_ENOMEM;
		if ((dead = calloc(n + 1, sizeof(*dead))) == NULL) {
			free(k);
			return DRIFT_ENOMEM;
		}
		for (i = 0; i + 1 < n; i++)
			if (strcmp(k[i].key, k[i + 1].key) == 0)
				dead[k[i].i] = true;
		for (i = 0, o = 0; i < n; i++) {
			if (pass == 0 && dead[i])
				file_rule_release(&acc->files[i]);
			else if (pass == 0)
				acc->files[o++] = acc->files[i];
			else if (dead[i])
				package_rule_release(&acc->packages[i]);
			else
				acc->packages[o++] = acc->packages[i];
		}
		if (pass == 0)
			acc->nfiles = o;
		else
			acc->npackages = o;
		free(dead);
		free(k);
	}
	return 0;
}

/* Move every rule of src to the end of dst; src is left empty. */
static int
rules_append(struct rules *dst, struct rules *src)
{
	size_t i;

	for (i = 0; i < src->nfiles; i++) {
		if (reserve((void **)&dst->files, &dst->capfiles, dst->nfiles,
		    sizeof(*dst->files)) < 0)
			return DRIFT_ENOMEM;
		dst->files[dst->nfiles++] = src->files[i];
		memset(&src->files[i], 0, sizeof(src->files[i]));
	}
	for (i = 0; i < src->npackages; i++) {
		if (reserve((void **)&dst->packages, &dst->cappackages, dst->npackages,
		    sizeof(*dst->packages)) < 0)
			return DRIFT_ENOMEM;
		dst->packages[dst->npackages++] = src->packages[i];
		memset(&src->packages[i], 0, sizeof(src->packages[i]));
	}
	rules_release(src);
	return 0;
}

/* --- one document --- */

static int
read_files(struct loader *ld, const struct ydoc *doc, const struct ynode *v,
    const char *source, struct rules *own)
{
	size_t i;
	int r;

	if (v->type != YNODE_SEQ)
		return ynode_error(doc, v, ld->err, DRIFT_EINVAL,
		    "files: expected a list of file rules, got %s", ynode_kind(v));
	for (i = 0; i < v->n; i++) {
		if (reserve((void **)&own->files, &own->capfiles, own->nfiles,
		    sizeof(*own->files)) < 0)
			return nomem(ld, source);
		if ((r = standard_read_file_rule(doc, v->items[i], source,
		    &own->files[own->nfiles], ld->err)) < 0)
			return r;
		own->nfiles++;
	}
	return 0;
}

static int
read_packages(struct loader *ld, const struct ydoc *doc, const struct ynode *v,
    const char *source, struct rules *own)
{
	const struct ynode *list;
	size_t i, k;
	int r, forbidden;

	if ((r = ynode_check_keys(doc, v, "packages", packages_keys, ld->err)) < 0)
		return r;
	/* In the order written: that is the rules' order in reports. */
	for (k = 0; k < v->n; k++) {
		list = v->items[k];
		forbidden = strcmp(v->keys[k]->scalar, "forbidden") == 0;
		if (list->type != YNODE_SEQ)
			return ynode_error(doc, list, ld->err, DRIFT_EINVAL,
			    "packages.%s: expected a list of packages, got %s",
			    packages_keys[forbidden], ynode_is_null(list) ? "nothing" :
			    ynode_kind(list));
		for (i = 0; i < list->n; i++) {
			if (reserve((void **)&own->packages, &own->cappackages,
			    own->npackages, sizeof(*own->packages)) < 0)
				return nomem(ld, source);
			if ((r = standard_read_package_rule(doc, list->items[i],
			    forbidden == 1, source, &own->packages[own->npackages],
			    ld->err)) < 0)
				return r;
			own->npackages++;
		}
	}
	return 0;
}

/*
 * The standard's own settings. Included files may carry them too (so a
 * base standard can be checked on its own); only the top-level file's count.
 */
static int
read_header(struct loader *ld, const struct ydoc *doc, bool top)
{
	const struct ynode *root = doc->root, *v, *a;
	struct standard t;
	int r;

	memset(&t, 0, sizeof(t));
	if ((v = ynode_get(root, "standard")) != NULL) {
		if ((r = ynode_string(doc, v, "standard", &t.name, ld->err)) < 0)
			goto out;
		if (t.name[0] == '\0') {
			r = ynode_error(doc, v, ld->err, DRIFT_EINVAL,
			    "standard: expected the standard's name, got an empty string");
			goto out;
		}
	} else if (top) {
		r = ynode_error(doc, root, ld->err, DRIFT_EINVAL,
		    "standard: missing: name the standard (for example 'standard: web-server')");
		goto out;
	}
	if (((v = ynode_get(root, "version")) != NULL &&
	    (r = ynode_string(doc, v, "version", &t.version, ld->err)) < 0) ||
	    ((v = ynode_get(root, "description")) != NULL &&
	    (r = ynode_string(doc, v, "description", &t.description, ld->err)) < 0))
		goto out;
	if ((a = ynode_get(root, "applies_to")) != NULL) {
		if ((r = ynode_check_keys(doc, a, "applies_to", applies_keys, ld->err)) < 0)
			goto out;
		if (((v = ynode_get(a, "hosts")) != NULL &&
		    (r = ynode_strlist(doc, v, "applies_to.hosts", &t.hosts, &t.nhosts,
		    ld->err)) < 0) ||
		    ((v = ynode_get(a, "os")) != NULL &&
		    (r = ynode_strlist(doc, v, "applies_to.os", &t.os, &t.nos, ld->err)) < 0))
			goto out;
	}
	if (top) {
		ld->s->name = t.name;
		ld->s->version = t.version;
		ld->s->description = t.description;
		ld->s->hosts = t.hosts;
		ld->s->nhosts = t.nhosts;
		ld->s->os = t.os;
		ld->s->nos = t.nos;
		memset(&t, 0, sizeof(t));	/* owned by the standard */
	}
	r = 0;
out:
	free(t.name);
	free(t.version);
	free(t.description);
	ynode_strv_free(t.hosts);
	ynode_strv_free(t.os);
	return r;
}

static int load_path(struct loader *ld, const char *path, const char *name,
    const struct ydoc *from, const struct ynode *at, unsigned depth);

/*
 * One document: its own rules are read and checked first (so a mistake in
 * this file is reported before one in what it includes), then its includes
 * are loaded in order, then its rules are added after theirs.
 */
static int
load_doc(struct loader *ld, const struct ydoc *doc, const char *source,
    const char *dir, bool top, unsigned depth)
{
	const struct ynode *root = doc->root, *v;
	struct rules own;
	char **inc = NULL, *path = NULL;
	size_t ninc = 0, i;
	int r;

	memset(&own, 0, sizeof(own));
	if ((r = ynode_check_keys(doc, root, NULL, top_keys, ld->err)) < 0 ||
	    (r = read_header(ld, doc, top)) < 0)
		goto out;
	if ((v = ynode_get(root, "files")) != NULL &&
	    (r = read_files(ld, doc, v, source, &own)) < 0)
		goto out;
	if ((v = ynode_get(root, "packages")) != NULL &&
	    (r = read_packages(ld, doc, v, source, &own)) < 0)
		goto out;
	if ((r = check_duplicates(ld, &own, source)) < 0)
		goto out;
	if ((v = ynode_get(root, "include")) != NULL) {
		if ((r = ynode_strlist(doc, v, "include", &inc, &ninc, ld->err)) < 0)
			goto out;
		for (i = 0; i < ninc; i++) {
			size_t len = strlen(dir) + strlen(inc[i]) + 1;

			if ((path = malloc(len)) == NULL) {
				r = nomem(ld, source);
				goto out;
			}
			snprintf(path, len, "%s%s", inc[i][0] == '/' ? "" : dir, inc[i]);
			if ((r = load_path(ld, path, inc[i], doc,
			    v->type == YNODE_SEQ ? v->items[i] : v, depth + 1)) < 0)
				goto out;
			free(path);
			path = NULL;
		}
	}
	if ((r = rules_append(&ld->acc, &own)) < 0)
		r = nomem(ld, source);
out:
	free(path);
	ynode_strv_free(inc);
	rules_release(&own);
	return r;
}

/* "dir/" of "dir/name.yaml", "" of "name.yaml". */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash != NULL ? (size_t)(slash - path) + 1 : 0;
	char *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, path, n);
		d[n] = '\0';
	}
	return d;
}

/* Is real on the chain of files being read (an include cycle)? Message in buf. */
static bool
in_cycle(const struct loader *ld, const char *real, const char *name, char *buf, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < ld->nchain; i++)
		if (ld->chain[i].real != NULL && strcmp(ld->chain[i].real, real) == 0)
			break;
	if (i == ld->nchain)
		return false;
	for (; i < ld->nchain && o < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s -> ", ld->chain[i].name);
	if (o < size)
		snprintf(buf + o, size - o, "%s", name);
	return true;
}

/*
 * Read one file (the top one when from is NULL). A file already read
 * through another include is not read again: with "later wins", a second
 * copy of a shared base would undo the overrides made on top of the first.
 */
static int
load_path(struct loader *ld, const char *path, const char *name,
    const struct ydoc *from, const struct ynode *at, unsigned depth)
{
	struct drift_error sub = { 0 };
	struct ydoc doc = { 0 };
	char *real = NULL, *dir = NULL, cycle[512];
	const char *source;
	size_t i;
	int r;

	if (depth > STANDARD_MAX_DEPTH)
		return ynode_error(from, at, ld->err, DRIFT_EINVAL,
		    "include '%s': more than %d levels of includes", name, STANDARD_MAX_DEPTH);
	if ((real = realpath(path, NULL)) == NULL && from != NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			return ynode_error(from, at, ld->err, DRIFT_ENOTFOUND,
			    "include '%s': no such file ('%s')", name, path);
		return ynode_error(from, at, ld->err, DRIFT_EIO,
		    "include '%s': cannot open '%s': %s", name, path, strerror(errno));
	}
	if (real != NULL && in_cycle(ld, real, name, cycle, sizeof(cycle))) {
		r = ynode_error(from, at, ld->err, DRIFT_EINVAL,
		    "include '%s' makes a cycle: %s", name, cycle);
		goto out;
	}
	for (i = 0; real != NULL && i < ld->nseen; i++)
		if (strcmp(ld->seen[i], real) == 0) {
			r = 0;
			goto out;
		}
	if ((r = ydoc_load_file(&doc, path, STANDARD_MAX_BYTES, &sub)) < 0) {
		/* Syntax errors carry their own position in the included file. */
		if (from == NULL || r == DRIFT_EFORMAT || r == DRIFT_ENOMEM)
			*ld->err = sub;
		else
			ynode_error(from, at, ld->err, r, "include '%s': %s", name, sub.msg);
		goto out;
	}
	if ((source = add_source(ld, path)) == NULL || (dir = dir_of(path)) == NULL) {
		r = nomem(ld, path);
		goto out;
	}
	if (real != NULL) {
		char **v = realloc(ld->seen, (ld->nseen + 1) * sizeof(*v));

		if (v == NULL) {
			r = nomem(ld, path);
			goto out;
		}
		ld->seen = v;
		ld->seen[ld->nseen++] = real;
	}
	ld->chain[ld->nchain].real = real;
	ld->chain[ld->nchain].name = name;
	ld->nchain++;
	real = NULL;		/* owned by ld->seen */
	r = load_doc(ld, &doc, source, dir, from == NULL, depth);
	ld->nchain--;
out:
	free(real);
	free(dir);
	ydoc_release(&doc);
	return r;
}

/* --- the whole standard --- */

static int
finish(struct loader *ld, const char *file, struct standard **out)
{
	struct standard *s = ld->s;

	if (apply_overrides(&ld->acc) < 0 || (s->file = strdup(file)) == NULL)
		return nomem(ld, file);
	s->files = ld->acc.files;
	s->nfiles = ld->acc.nfiles;
	s->packages = ld->acc.packages;
	s->npackages = ld->acc.npackages;
	memset(&ld->acc, 0, sizeof(ld->acc));	/* owned by s */
	*out = s;
	ld->s = NULL;
	return 0;
}

static void
loader_release(struct loader *ld)
{
	size_t i;

	for (i = 0; i < ld->nseen; i++)
		free(ld->seen[i]);
	free(ld->seen);
	rules_release(&ld->acc);
	standard_free(ld->s);
}

int
standard_load(const char *path, struct standard **out, struct drift_error *err)
{
	struct loader ld;
	int r;

	memset(&ld, 0, sizeof(ld));
	ld.err = err;
	if ((ld.s = calloc(1, sizeof(*ld.s))) == NULL)
		return drift_error_set(err, DRIFT_ENOMEM, "%s: out of memory", path);
	if ((r = load_path(&ld, path, path, NULL, NULL, 0)) == 0)
		r = finish(&ld, path, out);
	loader_release(&ld);
	return r;
}

int
standard_load_buffer(const char *name, const char *text, size_t len,
    struct standard **out, struct drift_error *err)
{
	struct ydoc doc = { 0 };
	struct loader ld;
	const char *source;
	int r;

	memset(&ld, 0, sizeof(ld));
	ld.err = err;
	if (len > STANDARD_MAX_BYTES)
		return drift_error_set(err, DRIFT_ETOOBIG,
		    "%s: larger than the limit of %zu bytes", name, STANDARD_MAX_BYTES);
	if ((ld.s = calloc(1, sizeof(*ld.s))) == NULL)
		return drift_error_set(err, DRIFT_ENOMEM, "%s: out of memory", name);
	if ((r = ydoc_load_string(&doc, name, text, len, err)) < 0)
		goto out;
	if ((source = add_source(&ld, name)) == NULL) {
		r = nomem(&ld, name);
		goto out;
	}
	ld.chain[0].name = name;
	ld.nchain = 1;
	if ((r = load_doc(&ld, &doc, source, "", true, 0)) == 0)
		r = finish(&ld, name, out);
out:
	ydoc_release(&doc);
	loader_release(&ld);
	return r;
}

void
standard_free(struct standard *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nfiles; i++)
		file_rule_release(&s->files[i]);
	for (i = 0; i < s->npackages; i++)
		package_rule_release(&s->packages[i]);
	free(s->files);
	free(s->packages);
	free(s->name);
	free(s->version);
	free(s->description);
	free(s->file);
	ynode_strv_free(s->hosts);
	ynode_strv_free(s->os);
	for (i = 0; i < s->nsources; i++)
		free(s->sources[i]);
	free(s->sources);
	free(s);
}

/* --- who the standard is for --- */

static bool
any_match(char *const *globs, size_t n, const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((a[0] != '\0' && fnmatch(globs[i], a, 0) == 0) ||
		    (b != NULL && b[0] != '\0' && fnmatch(globs[i], b, 0) == 0))
			return true;
	return false;
}

bool
standard_applies(const struct standard *s, const Drift__Baseline *b)
{
	const char *host_id = b->host_id != NULL ? b->host_id : "";
	const Drift__HostFacts *h = b->host;
	const char *hostname = h != NULL && h->hostname != NULL ? h->hostname : "";
	const char *os_id = h != NULL && h->os_id != NULL ? h->os_id : "";
	const char *os_ver = h != NULL && h->os_version != NULL ? h->os_version : "";
	char os[512];

	if (s->nhosts > 0 && !any_match(s->hosts, s->nhosts, host_id, hostname))
		return false;
	if (s->nos > 0) {
		if (os_id[0] == '\0')
			return false;
		snprintf(os, sizeof(os), "%s-%s", os_id, os_ver);
		if (!any_match(s->os, s->nos, os, NULL))
			return false;
	}
	return true;
}
