/* SPDX-License-Identifier: MIT */
/* render_text.c - baselines and diffs as plain text for people. */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "buf.h"
#include "quote.h"
#include "render.h"

static void
host_line(FILE *f, const Drift__Baseline *pb)
{
	char t[48];

	fprintf(f, "%s", render_host_name(pb));
	if (pb->host != NULL && pb->host->os_pretty[0] != '\0')
		fprintf(f, " (%s)", pb->host->os_pretty);
	else if (pb->host != NULL && pb->host->os_id[0] != '\0')
		fprintf(f, " (%s %s)", pb->host->os_id, pb->host->os_version);
	fprintf(f, ", taken %s", format_time_ns(pb->taken_at_ns, t, sizeof(t)));
}

static void
owner_of(const Drift__FileEntry *e, char *buf, size_t size, bool group)
{
	const char *name = group ? e->group : e->owner;

	if (name[0] != '\0')
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%u", group ? e->gid : e->uid);
}

static void
file_line(FILE *f, const Drift__FileEntry *e)
{
	char perms[16], own[64], grp[64], t[48], hex[DIGEST_HEX_LEN + 1];

	owner_of(e, own, sizeof(own), false);
	owner_of(e, grp, sizeof(grp), true);
	fprintf(f, "  %s %-8s %-8s %10" PRIu64 "  %s  ",
	    render_perms(e->type, e->mode, perms, sizeof(perms)), own, grp, e->size,
	    format_time_ns(e->mtime_ns - e->mtime_ns % 1000000000, t, sizeof(t)));
	quote_path(f, e->path.data, e->path.len);
	if (e->type == DRIFT__FILE_TYPE__FILE_TYPE_SYMLINK) {
		fputs(" -> ", f);
		quote_path(f, e->target.data, e->target.len);
	}
	if (e->sha256.len == DIGEST_LEN) {
		digest_hex(e->sha256.data, DIGEST_LEN, hex);
		fprintf(f, "  sha256:%.16s", hex);
	}
	if (e->error[0] != '\0')
		fprintf(f, "  [%s]", e->error);
	putc('\n', f);
}

static int
text_show(FILE *f, const struct baseline *b)
{
	const Drift__Baseline *pb = b->pb;
	size_t i, nerr = 0, ncap = 0;

	for (i = 0; i < pb->n_files; i++) {
		nerr += pb->files[i]->error[0] != '\0';
		ncap += pb->files[i]->content_captured;
	}
	host_line(f, pb);
	putc('\n', f);
	fprintf(f, "%zu files (%zu with content kept, %zu not fully readable), %zu packages\n",
	    pb->n_files, ncap, nerr, pb->n_packages);
	if (pb->n_packages > 0) {
		fprintf(f, "\npackages\n");
		for (i = 0; i < pb->n_packages; i++) {
			const Drift__PackageEntry *p = pb->packages[i];

			fprintf(f, "  %-32s %-28s %-8s %-14s %s\n", p->name, p->version,
			    p->arch, p->status, p->manager);
		}
	}
	if (pb->n_files > 0) {
		fprintf(f, "\nfiles\n");
		for (i = 0; i < pb->n_files; i++)
			file_line(f, pb->files[i]);
	}
	return render_finish(f);
}

/* One "what → what" fragment per changed attribute, e.g. "mode 0644 -> 0600". */
static void
attr_changes(FILE *f, const Drift__FileEntry *a, const Drift__FileEntry *b, unsigned attrs)
{
	char x[64], y[64];
	const char *sep = "";

#define SEP() (fputs(sep, f), sep = ", ")
	if (attrs & ATTR_TYPE) {
		SEP();
		fprintf(f, "type %s -> %s", file_type_name(a->type), file_type_name(b->type));
	}
	if (attrs & ATTR_SHA256) {
		SEP();
		fputs(b->sha256.len ? (a->sha256.len ? "content changed" : "content now readable")
		    : "content no longer hashed", f);
	}
	if (attrs & ATTR_MODE) {
		SEP();
		fprintf(f, "mode %s -> ", render_mode(a->mode, x, sizeof(x)));
		fprintf(f, "%s", render_mode(b->mode, y, sizeof(y)));
	}
	if (attrs & (ATTR_UID | ATTR_OWNER)) {
		owner_of(a, x, sizeof(x), false);
		owner_of(b, y, sizeof(y), false);
		SEP();
		fprintf(f, "owner %s (%u) -> %s (%u)", x, a->uid, y, b->uid);
	}
	if (attrs & (ATTR_GID | ATTR_GROUP)) {
		owner_of(a, x, sizeof(x), true);
		owner_of(b, y, sizeof(y), true);
		SEP();
		fprintf(f, "group %s (%u) -> %s (%u)", x, a->gid, y, b->gid);
	}
	if (attrs & ATTR_TARGET) {
		SEP();
		fputs("target ", f);
		quote_path(f, a->target.data, a->target.len);
		fputs(" -> ", f);
		quote_path(f, b->target.data, b->target.len);
	}
	if (attrs & ATTR_SIZE) {
		SEP();
		fprintf(f, "size %" PRIu64 " -> %" PRIu64, a->size, b->size);
	}
	if (attrs & ATTR_RDEV) {
		SEP();
		fprintf(f, "device %" PRIu64 " -> %" PRIu64, a->rdev, b->rdev);
	}
	if (attrs & ATTR_ERROR) {
		SEP();
		fprintf(f, "%s", b->error[0] ? b->error : "readable again");
	}
	if (attrs & ATTR_XATTRS) {
		SEP();
		fputs("extended attributes changed", f);
	}
	if (attrs & ATTR_SELINUX) {
		SEP();
		fprintf(f, "SELinux label %s -> %s", a->selinux, b->selinux);
	}
	if (attrs & ATTR_MTIME) {
		SEP();
		fprintf(f, "mtime %s -> ", format_time_ns(a->mtime_ns, x, sizeof(x)));
		fprintf(f, "%s", format_time_ns(b->mtime_ns, y, sizeof(y)));
	}
#undef SEP
}

