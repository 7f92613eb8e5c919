/* SPDX-License-Identifier: MIT */
/* stdgen.c - a standard written from a known-good baseline: its packages, and the owners, modes and hashes of chosen files. */
#include "config.h"

#include <string.h>

#include "glob.h"
#include "json.h"
#include "render.h"
#include "stdgen.h"
#include "version.h"

static const char *const default_paths[] = { "/etc/**" };

/* The code point of the valid UTF-8 sequence at p (its length in *n). */
static unsigned
utf8_decode(const unsigned char *p, size_t *n)
{
	if (p[0] < 0x80) {
		*n = 1;
		return p[0];
	}
	if (p[0] < 0xe0) {
		*n = 2;
		return (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu);
	}
	if (p[0] < 0xf0) {
		*n = 3;
		return (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu);
	}
	*n = 4;
	return (p[0] & 0x07u) << 18 | (p[1] & 0x3fu) << 12 | (p[2] & 0x3fu) << 6 | (p[3] & 0x3fu);
}

bool
stdgen_yaml_safe(const void *s, size_t len)
{
	const unsigned char *p = s;
	size_t i = 0, n;
	unsigned cp;

	if (!utf8_valid(s, len))
		return false;
	while (i < len) {
		cp = utf8_decode(p + i, &n);
		/*
		 * YAML reads C0/C1 controls as errors and NEL, U+2028 and
		 * U+2029 as line breaks that a quoted scalar folds to spaces;
		 * the BOM and the non-characters are not reliably kept either.
		 */
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
		    cp == 0xfeff || cp == 0xfffe || cp == 0xffff)
			return false;
		i += n;
	}
	return true;
}

/* s escaped for a double-quoted scalar: once stdgen_yaml_safe(s), only '"' and '\\' need it. */
static int
yaml_escaped(struct buf *b, const void *s, size_t len, bool glob_escape)
{
	const char *p = s;
	size_t i;
	int r = 0;

	for (i = 0; r == 0 && i < len; i++) {
		/* a literal path holding glob bytes must not become a pattern */
		if (glob_escape && strchr("*?[\\", p[i]) != NULL && (r = buf_addstr(b, "\\\\")) < 0)
			break;
		if (p[i] == '"' || p[i] == '\\')
			r = buf_addch(b, '\\');
		if (r == 0)
			r = buf_addch(b, p[i]);
	}
	return r;
}

static int
yaml_quoted(struct buf *b, const void *s, size_t len, bool glob_escape)
{
	int r;

	if ((r = buf_addch(b, '"')) < 0 || (r = yaml_escaped(b, s, len, glob_escape)) < 0)
		return r;
	return buf_addch(b, '"');
}

static int
yaml_str(struct buf *b, const char *s)
{
	return yaml_quoted(b, s, strlen(s), false);
}

/* Bytes for a comment: as they are when safe, else C escapes (one line, ASCII). */
static int
comment_text(struct buf *b, const void *s, size_t len)
{
	const unsigned char *p = s;
	size_t i;
	int r = 0;

	if (stdgen_yaml_safe(s, len))
		return buf_add(b, s, len);
	for (i = 0; r == 0 && i < len; i++) {
		if (p[i] < 0x20 || p[i] >= 0x7f || p[i] == '\\')
			r = buf_printf(b, "\\%03o", p[i]);
		else
			r = buf_addch(b, p[i]);
	}
	return r;
}

static bool
selected(const struct stdgen_options *o, const Drift__FileEntry *e)
{
	const char *const *paths = o->npaths > 0 ? o->paths : default_paths;
	size_t n = o->npaths > 0 ? o->npaths : 1, i;

	for (i = 0; i < n; i++)
		if (glob_match(paths[i], (const char *)e->path.data, e->path.len))
			return true;
	return false;
}

