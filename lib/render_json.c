/* SPDX-License-Identifier: MIT */
/* render_json.c - baselines and diffs as JSON (the machine contract in DESIGN.md). */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "render.h"

static void
host_object(FILE *f, const Drift__Baseline *pb)
{
	const Drift__HostFacts *h = pb->host;
	char os[256];

	fputs("{\"host_id\": ", f);
	json_cstr(f, pb->host_id);
	if (h != NULL) {
		snprintf(os, sizeof(os), "%s%s%s", h->os_id, h->os_version[0] ? "-" : "", h->os_version);
		fputs(", \"hostname\": ", f);
		json_cstr(f, h->hostname);
		fputs(", \"os\": ", f);
		json_cstr(f, os);
		fputs(", \"os_pretty\": ", f);
		json_cstr(f, h->os_pretty);
		fputs(", \"machine_id\": ", f);
		json_cstr(f, h->machine_id);
		fputs(", \"kernel\": ", f);
		json_cstr(f, h->kernel);
		fputs(", \"arch\": ", f);
		json_cstr(f, h->arch);
		fputs(", \"agent_version\": ", f);
		json_cstr(f, h->agent_version);
	}
	putc('}', f);
}

static void
file_object(FILE *f, const Drift__FileEntry *e)
{
	char mode[8], t[48], hex[DIGEST_HEX_LEN + 1];

	putc('{', f);
	json_bytes_field(f, "path", e->path.data, e->path.len);
	fprintf(f, ", \"type\": \"%s\", \"mode\": \"%s\", \"uid\": %u, \"gid\": %u, \"owner\": ",
	    file_type_name(e->type), render_mode(e->mode, mode, sizeof(mode)), e->uid, e->gid);
	if (e->owner[0] != '\0')
		json_cstr(f, e->owner);
	else
		fputs("null", f);
	fputs(", \"group\": ", f);
	if (e->group[0] != '\0')
		json_cstr(f, e->group);
	else
		fputs("null", f);
	fprintf(f, ", \"size\": %" PRIu64 ", \"mtime\": \"%s\", \"sha256\": ", e->size,
	    format_time_ns(e->mtime_ns, t, sizeof(t)));
	if (e->sha256.len == DIGEST_LEN) {
		digest_hex(e->sha256.data, DIGEST_LEN, hex);
		fprintf(f, "\"%s\"", hex);
	} else {
		fputs("null", f);
	}
	fputs(", ", f);
	if (e->type == DRIFT__FILE_TYPE__FILE_TYPE_SYMLINK)
		json_bytes_field(f, "target", e->target.data, e->target.len);
	else
		fputs("\"target\": null", f);
	if (e->type == DRIFT__FILE_TYPE__FILE_TYPE_CHAR || e->type == DRIFT__FILE_TYPE__FILE_TYPE_BLOCK)
		fprintf(f, ", \"rdev\": %" PRIu64, e->rdev);
	fprintf(f, ", \"content_captured\": %s, \"error\": ", e->content_captured ? "true" : "false");
	if (e->error[0] != '\0')
		json_cstr(f, e->error);
	else
		fputs("null", f);
	putc('}', f);
}

static void
package_object(FILE *f, const Drift__PackageEntry *p)
{
	fputs("{\"manager\": ", f);
	json_cstr(f, p->manager);
	fputs(", \"name\": ", f);
	json_cstr(f, p->name);
	fputs(", \"version\": ", f);
	json_cstr(f, p->version);
	fputs(", \"arch\": ", f);
	json_cstr(f, p->arch);
	fputs(", \"status\": ", f);
	json_cstr(f, p->status);
	putc('}', f);
}

static void
baseline_head(FILE *f, const Drift__Baseline *pb)
{
	char t[48];

	fputs("\"host\": ", f);
	host_object(f, pb);
	fprintf(f, ", \"taken_at\": \"%s\"", format_time_ns(pb->taken_at_ns, t, sizeof(t)));
}

static int
json_show(FILE *f, const struct baseline *b)
{
	const Drift__Baseline *pb = b->pb;
	size_t i;

	putc('{', f);
	baseline_head(f, pb);
	fputs(",\n \"files\": [", f);
	for (i = 0; i < pb->n_files; i++) {
		fputs(i ? ",\n  " : "\n  ", f);
		file_object(f, pb->files[i]);
	}
	fputs("],\n \"packages\": [", f);
	for (i = 0; i < pb->n_packages; i++) {
		fputs(i ? ",\n  " : "\n  ", f);
		package_object(f, pb->packages[i]);
	}
	fputs("]}\n", f);
	return render_finish(f);
}

