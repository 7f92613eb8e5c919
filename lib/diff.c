/* SPDX-License-Identifier: MIT */
/* diff.c - what changed between two baselines: one linear merge per entry kind. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "version.h"

static const char *const attr_names[ATTR_COUNT] = {
	"type", "mode", "uid", "gid", "owner", "group", "size", "mtime",
	"sha256", "target", "rdev", "error", "xattrs", "selinux",
};

const char *
diff_attr_name(int i)
{
	return i >= 0 && i < ATTR_COUNT ? attr_names[i] : "unknown";
}

const char *
change_kind_name(enum change_kind k)
{
	switch (k) {
	case CHANGE_FILE_ADDED: return "added";
	case CHANGE_FILE_REMOVED: return "removed";
	case CHANGE_FILE_MODIFIED: return "modified";
	case CHANGE_PKG_INSTALLED: return "installed";
	case CHANGE_PKG_REMOVED: return "removed";
	case CHANGE_PKG_UPGRADED: return "upgraded";
	case CHANGE_PKG_DOWNGRADED: return "downgraded";
	case CHANGE_PKG_CHANGED: return "changed";
	}
	return "changed";
}

static int
push(struct diff *d, const struct change *c)
{
	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 64;
		struct change *nv = realloc(d->v, ncap * sizeof(*nv));

		if (nv == NULL)
			return DRIFT_ENOMEM;
		d->v = nv;
		d->cap = ncap;
	}
	d->v[d->n++] = *c;
	d->count[c->kind]++;
	return 0;
}

static bool
bytes_eq(const ProtobufCBinaryData *a, const ProtobufCBinaryData *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static bool
xattrs_eq(const Drift__FileEntry *a, const Drift__FileEntry *b)
{
	size_t i;

	if (a->n_xattrs != b->n_xattrs)
		return false;
	for (i = 0; i < a->n_xattrs; i++)
		if (strcmp(a->xattrs[i]->name, b->xattrs[i]->name) != 0 ||
		    !bytes_eq(&a->xattrs[i]->value, &b->xattrs[i]->value))
			return false;
	return true;
}

static unsigned
file_attrs(const Drift__FileEntry *a, const Drift__FileEntry *b)
{
	unsigned m = 0;

	if (a->type != b->type)
		m |= ATTR_TYPE;
	if (a->mode != b->mode)
		m |= ATTR_MODE;
	if (a->uid != b->uid)
		m |= ATTR_UID;
	else if (strcmp(a->owner, b->owner) != 0)
		m |= ATTR_OWNER;
	if (a->gid != b->gid)
		m |= ATTR_GID;
	else if (strcmp(a->group, b->group) != 0)
		m |= ATTR_GROUP;
	if (a->size != b->size)
		m |= ATTR_SIZE;
	/* A directory's mtime moves whenever an entry comes or goes, and those
	 * entries are reported themselves. */
	if (a->mtime_ns != b->mtime_ns && !(a->type == DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY &&
	    b->type == DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY))
		m |= ATTR_MTIME;
	if (!bytes_eq(&a->sha256, &b->sha256))
		m |= ATTR_SHA256;
	if (!bytes_eq(&a->target, &b->target))
		m |= ATTR_TARGET;
	if (a->rdev != b->rdev)
		m |= ATTR_RDEV;
	if (strcmp(a->error, b->error) != 0)
		m |= ATTR_ERROR;
	if (!xattrs_eq(a, b))
		m |= ATTR_XATTRS;
	if (strcmp(a->selinux, b->selinux) != 0)
		m |= ATTR_SELINUX;
	return m;
}

static int
diff_packages(const Drift__Baseline *o, const Drift__Baseline *n, struct diff *d)
{
	size_t i = 0, j = 0;
	int r;

	while (i < o->n_packages || j < n->n_packages) {
		struct change c = { 0 };
		int cmp;

		if (i == o->n_packages)
			cmp = 1;
		else if (j == n->n_packages)
			cmp = -1;
		else
			cmp = package_entry_cmp(o->packages[i], n->packages[j]);
		if (cmp < 0) {
			c.kind = CHANGE_PKG_REMOVED;
			c.old_pkg = o->packages[i++];
		} else if (cmp > 0) {
			c.kind = CHANGE_PKG_INSTALLED;
			c.new_pkg = n->packages[j++];
		} else {
			const Drift__PackageEntry *a = o->packages[i++], *b = n->packages[j++];
			int v = version_compare(b->manager, a->version, b->version);

			if (v < 0)
				c.kind = CHANGE_PKG_UPGRADED;
			else if (v > 0)
				c.kind = CHANGE_PKG_DOWNGRADED;
			else if (strcmp(a->version, b->version) != 0 || strcmp(a->status, b->status) != 0)
				c.kind = CHANGE_PKG_CHANGED;	/* e.g. "1.0" vs "0:1.0" */
			else
				continue;
			c.old_pkg = a;
			c.new_pkg = b;
		}
		if ((r = push(d, &c)) < 0)
			return r;
	}
	return 0;
}