static void
content_diff(FILE *f, const struct baseline *old, const struct baseline *new_,
    const Drift__FileEntry *a, const Drift__FileEntry *b)
{
	struct buf out = BUF_INIT(RENDER_DIFF_MAX);
	size_t i;
	int r;

	r = render_content_diff(old, new_, a, b, &out);
	if (r == DRIFT_ETOOBIG) {
		fprintf(f, "      (the content diff is larger than %zu MiB and is not shown)\n",
		    RENDER_DIFF_MAX >> 20);
	} else if (r == 0 && out.len > 0) {
		/* Indent so the diff reads as part of its entry. */
		fputs("      ", f);
		for (i = 0; i < out.len; i++) {
			putc_unlocked(out.data[i], f);
			if (out.data[i] == '\n' && i + 1 < out.len)
				fputs("      ", f);
		}
		if (out.data[out.len - 1] != '\n')
			putc('\n', f);
	}
	buf_release(&out);
}

static void
package_change(FILE *f, const struct change *c)
{
	const Drift__PackageEntry *p = c->new_pkg ? c->new_pkg : c->old_pkg;

	fprintf(f, "  %-11s %s", change_kind_name(c->kind), p->name);
	if (p->arch[0] != '\0')
		fprintf(f, " (%s)", p->arch);
	switch (c->kind) {
	case CHANGE_PKG_INSTALLED:
		fprintf(f, " %s", c->new_pkg->version);
		break;
	case CHANGE_PKG_REMOVED:
		fprintf(f, " %s", c->old_pkg->version);
		break;
	default:
		fprintf(f, " %s -> %s", c->old_pkg->version, c->new_pkg->version);
		if (strcmp(c->old_pkg->status, c->new_pkg->status) != 0)
			fprintf(f, ", %s -> %s", c->old_pkg->status, c->new_pkg->status);
		break;
	}
	if (c->kind != CHANGE_PKG_CHANGED && p->status[0] != '\0' && strcmp(p->status, "installed") != 0)
		fprintf(f, " [%s]", p->status);
	putc('\n', f);
}

static void
file_change(FILE *f, const struct baseline *old, const struct baseline *new_, const struct change *c)
{
	const Drift__FileEntry *e = c->new_file ? c->new_file : c->old_file;
	char perms[16], own[64], grp[64];

	fprintf(f, "  %-11s ", change_kind_name(c->kind));
	quote_path(f, e->path.data, e->path.len);
	if (c->kind == CHANGE_FILE_MODIFIED) {
		fputs(": ", f);
		attr_changes(f, c->old_file, c->new_file, c->attrs);
		putc('\n', f);
		if (c->attrs & ATTR_SHA256)
			content_diff(f, old, new_, c->old_file, c->new_file);
		return;
	}
	owner_of(e, own, sizeof(own), false);
	owner_of(e, grp, sizeof(grp), true);
	fprintf(f, " (%s %s:%s", render_perms(e->type, e->mode, perms, sizeof(perms)), own, grp);
	if (e->type == DRIFT__FILE_TYPE__FILE_TYPE_REGULAR)
		fprintf(f, ", %" PRIu64 " bytes", e->size);
	if (e->type == DRIFT__FILE_TYPE__FILE_TYPE_SYMLINK) {
		fputs(" -> ", f);
		quote_path(f, e->target.data, e->target.len);
	}
	fputs(")\n", f);
}

static int
text_diff(FILE *f, const struct baseline *old, const struct baseline *new_, const struct diff *d)
{
	char sum[512];
	size_t i;

	fputs("from ", f);
	host_line(f, old->pb);
	fputs("\n  to ", f);
	host_line(f, new_->pb);
	putc('\n', f);
	fprintf(f, "%s\n", diff_summary(d, sum, sizeof(sum)));
	if (d->npkg > 0) {
		fputs("\npackages\n", f);
		for (i = 0; i < d->npkg; i++)
			package_change(f, &d->v[i]);
	}
	if (d->n > d->npkg) {
		fputs("\nfiles\n", f);
		for (i = d->npkg; i < d->n; i++)
			file_change(f, old, new_, &d->v[i]);
	}
	return render_finish(f);
}

const struct render_ops render_text_ops = {
	.name = "text",
	.show = text_show,
	.diff = text_diff,
};