static void
attributes(FILE *f, unsigned attrs)
{
	const char *sep = "";
	int i;

	putc('[', f);
	for (i = 0; i < ATTR_COUNT; i++) {
		if (!(attrs & (1u << i)))
			continue;
		fprintf(f, "%s\"%s\"", sep, diff_attr_name(i));
		sep = ", ";
	}
	putc(']', f);
}

static void
content_diff(FILE *f, const struct baseline *old, const struct baseline *new_,
    const Drift__FileEntry *a, const Drift__FileEntry *b)
{
	struct buf out = BUF_INIT(RENDER_DIFF_MAX);
	int r;

	r = render_content_diff(old, new_, a, b, &out);
	if (r == 0 && out.len > 0) {
		fputs(", \"diff\": ", f);
		json_string(f, out.data, out.len);
	} else if (r == DRIFT_ETOOBIG) {
		fprintf(f, ", \"diff_omitted\": \"the unified diff is larger than %zu MiB\"",
		    RENDER_DIFF_MAX >> 20);
	}
	buf_release(&out);
}

static void
change_object(FILE *f, const struct baseline *old, const struct baseline *new_, const struct change *c)
{
	if (c->kind >= CHANGE_PKG_INSTALLED) {
		const Drift__PackageEntry *p = c->new_pkg ? c->new_pkg : c->old_pkg;

		fputs("{\"type\": \"package\", \"manager\": ", f);
		json_cstr(f, p->manager);
		fputs(", \"name\": ", f);
		json_cstr(f, p->name);
		fputs(", \"arch\": ", f);
		json_cstr(f, p->arch);
		fprintf(f, ", \"change\": \"%s\", \"old_version\": ", change_kind_name(c->kind));
		if (c->old_pkg)
			json_cstr(f, c->old_pkg->version);
		else
			fputs("null", f);
		fputs(", \"new_version\": ", f);
		if (c->new_pkg)
			json_cstr(f, c->new_pkg->version);
		else
			fputs("null", f);
		fputs(", \"old_status\": ", f);
		if (c->old_pkg)
			json_cstr(f, c->old_pkg->status);
		else
			fputs("null", f);
		fputs(", \"new_status\": ", f);
		if (c->new_pkg)
			json_cstr(f, c->new_pkg->status);
		else
			fputs("null", f);
		putc('}', f);
		return;
	}
	{
		const Drift__FileEntry *e = c->new_file ? c->new_file : c->old_file;

		fputs("{\"type\": \"file\", ", f);
		json_bytes_field(f, "path", e->path.data, e->path.len);
		fprintf(f, ", \"change\": \"%s\"", change_kind_name(c->kind));
		if (c->kind == CHANGE_FILE_MODIFIED) {
			fputs(", \"attributes\": ", f);
			attributes(f, c->attrs);
		}
		if (c->old_file) {
			fputs(", \"old\": ", f);
			file_object(f, c->old_file);
		}
		if (c->new_file) {
			fputs(", \"new\": ", f);
			file_object(f, c->new_file);
		}
		if (c->kind == CHANGE_FILE_MODIFIED && (c->attrs & ATTR_SHA256))
			content_diff(f, old, new_, c->old_file, c->new_file);
		putc('}', f);
	}
}

static int
json_diff(FILE *f, const struct baseline *old, const struct baseline *new_, const struct diff *d)
{
	char sum[512];

	fputs("{\"old\": {", f);
	baseline_head(f, old->pb);
	fputs("},\n \"new\": {", f);
	baseline_head(f, new_->pb);
	fputs("},\n \"summary\": ", f);
	json_cstr(f, diff_summary(d, sum, sizeof(sum)));
	fputs(",\n \"changes\": ", f);
	render_json_changes(f, old, new_, d);
	fputs("}\n", f);
	return render_finish(f);
}

void
render_json_changes(FILE *f, const struct baseline *old, const struct baseline *new_,
    const struct diff *d)
{
	size_t i;

	putc('[', f);
	for (i = 0; i < d->n; i++) {
		fputs(i ? ",\n  " : "\n  ", f);
		change_object(f, old, new_, &d->v[i]);
	}
	putc(']', f);
}

const struct render_ops render_json_ops = {
	.name = "json",
	.show = json_show,
	.diff = json_diff,
};