static int
header(struct buf *b, const struct baseline *bl, const struct stdgen_options *o,
    const char *name)
{
	const Drift__Baseline *pb = bl->pb;
	const char *const *paths = o->npaths > 0 ? o->paths : default_paths;
	size_t n = o->npaths > 0 ? o->npaths : 1, i;
	const char *host = render_host_name(pb);
	char taken[48], now[48];
	struct tm tm;
	int r;

	/* whole seconds: the version is for people to quote */
	format_time_ns(pb->taken_at_ns - pb->taken_at_ns % 1000000000, taken, sizeof(taken));
	if (gmtime_r(&o->now, &tm) == NULL || strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(now, sizeof(now), "unknown");
	if ((r = buf_printf(b, "# drift-standard(5), written by drift %s standard from-baseline\n"
	    "# from the known-good baseline ", PACKAGE_VERSION)) < 0 ||
	    (r = comment_text(b, o->source ? o->source : "-", strlen(o->source ? o->source : "-"))) < 0 ||
	    (r = buf_addstr(b, "\n# of host ")) < 0 ||
	    (r = comment_text(b, host, strlen(host))) < 0)
		return r;
	if (pb->host != NULL && pb->host->os_pretty[0] != '\0' &&
	    ((r = buf_addstr(b, " (")) < 0 ||
	    (r = comment_text(b, pb->host->os_pretty, strlen(pb->host->os_pretty))) < 0 ||
	    (r = buf_addch(b, ')')) < 0))
		return r;
	if ((r = buf_printf(b, ", taken %s;\n# generated %s. Files:", taken, now)) < 0)
		return r;
	for (i = 0; i < n; i++)
		if ((r = buf_addch(b, ' ')) < 0 || (r = comment_text(b, paths[i], strlen(paths[i]))) < 0)
			return r;
	if ((r = buf_printf(b, " (owner, group, mode, type, target%s);\n"
	    "# packages: every installed one, at its version or later.\n"
	    "# Review it before use: each rule holds hosts to this host's exact state.\n",
	    o->hashes ? ", sha256" : "")) < 0)
		return r;
	if ((r = buf_addstr(b, "standard: ")) < 0 || (r = yaml_str(b, name)) < 0 ||
	    (r = buf_addstr(b, "\nversion: ")) < 0 || (r = yaml_str(b, taken)) < 0)
		return r;
	if (stdgen_yaml_safe(host, strlen(host)) &&
	    ((r = buf_addstr(b, "\ndescription: \"Known-good state of ")) < 0 ||
	    (r = yaml_escaped(b, host, strlen(host), false)) < 0 ||
	    (r = buf_printf(b, " as of %s\"", taken)) < 0))
		return r;
	/* Left to the reader: the rules are this host's, but the scope is a choice. */
	if (pb->host != NULL && pb->host->os_id[0] != '\0' &&
	    stdgen_yaml_safe(pb->host->os_id, strlen(pb->host->os_id)) &&
	    stdgen_yaml_safe(pb->host->os_version, strlen(pb->host->os_version))) {
		if ((r = buf_addstr(b, "\n# applies_to: {os: [\"")) < 0 ||
		    (r = buf_addstr(b, pb->host->os_id)) < 0 ||
		    (pb->host->os_version[0] != '\0' &&
		    (r = buf_printf(b, "-%s", pb->host->os_version)) < 0) ||
		    (r = buf_addstr(b, "\"]}")) < 0)
			return r;
	}
	return buf_addch(b, '\n');
}

/* A check left out of a kept rule, and why. */
static int
left_out(struct buf *b, const char *check, const char *why)
{
	return buf_printf(b, "    # %s: not checked, %s\n", check, why);
}

static int
file_rule(struct buf *b, const Drift__FileEntry *e, const struct stdgen_options *o,
    struct stdgen_stats *st)
{
	char hex[DIGEST_HEX_LEN + 1];
	int r;

	if (!stdgen_yaml_safe(e->path.data, e->path.len)) {
		st->skipped++;
		if ((r = buf_addstr(b, "  # skipped ")) < 0 ||
		    (r = comment_text(b, e->path.data, e->path.len)) < 0)
			return r;
		return buf_addstr(b, ": the path is not valid UTF-8 or holds control characters\n");
	}
	/* "files:" comes with the first rule: a key holding only comments would be null */
	if ((st->files == 0 && (r = buf_addstr(b, "files:\n")) < 0) ||
	    (r = buf_addstr(b, "  - path: ")) < 0 ||
	    (r = yaml_quoted(b, e->path.data, e->path.len, true)) < 0 ||
	    (r = buf_addch(b, '\n')) < 0)
		return r;
	/* an id with no name is held as its number, which is how drift check reads it */
	if (e->owner[0] == '\0')
		r = buf_printf(b, "    owner: \"%u\"  # no name on the host\n", e->uid);
	else if (!stdgen_yaml_safe(e->owner, strlen(e->owner)))
		r = left_out(b, "owner", "the name holds control characters");
	else if ((r = buf_addstr(b, "    owner: ")) == 0 && (r = yaml_str(b, e->owner)) == 0)
		r = buf_addch(b, '\n');
	if (r < 0)
		return r;
	if (e->group[0] == '\0')
		r = buf_printf(b, "    group: \"%u\"  # no name on the host\n", e->gid);
	else if (!stdgen_yaml_safe(e->group, strlen(e->group)))
		r = left_out(b, "group", "the name holds control characters");
	else if ((r = buf_addstr(b, "    group: ")) == 0 && (r = yaml_str(b, e->group)) == 0)
		r = buf_addch(b, '\n');
	if (r < 0)
		return r;
	/* Linux ignores a symlink's own permission bits. */
	if (e->type != DRIFT__FILE_TYPE__FILE_TYPE_SYMLINK &&
	    (r = buf_printf(b, "    mode: \"%04o\"\n", e->mode & 07777)) < 0)
		return r;
	if (e->type != DRIFT__FILE_TYPE__FILE_TYPE_REGULAR &&
	    e->type != DRIFT__FILE_TYPE__FILE_TYPE_UNKNOWN &&
	    (r = buf_printf(b, "    type: \"%s\"\n", file_type_name(e->type))) < 0)
		return r;
	if (e->type == DRIFT__FILE_TYPE__FILE_TYPE_SYMLINK && e->target.len > 0) {
		if (!stdgen_yaml_safe(e->target.data, e->target.len))
			r = left_out(b, "target", "it is not valid UTF-8 or holds control characters");
		else if ((r = buf_addstr(b, "    target: ")) == 0 &&
		    (r = yaml_quoted(b, e->target.data, e->target.len, false)) == 0)
			r = buf_addch(b, '\n');
		if (r < 0)
			return r;
	}
	if (o->hashes && e->type == DRIFT__FILE_TYPE__FILE_TYPE_REGULAR) {
		if (e->sha256.len == DIGEST_LEN) {
			digest_hex(e->sha256.data, DIGEST_LEN, hex);
			r = buf_printf(b, "    sha256: \"%s\"\n", hex);
		} else
			r = left_out(b, "sha256", "the baseline has no hash for it");
		if (r < 0)
			return r;
	}
	st->files++;
	return 0;
}

static bool
installed(const Drift__PackageEntry *p)
{
	return strcmp(p->status, "config-files") != 0 && strcmp(p->status, "not-installed") != 0;
}

/*
 * Packages are sorted by name, then arch: instances of one name (one per
 * architecture) are adjacent and become one rule at the lowest of their
 * versions, which every instance meets.
 */
static int
package_rules(struct buf *b, const Drift__Baseline *pb, struct stdgen_stats *st)
{
	size_t i, j;
	int r;

	for (i = 0; i < pb->n_packages; i = j) {
		const Drift__PackageEntry *low = NULL;

		for (j = i; j < pb->n_packages && strcmp(pb->packages[j]->name, pb->packages[i]->name) == 0; j++) {
			const Drift__PackageEntry *p = pb->packages[j];

			if (installed(p) && (low == NULL ||
			    (strcmp(p->manager, low->manager) == 0 &&
			    version_compare(p->manager, p->version, low->version) < 0)))
				low = p;
		}
		if (low == NULL)
			continue;
		if (!stdgen_yaml_safe(low->name, strlen(low->name))) {
			st->skipped++;
			if ((r = buf_addstr(b, "    # skipped package ")) < 0 ||
			    (r = comment_text(b, low->name, strlen(low->name))) < 0 ||
			    (r = buf_addstr(b, ": the name holds control characters\n")) < 0)
				return r;
			continue;
		}
		if ((st->packages == 0 && (r = buf_addstr(b, "packages:\n  required:\n")) < 0) ||
		    (r = buf_addstr(b, "    - name: ")) < 0 || (r = yaml_str(b, low->name)) < 0 ||
		    (r = buf_addch(b, '\n')) < 0)
			return r;
		if (low->version[0] == '\0' ||
		    (version_check_dpkg(low->version) < 0 && version_check_rpm(low->version) < 0) ||
		    !stdgen_yaml_safe(low->version, strlen(low->version)))
			r = buf_addstr(b, "      # version: not checked, the installed version is not a valid dpkg or rpm version\n");
		else if ((r = buf_addstr(b, "      version: \">= ")) == 0 &&
		    (r = yaml_escaped(b, low->version, strlen(low->version), false)) == 0)
			r = buf_addstr(b, "\"\n");
		if (r < 0)
			return r;
		st->packages++;
	}
	if (st->packages == 0)
		return buf_addstr(b, "packages:\n  required: []\n");
	return 0;
}

int
stdgen_write(struct buf *out, const struct baseline *bl, const struct stdgen_options *o,
    struct stdgen_stats *stp)
{
	const Drift__Baseline *pb = bl->pb;
	struct stdgen_stats st = { 0, 0, 0 };
	struct buf b = BUF_INIT(out->max > out->len ? out->max - out->len : 0);
	struct buf name = BUF_INIT(1024);
	const char *host = render_host_name(pb);
	size_t i;
	int r;

	if (o->name != NULL) {
		if (o->name[0] == '\0' || !stdgen_yaml_safe(o->name, strlen(o->name))) {
			r = DRIFT_EINVAL;
			goto out;
		}
		r = buf_addstr(&name, o->name);
	} else if (stdgen_yaml_safe(host, strlen(host)))
		r = buf_printf(&name, "baseline-%s", host);
	else
		r = buf_addstr(&name, "baseline");
	if (r < 0 || (r = header(&b, bl, o, name.data)) < 0)
		goto out;
	for (i = 0; i < pb->n_files; i++) {
		if (selected(o, pb->files[i]) && (r = file_rule(&b, pb->files[i], o, &st)) < 0)
			goto out;
	}
	if (st.files == 0 && (r = buf_addstr(&b, "files: []\n")) < 0)
		goto out;
	if ((r = package_rules(&b, pb, &st)) < 0 || (r = buf_add(out, b.data, b.len)) < 0)
		goto out;
	if (stp != NULL)
		*stp = st;
	r = 0;
out:
	buf_release(&b);
	buf_release(&name);
	return r;
}
