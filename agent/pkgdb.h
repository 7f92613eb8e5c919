/* SPDX-License-Identifier: MIT */
/* pkgdb.h - installed-package databases, one backend per package manager. */
#ifndef DRIFT_AGENT_PKGDB_H
#define DRIFT_AGENT_PKGDB_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/*
 * One installed package. Every string is on the heap and never NULL: a
 * value the database does not have is "". See doc/internals/PKGDB.md for
 * what each manager's fields and status words mean.
 */
struct pkg {
	char *manager;	/* "dpkg", "rpm" */
	char *name;
	char *version;	/* as the manager spells it, epoch included when present */
	char *arch;
	char *status;	/* "installed", "hold", "config-files", ... */
};

/* A growable array of packages; zero-initialise, free with pkglist_release. */
struct pkglist {
	struct pkg *v;
	size_t n, cap;
};

#define PKGLIST_INIT { NULL, 0, 0 }

/* A package-database backend (OpenSMTPD's queue/table backends are the pattern). */
struct pkgdb_ops {
	const char *name;	/* "dpkg", "rpm" */
	/*
	 * True when root (a directory, "/" for the live system) holds this
	 * manager's database. Never creates anything.
	 */
	bool (*present)(const char *root);
	/*
	 * Append every package the database records as (partly) installed to
	 * out. Returns 0 or a DRIFT_E* code with err filled, e.g.
	 * "'ROOT/var/lib/dpkg/status': line N: ..."; on failure out is as it
	 * was. Opens the database read-only and never creates one.
	 */
	int (*read)(const char *root, struct pkglist *out, struct drift_error *err);
};

extern const struct pkgdb_ops pkgdb_dpkg_ops;
#ifdef HAVE_RPM
extern const struct pkgdb_ops pkgdb_rpm_ops;	/* needs librpm at build time */
#endif

/* The backend called name, or NULL when the name is unknown or not built in. */
const struct pkgdb_ops *pkgdb_find(const char *name);

/*
 * Read the named managers under root (an absolute path, "/" for the live
 * system; DRIFT_EINVAL otherwise), skipping those whose database is not
 * present there, append their packages to out and sort all of out by name,
 * then arch, then manager (then version and status, so the order is total).
 * A name listed twice is read once. A name that is unknown is DRIFT_EINVAL;
 * one this build cannot read ("rpm" without librpm) is DRIFT_EUNSUPPORTED,
 * so a host's packages are never silently left out. On failure out is as
 * it was.
 */
int pkgdb_read(const char *root, char *const *managers, size_t nmanagers,
    struct pkglist *out, struct drift_error *err);

/* Free every package and the array; l may be NULL and is reusable after. */
void pkglist_release(struct pkglist *l);

/* --- helpers for backends --- */

/*
 * Append a package with copies of the given strings (NULL becomes "").
 * 0 or DRIFT_ENOMEM (list unchanged).
 */
int pkglist_add(struct pkglist *l, const char *manager, const char *name,
    const char *version, const char *arch, const char *status);

/* Free the packages from index n on, so a failed read can undo its appends. */
void pkglist_truncate(struct pkglist *l, size_t n);

/*
 * root joined with rel (which starts with '/'): "/" + "/var/lib/rpm" is
 * "/var/lib/rpm", "/srv/img/" + "/var/lib/rpm" is "/srv/img/var/lib/rpm".
 * A heap string, or NULL when out of memory.
 */
char *pkgdb_path(const char *root, const char *rel);

#endif