static int
diff_files(const Drift__Baseline *o, const Drift__Baseline *n, struct diff *d)
{
	size_t i = 0, j = 0;
	int r;

	while (i < o->n_files || j < n->n_files) {
		struct change c = { 0 };
		int cmp;

		if (i == o->n_files)
			cmp = 1;
		else if (j == n->n_files)
			cmp = -1;
		else
			cmp = file_entry_cmp(o->files[i], n->files[j]);
		if (cmp < 0) {
			c.kind = CHANGE_FILE_REMOVED;
			c.old_file = o->files[i++];
		} else if (cmp > 0) {
			c.kind = CHANGE_FILE_ADDED;
			c.new_file = n->files[j++];
		} else {
			c.old_file = o->files[i++];
			c.new_file = n->files[j++];
			if ((c.attrs = file_attrs(c.old_file, c.new_file)) == 0)
				continue;
			c.kind = CHANGE_FILE_MODIFIED;
		}
		if ((r = push(d, &c)) < 0)
			return r;
	}
	return 0;
}

int
diff_baselines(const Drift__Baseline *old, const Drift__Baseline *new_, struct diff *d)
{
	int r;

	memset(d, 0, sizeof(*d));
	if ((r = diff_packages(old, new_, d)) < 0)
		goto fail;
	d->npkg = d->n;
	if ((r = diff_files(old, new_, d)) < 0)
		goto fail;
	return 0;
fail:
	diff_release(d);
	return r;
}

void
diff_release(struct diff *d)
{
	if (d == NULL)
		return;
	free(d->v);
	memset(d, 0, sizeof(*d));
}

static void
summary_part(char *buf, size_t size, size_t *len, bool *first, size_t count,
    const char *noun_one, const char *noun_many, const char *verb)
{
	if (count == 0 || *len >= size)
		return;
	if (*first)
		*len += (size_t)snprintf(buf + *len, size - *len, "%zu %s %s", count,
		    count == 1 ? noun_one : noun_many, verb);
	else
		*len += (size_t)snprintf(buf + *len, size - *len, ", %zu %s", count, verb);
	*first = false;
}

const char *
diff_summary(const struct diff *d, char *buf, size_t size)
{
	size_t len = 0;
	bool first = true;

	buf[0] = '\0';
	summary_part(buf, size, &len, &first, d->count[CHANGE_PKG_UPGRADED], "package", "packages", "upgraded");
	summary_part(buf, size, &len, &first, d->count[CHANGE_PKG_DOWNGRADED], "package", "packages", "downgraded");
	summary_part(buf, size, &len, &first, d->count[CHANGE_PKG_INSTALLED], "package", "packages", "installed");
	summary_part(buf, size, &len, &first, d->count[CHANGE_PKG_REMOVED], "package", "packages", "removed");
	summary_part(buf, size, &len, &first, d->count[CHANGE_PKG_CHANGED], "package", "packages", "changed");
	if (!first && len < size)
		len += (size_t)snprintf(buf + len, size - len, "; ");
	first = true;
	summary_part(buf, size, &len, &first, d->count[CHANGE_FILE_MODIFIED], "file", "files", "modified");
	summary_part(buf, size, &len, &first, d->count[CHANGE_FILE_ADDED], "file", "files", "added");
	summary_part(buf, size, &len, &first, d->count[CHANGE_FILE_REMOVED], "file", "files", "removed");
	if (first && len >= 2 && len < size && strcmp(buf + len - 2, "; ") == 0)
		buf[len - 2] = '\0';
	if (buf[0] == '\0')
		snprintf(buf, size, "no changes");
	return buf;
}
