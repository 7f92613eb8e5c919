/* SPDX-License-Identifier: MIT */
/* pkgdb.c - the package-database backend table and the sorted package list it fills. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "pkgdb.h"

static const struct pkgdb_ops *const backends[] = {
	&pkgdb_dpkg_ops,
#ifdef HAVE_RPM
	&pkgdb_rpm_ops,
#endif
	NULL
};

/* Every manager drift knows of, built in or not, to tell "unknown" from "not built". */
static const char *const known[] = { "dpkg", "rpm", NULL };

const struct pkgdb_ops *
pkgdb_find(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; backends[i] != NULL; i++)
		if (strcmp(backends[i]->name, name) == 0)
			return backends[i];
	return NULL;
}

static bool
pkgdb_known(const char *name)
{
	size_t i;

	for (i = 0; known[i] != NULL; i++)
		if (strcmp(known[i], name) == 0)
			return true;
	return false;
}

static void
pkg_release(struct pkg *p)
{
	free(p->manager);
	free(p->name);
	free(p->version);
	free(p->arch);
	free(p->status);
}

void
pkglist_truncate(struct pkglist *l, size_t n)
{
	while (l->n > n)
		pkg_release(&l->v[--l->n]);
}

void
pkglist_release(struct pkglist *l)
{
	if (l == NULL)
		return;
	pkglist_truncate(l, 0);
	free(l->v);
	l->v = NULL;
	l->n = 0;
	l->cap = 0;
}

int
pkglist_add(struct pkglist *l, const char *manager, const char *name,
    const char *version, const char *arch, const char *status)
{
	struct pkg p;

	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;
		struct pkg *nv;

		if (ncap > SIZE_MAX / sizeof(*nv))
			return DRIFT_ENOMEM;
		if ((nv = realloc(l->v, ncap * sizeof(*nv))) == NULL)
			return DRIFT_ENOMEM;
		l->v = nv;
		l->cap = ncap;
	}
	p.manager = strdup(manager ? manager : "");
	p.name = strdup(name ? name : "");
	p.version = strdup(version ? version : "");
	p.arch = strdup(arch ? arch : "");
	p.status = strdup(status ? status : "");
	if (p.manager == NULL || p.name == NULL || p.version == NULL ||
	    p.arch == NULL || p.status == NULL) {
		pkg_release(&p);
		return DRIFT_ENOMEM;
	}
	l->v[l->n++] = p;
	return 0;
}

char *
pkgdb_path(const char *root, const char *rel)
{
	size_t rlen = strlen(root);
	char *p;

	while (rlen > 0 && root[rlen - 1] == '/')
		rlen--;
	if ((p = malloc(rlen + strlen(rel) + 1)) == NULL)
		return NULL;
	memcpy(p, root, rlen);
	strcpy(p + rlen, rel);
	return p;
}

static int
pkg_cmp(const void *a, const void *b)
{
	const struct pkg *x = a, *y = b;
	int c;

	if ((c = strcmp(x->name, y->name)) != 0 ||
	    (c = strcmp(x->arch, y->arch)) != 0 ||
	    (c = strcmp(x->manager, y->manager)) != 0 ||
	    (c = strcmp(x->version, y->version)) != 0)
		return c;
	return strcmp(x->status, y->status);
}

int
pkgdb_read(const char *root, char *const *managers, size_t nmanagers,
    struct pkglist *out, struct drift_error *err)
{
	size_t n0 = out->n, i, j;
	int r;

	if (root == NULL || root[0] != '/')
		return drift_error_set(err, DRIFT_EINVAL,
		    "root '%s': not an absolute path", root ? root : "(null)");
	/* Refuse a bad list before reading anything. */
	for (i = 0; i < nmanagers; i++) {
		if (pkgdb_find(managers[i]) != NULL)
			continue;
		if (!pkgdb_known(managers[i]))
			return drift_error_set(err, DRIFT_EINVAL,
			    "package manager '%s': unknown (known: dpkg, rpm)",
			    managers[i]);
		return drift_error_set(err, DRIFT_EUNSUPPORTED,
		    "package manager '%s': not supported by this build "
		    "(rebuild with its development files installed)",
		    managers[i]);
	}
	for (i = 0; i < nmanagers; i++) {
		const struct pkgdb_ops *ops = pkgdb_find(managers[i]);

		for (j = 0; j < i; j++)
			if (strcmp(managers[j], managers[i]) == 0)
				break;
		if (j < i || !ops->present(root))
			continue;
		if ((r = ops->read(root, out, err)) < 0)
			goto out;
	}
	if (out->n > n0)
		qsort(out->v, out->n, sizeof(*out->v), pkg_cmp);
	r = 0;
out:
	if (r < 0)
		pkglist_truncate(out, n0);
	return r;
}
