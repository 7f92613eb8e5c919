/* SPDX-License-Identifier: MIT */
/* restore_std.c - plans that bring a host into line with its standards: what the findings ask, as runbook and script. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "digest.h"
#include "glob.h"
#include "quote.h"
#include "restore.h"
#include "standard.h"
#include "store.h"

/*
 * What restore.sh adds for a standard: s (one path brought into line),
 * pk (one package rule) and mn (a manual step). They run on the helpers of
 * the prelude (parent, did, manual, refuse, replace_ok, exists, q, sha).
 */
static const char script_usage[] =
	"usage: bash restore.sh [--dry-run] [--root DIR] [--packages]\n"
	"\n"
	"Bring this host into line with the standards of this plan: owner, group,\n"
	"mode, missing directories and links, files that must be absent, approved\n"
	"contents. Safe to run again: a second run says \"nothing to do\".\n"
	"\n"
	"  -n, --dry-run   print what would change; change nothing\n"
	"      --root DIR  work on DIR instead of / (an image, a mounted disk)\n"
	"      --packages  also install and remove packages as the standards say\n"
	"                  (apt-get or dnf; only without --root); otherwise they\n"
	"                  are a manual step\n"
	"  -h, --help      this help\n";

static const char script_std[] =
	"\n"
	"# sid passwd|group NAME: NAME's id under ROOT (a number is its own id); empty if unknown.\n"
	"sid() {\n"
	"\tcase $2 in\n"
	"\t*[!0-9]*) ;;\n"
	"\t*) printf '%s\\n' \"$2\"; return 0 ;;\n"
	"\tesac\n"
	"\tif [ -z \"$ROOT\" ]; then\n"
	"\t\tgetent \"$1\" \"$2\" | cut -d: -f3 || true\n"
	"\telif [ -f \"$ROOT/etc/$1\" ] && [ ! -L \"$ROOT/etc/$1\" ] && [ ! -L \"$ROOT/etc\" ]; then\n"
	"\t\tawk -F: -v n=\"$2\" '$1 == n { print $3; exit }' \"$ROOT/etc/$1\"\n"
	"\tfi\n"
	"}\n"
	"\n"
	"# sattrs PATH OWNER GROUP MODE MAX NEW: owner first (chown clears set-id bits), then\n"
	"# the mode: MODE exactly, else a new entry's default within MAX, else the bits beyond MAX removed.\n"
	"sattrs() {\n"
	"\tlocal p=$1 cur uid gid want=\n"
	"\tif [ -n \"$2\" ] || [ -n \"$3\" ]; then\n"
	"\t\tcur=$(stat -c '%u:%g' -- \"$p\")\n"
	"\t\tuid=${cur%%:*}\n"
	"\t\tgid=${cur#*:}\n"
	"\t\tif [ -n \"$2\" ]; then\n"
	"\t\t\tuid=$(sid passwd \"$2\")\n"
	"\t\t\t[ -n \"$uid\" ] || { refuse \"$(q \"$p\"): user $(q \"$2\") is unknown under ${ROOT:-/}; add it, then run again\"; return 0; }\n"
	"\t\tfi\n"
	"\t\tif [ -n \"$3\" ]; then\n"
	"\t\t\tgid=$(sid group \"$3\")\n"
	"\t\t\t[ -n \"$gid\" ] || { refuse \"$(q \"$p\"): group $(q \"$3\") is unknown under ${ROOT:-/}; add it, then run again\"; return 0; }\n"
	"\t\tfi\n"
	"\t\tif [ \"$cur\" != \"$uid:$gid\" ]; then\n"
	"\t\t\tdid \"chown ${2:-$uid}:${3:-$gid} $(q \"$p\") (was $cur)\"\n"
	"\t\t\t[ $DRY = 1 ] || chown -h -- \"$uid:$gid\" \"$p\"\n"
	"\t\tfi\n"
	"\tfi\n"
	"\t[ ! -L \"$p\" ] || return 0\n"
	"\tcur=$(stat -c '%a' -- \"$p\")\n"
	"\tif [ -n \"$4\" ]; then\n"
	"\t\twant=$((8#$4))\n"
	"\telif [ \"$6\" = 1 ]; then\n"
	"\t\twant=$((8#0644))\n"
	"\t\t[ ! -d \"$p\" ] || want=$((8#0755))\n"
	"\t\twant=$((want & 8#${5:-7777}))\n"
	"\telif [ -n \"$5\" ]; then\n"
	"\t\twant=$((8#$cur & 8#$5))\n"
	"\tfi\n"
	"\tif [ -n \"$want\" ] && [ $((8#$cur)) != \"$want\" ]; then\n"
	"\t\tdid \"chmod $(printf '%04o' \"$want\") $(q \"$p\") (was $cur)\"\n"
	"\t\t# five digits: GNU chmod keeps a directory's set-id bits under four\n"
	"\t\t[ $DRY = 1 ] || chmod -- \"$(printf '%05o' \"$want\")\" \"$p\"\n"
	"\tfi\n"
	"}\n"
	"\n"
	"# s REL KIND ARG OWNER GROUP MODE MAX: bring one path into line.\n"
	"#   KIND keep (it exists: fix its attributes), dir, link (ARG: the target),\n"
	"#   file (ARG: the sha256 of files/ARG), absent (removed; never a directory).\n"
	"#   OWNER, GROUP: names (as ROOT's etc/passwd and etc/group say) or numbers;\n"
	"#   MODE exact, MAX the most bits allowed (octal); empty: not required.\n"
	"s() {\n"
	"\tlocal p=$ROOT/$1 r=0 made=0 t= tmp\n"
	"\tparent \"$1\" || r=$?\n"
	"\t[ $r != 2 ] || return 0\n"
	"\tcase $2 in\n"
	"\tabsent)\n"
	"\t\t[ $r = 0 ] && exists \"$p\" || return 0\n"
	"\t\tif [ -d \"$p\" ] && [ ! -L \"$p\" ]; then\n"
	"\t\t\tmanual \"$(q \"/$1\"): a directory that must be absent; restore.sh never removes a directory tree (RUNBOOK.md)\"\n"
	"\t\t\treturn 0\n"
	"\t\tfi\n"
	"\t\tdid \"remove $(q \"$p\")\"\n"
	"\t\t[ $DRY = 1 ] || rm -f -- \"$p\"\n"
	"\t\treturn 0 ;;\n"
	"\tkeep)\n"
	"\t\tif [ $r != 0 ] || ! exists \"$p\"; then\n"
	"\t\t\tmanual \"$(q \"/$1\"): missing here; make it as the standard requires, then run again (RUNBOOK.md)\"\n"
	"\t\t\treturn 0\n"
	"\t\tfi ;;\n"
	"\tdir)\n"
	"\t\tif [ $r != 0 ] || [ ! -d \"$p\" ] || [ -L \"$p\" ]; then\n"
	"\t\t\t[ $DRY = 0 ] || [ -z \"${DRYMADE[$p]+x}\" ] || return 0\n"
	"\t\t\tif [ $r = 0 ] && exists \"$p\"; then\n"
	"\t\t\t\tdid \"replace $(q \"$p\") with a directory\"\n"
	"\t\t\telse\n"
	"\t\t\t\tdid \"create directory $(q \"$p\")\"\n"
	"\t\t\tfi\n"
	"\t\t\tmade=1\n"
	"\t\t\tif [ $DRY = 1 ]; then\n"
	"\t\t\t\tDRYMADE[$p]=1\n"
	"\t\t\telse\n"
	"\t\t\t\tif exists \"$p\"; then rm -f -- \"$p\"; fi\n"
	"\t\t\t\tmkdir -m 0700 -- \"$p\"\n"
	"\t\t\tfi\n"
	"\t\tfi ;;\n"
	"\tlink)\n"
	"\t\tif [ $r = 0 ] && [ -L \"$p\" ]; then\n"
	"\t\t\tt=$(readlink -- \"$p\"; printf x)\n"
	"\t\t\tt=${t%$'\\n'x}\n"
	"\t\tfi\n"
	"\t\tif [ $r != 0 ] || [ ! -L \"$p\" ] || [ \"$t\" != \"$3\" ]; then\n"
	"\t\t\tif [ $r = 0 ] && exists \"$p\"; then replace_ok \"$p\" || return 0; fi\n"
	"\t\t\tdid \"link $(q \"$p\") -> $(q \"$3\")\"\n"
	"\t\t\tmade=1\n"
	"\t\t\tif [ $DRY = 0 ]; then\n"
	"\t\t\t\ttmp=${p%/*}/.drift-restore.$$.$RANDOM\n"
	"\t\t\t\tln -s -- \"$3\" \"$tmp\"\n"
	"\t\t\t\tmv -fT -- \"$tmp\" \"$p\"\n"
	"\t\t\tfi\n"
	"\t\tfi ;;\n"
	"\tfile)\n"
	"\t\tif [ $r != 0 ] || [ ! -f \"$p\" ] || [ -L \"$p\" ] || [ \"$(sha \"$p\")\" != \"$3\" ]; then\n"
	"\t\t\tif [ $r = 0 ] && exists \"$p\"; then replace_ok \"$p\" || return 0; fi\n"
	"\t\t\tdid \"write $(q \"$p\") (sha256 $3)\"\n"
	"\t\t\tmade=1\n"
	"\t\t\tif [ $DRY = 0 ]; then\n"
	"\t\t\t\ttmp=$(mktemp -- \"${p%/*}/.drift-restore.XXXXXX\")\n"
	"\t\t\t\tcat -- \"$FILES/$3\" >\"$tmp\"\n"
	"\t\t\t\t# a file replaced keeps its owner and mode unless the standard says otherwise\n"
	"\t\t\t\tif [ -f \"$p\" ] && [ ! -L \"$p\" ]; then\n"
	"\t\t\t\t\tchown --reference=\"$p\" -- \"$tmp\"\n"
	"\t\t\t\t\tchmod --reference=\"$p\" -- \"$tmp\"\n"
	"\t\t\t\t\tmade=0\n"
	"\t\t\t\tfi\n"
	"\t\t\t\tmv -fT -- \"$tmp\" \"$p\"\n"
	"\t\t\tfi\n"
	"\t\tfi ;;\n"
	"\t*) refuse \"$(q \"/$1\"): unknown kind '$2'\"; return 0 ;;\n"
	"\tesac\n"
	"\t# a dry run cannot look at what it did not make\n"
	"\t[ $DRY = 0 ] || [ $made = 0 ] || return 0\n"
	"\tsattrs \"$p\" \"$4\" \"$5\" \"$6\" \"$7\" $made\n"
	"}\n"
	"\n"
	"# mn TEXT: a step for a person.\n"
	"mn() { manual \"$1 (RUNBOOK.md)\"; }\n"
	"\n"
	"# pkver MANAGER NAME: the installed version of NAME, empty when it is not installed.\n"
	"pkver() {\n"
	"\tlocal v\n"
	"\tif [ \"$1\" = dpkg ]; then\n"
	"\t\tdpkg-query -W -f='${db:Status-Status} ${Version}\\n' \"$2\" 2>/dev/null |\n"
	"\t\t    awk '$1 == \"installed\" { print $2; exit }' || true\n"
	"\telif v=$(rpm -q --qf '%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\n' \"$2\" 2>/dev/null); then\n"
	"\t\tprintf '%s\\n' \"${v%%$'\\n'*}\"\n"
	"\tfi\n"
	"}\n"
	"\n"
	"# pkok MANAGER HAVE OP WANT: does version HAVE meet OP WANT (OP empty: any)?\n"
	"pkok() {\n"
	"\tlocal op c\n"
	"\t[ -n \"$3\" ] || return 0\n"
	"\tcase $3 in\n"
	"\t'>=') op=ge ;; '>') op=gt ;; '<=') op=le ;; '<') op=lt ;; *) op=eq ;;\n"
	"\tesac\n"
	"\tif [ \"$1\" = dpkg ]; then\n"
	"\t\tdpkg --compare-versions \"$2\" $op \"$4\"\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tc=$(A=$2 B=$4 rpm --eval '%{lua: print(rpm.vercmp(os.getenv(\"A\"), os.getenv(\"B\")))}') || return 1\n"
	"\tcase $op in\n"
	"\tge) [ \"$c\" -ge 0 ] ;; gt) [ \"$c\" -gt 0 ] ;; le) [ \"$c\" -le 0 ] ;; lt) [ \"$c\" -lt 0 ] ;; *) [ \"$c\" = 0 ] ;;\n"
	"\tesac\n"
	"}\n"
	"\n"
	"# pk MANAGER need|forbid NAME OP VERSION COMMAND...: one package rule; the\n"
	"# command (RUNBOOK.md step 2) runs only with --packages and without --root.\n"
	"pk() {\n"
	"\tlocal m=$1 what=$2 name=$3 op=$4 ver=$5 cur tool=apt-get\n"
	"\tshift 5\n"
	"\t[ \"$m\" = dpkg ] || tool=dnf\n"
	"\tif [ $PKGS = 0 ] || [ -n \"$ROOT\" ] || ! command -v $tool >/dev/null; then\n"
	"\t\tmanual \"package $(q \"$name\"): $* (RUNBOOK.md step 2; or run restore.sh --packages without --root)\"\n"
	"\t\treturn 0\n"
	"\tfi\n"
	"\tcur=$(pkver \"$m\" \"$name\")\n"
	"\tif [ \"$what\" = forbid ]; then\n"
	"\t\t[ -n \"$cur\" ] || return 0\n"
	"\telif [ -n \"$cur\" ] && pkok \"$m\" \"$cur\" \"$op\" \"$ver\"; then\n"
	"\t\treturn 0\n"
	"\tfi\n"
	"\tdid \"$*\"\n"
	"\t[ $DRY = 0 ] || return 0\n"
	"\t\"$@\" || { refuse \"package $(q \"$name\"): '$*' failed\"; return 0; }\n"
	"\tcur=$(pkver \"$m\" \"$name\")\n"
	"\tif [ \"$what\" = forbid ]; then\n"
	"\t\t[ -z \"$cur\" ] || refuse \"package $(q \"$name\"): still installed after '$*'\"\n"
	"\telif [ -z \"$cur\" ] || ! pkok \"$m\" \"$cur\" \"$op\" \"$ver\"; then\n"
	"\t\trefuse \"package $(q \"$name\"): '$*' left version '${cur:-none}', not $op $ver\"\n"
	"\tfi\n"
	"}\n"
	"\n"
	"# --- the standards' findings ---\n";

/* What restore.sh does for one finding. */
enum how { HOW_SCRIPT, HOW_PACKAGE, HOW_MANUAL, HOW_UNEVALUATED };

/* What restore.sh does to one path. */
enum wkind { W_NONE, W_KEEP, W_DIR, W_LINK, W_FILE, W_ABSENT };

static const char *const wkind_word[] = { "", "keep", "dir", "link", "file", "absent" };

/* One path with failed findings, and what every rule that matches it asks. */
struct want {
	const char *path;	/* the subject of its first finding (NUL-free) */
	size_t len;
	const Drift__FileEntry *e;	/* as the baseline has it; NULL: missing */
	enum wkind kind;
	const char *owner, *group, *type, *target;
	int mode, mode_max;	/* -1: not required */
	bool has_sha, absent, exact;	/* exact: an exact-path rule requires it to exist */
	uint8_t sha[DIGEST_LEN];
	const void *data;	/* the approved content (kind W_FILE) */
	size_t dlen;
	char *why;		/* kind W_NONE: why restore.sh leaves the path alone */
	char *kind_why;		/* kind W_KEEP: why it fixes only the attributes */
	bool fixes;		/* a finding of the path is HOW_SCRIPT */
	size_t order;		/* where it was first found, while sorting */
};

/* One finding of one standard, with its rule and what the plan does about it. */
struct item {
	const struct finding *f;
	const struct file_rule *fr;
	const struct package_rule *pr;
	size_t want;		/* index into wants (file findings that are not content checks) */
	enum how how;
	const char *why;	/* HOW_MANUAL: why; owned by the want or static */
	char *cmd;		/* HOW_PACKAGE: the command, words quoted for the shell */
	char **argv;		/* the same as words, for restore.sh */
	size_t argc;
};

struct splan {
	const struct baseline *b;
	const char *source;
	struct store *store;
	struct standard *const *stds;
	size_t nstds;
	struct evaluation *evs;	/* per standard; zeroed for one that does not apply */
	bool *applies;
	const char *manager;	/* "dpkg" or "rpm" */
	struct item *items;
	size_t nitems;
	struct want *wants;
	size_t nwants;
	struct buf *loaded;	/* contents read from the store */
	size_t nloaded;
	FILE *sh, *md;
	char *shbuf, *mdbuf;
	size_t shlen, mdlen;
	size_t step;
	bool oom;		/* a manual step's text could not be made */
};

/* --- small things --- */

static bool
is_content_check(const char *check)
{
	return strcmp(check, "contains") == 0 || strcmp(check, "not_contains") == 0 ||
	    strcmp(check, "matches") == 0;
}

static bool
is_package_check(const char *check)
{
	return strcmp(check, "installed") == 0 || strcmp(check, "version") == 0 ||
	    strcmp(check, "forbidden") == 0;
}

static bool
is_type(const Drift__FileEntry *e, Drift__FileType t)
{
	return e != NULL && e->type == t;
}

/*
 * Text from a standard or a host for a person, on one line: control bytes
 * and backquotes (which would end a Markdown code span) as \xHH.
 */
static void
md_shown(FILE *f, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '`' || c == '\\')
			fprintf(f, "\\x%02x", c);
		else
			putc(c, f);
	}
}

static void
md_shown_str(FILE *f, const char *s)
{
	md_shown(f, s, strlen(s));
}

/* Running text of the plan's own making, holding bits of a standard: control bytes as \xHH. */
static void
md_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			putc(c, f);
	}
}

/* "rule `ID` (CHECK)": how the runbook names a finding, everywhere. */
static void
md_tag(FILE *f, const struct item *it)
{
	fputs("rule `", f);
	md_shown_str(f, it->f->rule);
	fprintf(f, "` (%s)", it->f->check);
}

static void
md_subject(FILE *f, const struct item *it)
{
	quote_path(f, it->f->subject, it->f->subject_len);
}

/* The entry of the baseline at path (files are sorted by path bytes); NULL if none. */
static const Drift__FileEntry *
find_entry(const struct baseline *b, const char *path, size_t len)
{
	Drift__FileEntry *const *v = b->pb->files;
	size_t lo = 0, hi = b->pb->n_files;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (path_cmp(v[mid]->path.data, v[mid]->path.len, (const uint8_t *)path, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < b->pb->n_files && v[lo]->path.len == len && memcmp(v[lo]->path.data, path, len) == 0)
		return v[lo];
	return NULL;
}

static int
nomem(struct drift_error *err)
{
	return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
}

/* --- what each path should be --- */

static bool
rule_matches(const struct file_rule *r, const char *path, size_t len)
{
	if (r->is_glob)
		return glob_match(r->path, path, len);
	return strlen(r->path) == len && memcmp(r->path, path, len) == 0;
}

/* Set w->why (the first disagreement wins); -1 on no memory. */
static int
disagree(struct want *w, const struct file_rule *r, const char *what, const char *a, const char *b)
{
	if (w->why != NULL)
		return 0;
	if (asprintf(&w->why, "the rules disagree about its %s: one asks for %s, rule '%s' for %s; "
	    "settle the standards, then make another plan", what, a, r->id, b) < 0) {
		w->why = NULL;
		return -1;
	}
	return 0;
}

static int
merge_str(struct want *w, const struct file_rule *r, const char *what, const char **have,
    const char *v)
{
	if (v == NULL)
		return 0;
	if (*have == NULL) {
		*have = v;
		return 0;
	}
	if (strcmp(*have, v) == 0)
		return 0;
	return disagree(w, r, what, *have, v);
}

static int
merge_mode(struct want *w, const struct file_rule *r)
{
	char a[16], b[16];

	if (r->has_mode) {
		if (w->mode >= 0 && (unsigned)w->mode != r->mode) {
			snprintf(a, sizeof(a), "%04o", (unsigned)w->mode);
			snprintf(b, sizeof(b), "%04o", r->mode);
			return disagree(w, r, "mode", a, b);
		}
		w->mode = (int)r->mode;
	}
	if (r->has_mode_max)
		w->mode_max = w->mode_max < 0 ? (int)r->mode_max : (int)((unsigned)w->mode_max & r->mode_max);
	if (w->mode >= 0 && w->mode_max >= 0 && ((unsigned)w->mode & ~(unsigned)w->mode_max) != 0) {
		snprintf(a, sizeof(a), "%04o", (unsigned)w->mode);
		snprintf(b, sizeof(b), "at most %04o", (unsigned)w->mode_max);
		return disagree(w, r, "mode", a, b);
	}
	return 0;
}

/* Gather what every rule of every standard that applies asks of w's path. */
static int
want_merge(struct splan *pl, struct want *w)
{
	char a[DIGEST_HEX_LEN + 1], b[DIGEST_HEX_LEN + 1];
	size_t i, j;

	w->mode = w->mode_max = -1;
	for (i = 0; i < pl->nstds; i++) {
		if (!pl->applies[i])
			continue;
		for (j = 0; j < pl->stds[i]->nfiles; j++) {
			const struct file_rule *r = &pl->stds[i]->files[j];

			if (!rule_matches(r, w->path, w->len))
				continue;
			if (r->absent) {
				w->absent = true;
				continue;
			}
			w->exact |= !r->is_glob;
			if (merge_str(w, r, "owner", &w->owner, r->owner) < 0 ||
			    merge_str(w, r, "group", &w->group, r->group) < 0 ||
			    merge_str(w, r, "type", &w->type, r->type) < 0 ||
			    merge_str(w, r, "target", &w->target, r->target) < 0 ||
			    merge_mode(w, r) < 0)
				return DRIFT_ENOMEM;
			if (r->has_sha256) {
				if (w->has_sha && memcmp(w->sha, r->sha256, DIGEST_LEN) != 0) {
					digest_hex(w->sha, DIGEST_LEN, a);
					digest_hex(r->sha256, DIGEST_LEN, b);
					if (disagree(w, r, "content", a, b) < 0)
						return DRIFT_ENOMEM;
				}
				w->has_sha = true;
				memcpy(w->sha, r->sha256, DIGEST_LEN);
			}
		}
	}
	if (w->why != NULL)
		return 0;
	if (w->absent && w->exact)
		w->why = strdup("one rule requires it to exist and another to be absent; settle the standards, "
		    "then make another plan");
	else if (w->target != NULL && w->type != NULL && strcmp(w->type, "symlink") != 0)
		w->why = strdup("one rule requires a symlink target and another a type that is not a symlink");
	else if (w->has_sha && ((w->type != NULL && strcmp(w->type, "regular") != 0) || w->target != NULL))
		w->why = strdup("one rule requires a content (sha256) and another a file that is not a regular file");
	else
		return 0;
	return w->why == NULL ? DRIFT_ENOMEM : 0;
}

/* The approved content of w from b or from the store; not finding it is not an error. */
static int
want_content(struct splan *pl, struct want *w, struct drift_error *err)
{
	const struct content *c;
	struct buf *nb;
	size_t i;
	int r;

	if ((c = baseline_content(pl->b, w->sha)) != NULL) {
		w->data = c->data;
		w->dlen = c->len;
		return 0;
	}
	for (i = 0; i < pl->nwants; i++) {
		if (&pl->wants[i] != w && pl->wants[i].data != NULL && pl->wants[i].has_sha &&
		    memcmp(pl->wants[i].sha, w->sha, DIGEST_LEN) == 0) {
			w->data = pl->wants[i].data;
			w->dlen = pl->wants[i].dlen;
			return 0;
		}
	}
	if (pl->store == NULL)
		return 0;
	if ((nb = realloc(pl->loaded, (pl->nloaded + 1) * sizeof(*nb))) == NULL)
		return nomem(err);
	pl->loaded = nb;
	nb = &pl->loaded[pl->nloaded];
	buf_init(nb, 0);
	r = store_content(pl->store, w->sha, baseline_default_limits.content_max, nb, err);
	if (r == DRIFT_ENOTFOUND)
		return 0;
	if (r < 0)
		return r;
	pl->nloaded++;
	w->data = nb->data != NULL ? nb->data : "";
	w->dlen = nb->len;
	return 0;
}

static int
why_dup(char **why, const char *text)
{
	return (*why = strdup(text)) == NULL ? -1 : 0;
}

/* *why: the sha256 rule's content is nowhere to be had. */
static int
no_content(char **why, const char *hex)
{
	if (asprintf(why, "no baseline in the store holds a capture with sha256 %s, so drift cannot "
	    "write it: put the approved file in place from where the standard's authors keep it", hex) < 0) {
		*why = NULL;
		return -1;
	}
	return 0;
}

/* What restore.sh does to w's path, and why it leaves what it leaves. */
static int
want_decide(struct splan *pl, struct want *w, struct drift_error *err)
{
	const Drift__FileEntry *e = w->e;
	const char *type = w->type;
	char hex[DIGEST_HEX_LEN + 1];
	bool dir = is_type(e, DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY);
	bool reg = is_type(e, DRIFT__FILE_TYPE__FILE_TYPE_REGULAR);
	int r = 0;

	w->kind = W_NONE;
	if (w->why != NULL)
		return 0;
	if (type == NULL && w->target != NULL)
		type = "symlink";
	if (type == NULL && w->has_sha)
		type = "regular";
	if (!restore_path_ok((const uint8_t *)w->path, w->len)) {
		r = why_dup(&w->why, "restore.sh touches no path that is the root itself or has an "
		    "empty, '.' or '..' component");
	} else if (w->absent) {
		if (dir)
			r = why_dup(&w->why, "a directory that must be absent: restore.sh never removes a "
			    "directory tree; look at what is in it and remove it by hand");
		else
			w->kind = W_ABSENT;
	} else if (type == NULL) {
		if (e != NULL)
			w->kind = W_KEEP;
		else
			r = why_dup(&w->why, "missing, and the standard does not say what it is (no type, "
			    "target or sha256): make it by hand");
	} else if (strcmp(type, "directory") == 0) {
		w->kind = W_DIR;
	} else if (strcmp(type, "symlink") == 0) {
		if (w->target != NULL && dir)
			r = why_dup(&w->why, "a directory is where the standard wants a symlink: move it "
			    "aside by hand");
		else if (w->target != NULL)
			w->kind = W_LINK;
		else if (is_type(e, DRIFT__FILE_TYPE__FILE_TYPE_SYMLINK))
			w->kind = W_KEEP;
		else
			r = why_dup(&w->why, "the standard wants a symlink here but names no target: make "
			    "it by hand");
	} else if (strcmp(type, "regular") == 0) {
		if (!w->has_sha || (reg && e->sha256.len == DIGEST_LEN &&
		    memcmp(e->sha256.data, w->sha, DIGEST_LEN) == 0)) {
			if (reg)
				w->kind = W_KEEP;
			else
				r = why_dup(&w->why, "the standard wants a regular file here and says nothing "
				    "of its content: make it by hand");
		} else {
			if ((r = want_content(pl, w, err)) < 0)
				return r;
			digest_hex(w->sha, DIGEST_LEN, hex);
			if (w->data != NULL && dir)
				r = why_dup(&w->why, "a directory is where the standard wants a file: move it "
				    "aside by hand");
			else if (w->data != NULL)
				w->kind = W_FILE;
			else if (reg) {
				w->kind = W_KEEP;	/* its owner and mode can still be fixed */
				r = no_content(&w->kind_why, hex);
			} else
				r = no_content(&w->why, hex);
		}
	} else if (e != NULL && strcmp(file_type_name(e->type), type) == 0) {
		w->kind = W_KEEP;
	} else {
		/* fifo, socket, char, block: made by what owns them, not by a plan */
		if (asprintf(&w->why, "the standard wants a %s here: the program or package that owns it "
		    "makes it", type) < 0) {
			w->why = NULL;
			r = -1;
		}
	}
	return r < 0 ? nomem(err) : 0;
}

/* --- the findings --- */

/* Words of a package command, kept both as argv and as one quoted line. */
static int
pkg_words(struct item *it, const char *const *words, size_t n)
{
	char *line = NULL;
	size_t len = 0, i;
	FILE *f;

	if ((it->argv = calloc(n, sizeof(*it->argv))) == NULL)
		return DRIFT_ENOMEM;
	for (i = 0; i < n; i++)
		if ((it->argv[it->argc++] = strdup(words[i])) == NULL)
			return DRIFT_ENOMEM;
	if ((f = open_memstream(&line, &len)) == NULL)
		return DRIFT_ENOMEM;
	/* the command and its options are ours; only the last word comes from the standard */
	for (i = 0; i < n; i++) {
		if (i > 0)
			putc(' ', f);
		if (i + 1 < n)
			fputs(words[i], f);
		else
			restore_sh_quote_str(f, words[i]);
	}
	if (fclose(f) != 0) {
		free(line);
		return DRIFT_ENOMEM;
	}
	it->cmd = line;
	return 0;
}

/*
 * The command for a package finding: installed, version (installed at a
 * version the rule refuses) or forbidden. apt-get cannot pick a version
 * below a bound by itself, so that one is left to a person.
 */
static int
pkg_command(struct splan *pl, struct item *it)
{
	const struct package_rule *r = it->pr;
	bool rpm = strcmp(pl->manager, "rpm") == 0;
	const char *w[5] = { rpm ? "dnf" : "apt-get", "install", "-y", r->name, NULL };
	size_t n = 4;
	char *spec = NULL;
	int rc;

	if (strcmp(it->f->check, "forbidden") == 0) {
		w[1] = rpm ? "remove" : "purge";
	} else if (r->op == VOP_ANY) {
		/* as it is */
	} else if (rpm) {
		/* dnf takes a provide with a relation: 'name >= 1.2-3' */
		if (asprintf(&spec, "%s %s %s", r->name, version_op_name(r->op), r->version) < 0)
			return DRIFT_ENOMEM;
		w[3] = spec;
	} else if (r->op == VOP_EQ) {
		if (asprintf(&spec, "%s=%s", r->name, r->version) < 0)
			return DRIFT_ENOMEM;
		w[3] = "--allow-downgrades";
		w[4] = spec;
		n = 5;
	} else if (r->op == VOP_LE || r->op == VOP_LT) {
		it->how = HOW_MANUAL;
		it->why = "apt-get installs the newest version it knows, not one below a bound: pick a "
		    "version from `apt-cache policy NAME`, install it with `apt-get install NAME=VERSION` "
		    "and keep it with `apt-mark hold NAME`";
		return 0;
	}
	/* >= and > with apt-get: the candidate, installed or upgraded to; restore.sh checks it after */
	rc = pkg_words(it, w, n);
	free(spec);
	return rc;
}

static struct want *
want_for(struct splan *pl, const struct finding *f, size_t *idx)
{
	struct want *nv;
	size_t i;

	for (i = pl->nwants; i-- > 0;) {
		if (pl->wants[i].len == f->subject_len && memcmp(pl->wants[i].path, f->subject, f->subject_len) == 0) {
			*idx = i;
			return &pl->wants[i];
		}
	}
	if ((nv = realloc(pl->wants, (pl->nwants + 1) * sizeof(*nv))) == NULL)
		return NULL;
	pl->wants = nv;
	memset(&nv[pl->nwants], 0, sizeof(*nv));
	nv[pl->nwants].path = f->subject;
	nv[pl->nwants].len = f->subject_len;
	*idx = pl->nwants;
	return &nv[pl->nwants++];
}

static int
want_cmp(const void *a, const void *b)
{
	const struct want *x = a, *y = b;

	return path_cmp((const uint8_t *)x->path, x->len, (const uint8_t *)y->path, y->len);
}

/* Every finding of every standard that applies, with its rule and what the plan does about it. */
static int
collect(struct splan *pl, struct drift_error *err)
{
	size_t i, j, k, n = 0;
	int r;

	for (i = 0; i < pl->nstds; i++)
		n += pl->evs[i].n;
	if ((pl->items = calloc(n + 1, sizeof(*pl->items))) == NULL)
		return nomem(err);
	for (i = 0; i < pl->nstds; i++) {
		const struct standard *s = pl->stds[i];

		for (j = 0; j < pl->evs[i].n; j++) {
			struct item *it = &pl->items[pl->nitems++];
			const struct finding *f = &pl->evs[i].v[j];

			it->f = f;
			it->want = SIZE_MAX;
			if (is_package_check(f->check)) {
				for (k = 0; k < s->npackages && it->pr == NULL; k++)
					if (f->origin == &s->packages[k].origin)
						it->pr = &s->packages[k];
			} else {
				for (k = 0; k < s->nfiles && it->fr == NULL; k++)
					if (f->origin == &s->files[k].origin)
						it->fr = &s->files[k];
			}
			if (it->pr == NULL && it->fr == NULL)
				return drift_error_set(err, DRIFT_EINTERNAL, "finding of rule '%s' has no rule", f->rule);
			if (f->status == FINDING_UNEVALUATED) {
				it->how = HOW_UNEVALUATED;
			} else if (it->pr != NULL) {
				it->how = HOW_PACKAGE;
				if (pkg_command(pl, it) < 0)
					return nomem(err);
			} else if (is_content_check(f->check)) {
				it->how = HOW_MANUAL;
				it->why = "drift does not write content it was not given: edit the file by hand";
			} else if (want_for(pl, f, &it->want) == NULL) {
				return nomem(err);
			}
		}
	}
	/* Paths in order, parents before children; the items follow their wants. */
	if (pl->nwants > 1) {
		struct want *old = pl->wants;
		size_t *map;

		for (i = 0; i < pl->nwants; i++)
			old[i].order = i;
		qsort(old, pl->nwants, sizeof(*old), want_cmp);
		if ((map = calloc(pl->nwants, sizeof(*map))) == NULL)
			return nomem(err);
		for (i = 0; i < pl->nwants; i++)
			map[old[i].order] = i;
		for (i = 0; i < pl->nitems; i++)
			if (pl->items[i].want != SIZE_MAX)
				pl->items[i].want = map[pl->items[i].want];
		free(map);
	}
	for (i = 0; i < pl->nwants; i++) {
		struct want *w = &pl->wants[i];

		w->e = find_entry(pl->b, w->path, w->len);
		if ((r = want_merge(pl, w)) < 0)
			return nomem(err);
		if ((r = want_decide(pl, w, err)) < 0)
			return r;
	}
	for (i = 0; i < pl->nitems; i++) {
		struct item *it = &pl->items[i];
		struct want *w;
		bool attr;

		if (it->want == SIZE_MAX)
			continue;
		w = &pl->wants[it->want];
		attr = strcmp(it->f->check, "owner") == 0 || strcmp(it->f->check, "group") == 0 ||
		    strcmp(it->f->check, "mode") == 0 || strcmp(it->f->check, "mode_max") == 0;
		if (w->kind == W_NONE) {
			it->how = HOW_MANUAL;
			it->why = w->why;
		} else if (!attr && w->kind_why != NULL) {
			it->how = HOW_MANUAL;
			it->why = w->kind_why;
		} else {
			it->how = HOW_SCRIPT;
			w->fixes = true;
		}
	}
	return 0;
}

/* --- restore.sh --- */

static void
script_item_manual(struct splan *pl, const struct item *it, const char *what)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL) {
		pl->oom = true;
		return;
	}
	md_subject(f, it);
	fputs(": rule ", f);
	md_shown_str(f, it->f->rule);
	fprintf(f, " (%s): %s: ", it->f->check, what);
	md_shown_str(f, it->f->message);
	if (fclose(f) != 0) {
		pl->oom = true;
		free(text);
		return;
	}
	fputs("mn ", pl->sh);
	restore_sh_quote(pl->sh, text ? text : "", text ? len : 0);
	putc('\n', pl->sh);
	free(text);
}

static void
write_script(struct splan *pl)
{
	FILE *sh = pl->sh;
	size_t i, j;

	fputs("#!/bin/bash\n", sh);
	fputs("# restore.sh - written by drift restore-plan --to standard: bring host ", sh);
	restore_sh_quote_str(sh, pl->b->pb->host_id ? pl->b->pb->host_id : "");
	fputs(" into line with its standards. Run: bash restore.sh --help\n", sh);
	restore_script_prelude(sh, script_usage);
	fputs(script_std, sh);
	for (i = 0; i < pl->nitems; i++) {
		const struct item *it = &pl->items[i];
		const struct package_rule *r = it->pr;

		if (it->how != HOW_PACKAGE)
			continue;
		fputs("pk ", sh);
		restore_sh_quote_str(sh, pl->manager);
		fputs(r->forbidden ? " forbid " : " need ", sh);
		restore_sh_quote_str(sh, r->name);
		fputs(" ", sh);
		restore_sh_quote_str(sh, r->forbidden ? "" : version_op_name(r->op));
		fputs(" ", sh);
		restore_sh_quote_str(sh, r->version != NULL && !r->forbidden ? r->version : "");
		for (j = 0; j < it->argc; j++) {
			putc(' ', sh);
			if (j + 1 < it->argc)
				fputs(it->argv[j], sh);	/* the command and its options: ours */
			else
				restore_sh_quote_str(sh, it->argv[j]);
		}
		putc('\n', sh);
	}
	for (i = 0; i < pl->nwants; i++) {
		const struct want *w = &pl->wants[i];
		char hex[DIGEST_HEX_LEN + 1];

		if (w->kind == W_NONE || !w->fixes)
			continue;
		fprintf(sh, "s ");
		restore_sh_quote(sh, w->path + 1, w->len - 1);
		fprintf(sh, " %s ", wkind_word[w->kind]);
		if (w->kind == W_LINK) {
			restore_sh_quote_str(sh, w->target);
		} else if (w->kind == W_FILE) {
			digest_hex(w->sha, DIGEST_LEN, hex);
			fputs(hex, sh);
		} else {
			fputs("''", sh);
		}
		putc(' ', sh);
		restore_sh_quote_str(sh, w->owner ? w->owner : "");
		putc(' ', sh);
		restore_sh_quote_str(sh, w->group ? w->group : "");
		if (w->mode >= 0)
			fprintf(sh, " %04o", (unsigned)w->mode);
		else
			fputs(" ''", sh);
		if (w->mode_max >= 0)
			fprintf(sh, " %04o\n", (unsigned)w->mode_max);
		else
			fputs(" ''\n", sh);
	}
	for (i = 0; i < pl->nitems; i++) {
		const struct item *it = &pl->items[i];

		if (it->how == HOW_MANUAL)
			script_item_manual(pl, it, "by hand");
		else if (it->how == HOW_UNEVALUATED)
			script_item_manual(pl, it, "could not be checked");
	}
	fputs("finish\n", sh);
}

/* --- RUNBOOK.md --- */

/* What a person must also know of a finding: its severity, message and the rule's why. */
static void
md_finding_words(FILE *md, const struct item *it)
{
	fprintf(md, "   %s: ", severity_name(it->f->severity));
	md_shown_str(md, it->f->message);
	fputs(".\n", md);
	if (it->f->description != NULL) {
		fputs("   Why: ", md);
		md_shown_str(md, it->f->description);
		fputs("\n", md);
	}
}

static void
md_packages(struct splan *pl)
{
	FILE *md = pl->md;
	bool rpm = strcmp(pl->manager, "rpm") == 0;
	size_t i, n = 0;

	for (i = 0; i < pl->nitems; i++)
		n += pl->items[i].how == HOW_PACKAGE;
	fprintf(md, "## Step 2: packages (%zu)\n\n", n);
	if (n == 0) {
		fputs("1. Nothing to install or remove: every package rule passes.\n\n", md);
		return;
	}
	pl->step = 0;
	fprintf(md, "%zu. `%s`\n   Check: it ends without an error.\n", ++pl->step,
	    rpm ? "dnf makecache" : "apt-get update");
	for (i = 0; i < pl->nitems; i++) {
		const struct item *it = &pl->items[i];
		const struct package_rule *r = it->pr;

		if (it->how != HOW_PACKAGE)
			continue;
		fprintf(md, "%zu. ", ++pl->step);
		md_subject(md, it);
		fputs(" — ", md);
		md_tag(md, it);
		fprintf(md, ": `%s`\n", it->cmd);
		md_finding_words(md, it);
		fputs("   Check: `", md);
		if (rpm) {
			fputs("rpm -q ", md);
			restore_sh_quote_str(md, r->name);
			if (r->forbidden)
				fputs("` prints that the package is not installed.\n", md);
			else if (r->op == VOP_ANY)
				fputs("` prints the package, not \"is not installed\".\n", md);
			else
				fprintf(md, "` prints a version %s %s.\n", version_op_name(r->op), r->version);
		} else if (r->forbidden) {
			fputs("dpkg-query -W -f='${db:Status-Status}\\n' ", md);
			restore_sh_quote_str(md, r->name);
			fputs("` prints `not-installed` or `config-files`, or says no package matches.\n", md);
		} else {
			fputs("dpkg-query -W -f='${Version}\\n' ", md);
			restore_sh_quote_str(md, r->name);
			if (r->op == VOP_ANY)
				fputs("` prints a version.\n", md);
			else
				fprintf(md, "` prints a version %s %s (`dpkg --compare-versions VERSION %s %s` "
				    "exits 0).\n", version_op_name(r->op), r->version,
				    r->op == VOP_GE ? "ge" : r->op == VOP_GT ? "gt" : "eq", r->version);
		}
	}
	fputs("\n(`bash restore.sh --packages` runs the same commands.)\n\n", md);
}

/* "chown OWNER[:GROUP] PATH" or "chgrp GROUP PATH" (-h for a link). */
static void
md_chown(FILE *md, const struct want *w, const char *owner, const char *group, bool link)
{
	if (owner != NULL) {
		fputs(link ? "chown -h " : "chown ", md);
		restore_sh_quote_str(md, owner);
		if (group != NULL) {
			putc(':', md);
			restore_sh_quote_str(md, group);
		}
	} else {
		fputs(link ? "chgrp -h " : "chgrp ", md);
		restore_sh_quote_str(md, group);
	}
	putc(' ', md);
	restore_sh_quote(md, w->path, w->len);
}

/* The mode w ends with, as restore.sh works it out; -1 when it is left as it is. */
static int
want_final_mode(const struct want *w, bool made)
{
	unsigned max = w->mode_max >= 0 ? (unsigned)w->mode_max : 07777;

	if (w->kind == W_LINK || w->kind == W_ABSENT)
		return -1;
	if (w->mode >= 0)
		return w->mode;
	if (made)
		return (int)((w->kind == W_DIR ? 0755u : 0644u) & max);
	if (w->e != NULL && (w->mode_max >= 0 || w->kind == W_FILE))
		return (int)((w->e->mode & 07777) & max);
	return -1;
}

/* One path: the commands that do what restore.sh does, and how to check them. */
static void
md_change(struct splan *pl, const struct want *w)
{
	FILE *md = pl->md;
	const Drift__FileEntry *e = w->e;
	const char *owner = w->owner, *group = w->group;
	char hex[DIGEST_HEX_LEN + 1], uid[16], gid[16];
	bool made, first = true, link = w->kind == W_LINK;
	int mode;
	size_t i;

	made = w->kind == W_LINK || (w->kind == W_DIR && !is_type(e, DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY)) ||
	    (w->kind == W_FILE && !is_type(e, DRIFT__FILE_TYPE__FILE_TYPE_REGULAR));
	if (w->kind == W_FILE && !made) {
		/* a file replaced keeps its owner and group unless the standard says otherwise */
		snprintf(uid, sizeof(uid), "%u", (unsigned)e->uid);
		snprintf(gid, sizeof(gid), "%u", (unsigned)e->gid);
		if (owner == NULL)
			owner = e->owner != NULL && e->owner[0] != '\0' ? e->owner : uid;
		if (group == NULL)
			group = e->group != NULL && e->group[0] != '\0' ? e->group : gid;
	}
	mode = want_final_mode(w, made);
	fprintf(md, "%zu. ", ++pl->step);
	quote_path(md, w->path, w->len);
	fputs(" — fixes ", md);
	for (i = 0; i < pl->nitems; i++) {
		if (pl->items[i].how != HOW_SCRIPT || &pl->wants[pl->items[i].want] != w)
			continue;
		if (!first)
			fputs(", ", md);
		md_tag(md, &pl->items[i]);
		first = false;
	}
	fputs(":\n   `", md);
	first = true;
	switch (w->kind) {
	case W_ABSENT:
		fputs("rm -f -- ", md);
		restore_sh_quote(md, w->path, w->len);
		first = false;
		break;
	case W_DIR:
		if (!made)
			break;
		if (e != NULL) {
			fputs("rm -f -- ", md);
			restore_sh_quote(md, w->path, w->len);
			fputs(" && ", md);
		}
		fputs("mkdir ", md);
		restore_sh_quote(md, w->path, w->len);
		first = false;
		break;
	case W_LINK:
		fputs("ln -sfn ", md);
		restore_sh_quote_str(md, w->target);
		putc(' ', md);
		restore_sh_quote(md, w->path, w->len);
		first = false;
		break;
	case W_FILE:
		digest_hex(w->sha, DIGEST_LEN, hex);
		fprintf(md, "cp --remove-destination files/%s ", hex);
		restore_sh_quote(md, w->path, w->len);
		first = false;
		break;
	default:
		break;
	}
	if (w->kind != W_ABSENT && (owner != NULL || group != NULL)) {
		if (!first)
			fputs(" && ", md);
		md_chown(md, w, owner, group, link);
		first = false;
	}
	if (mode >= 0) {
		/* five digits: GNU chmod keeps a directory's set-id bits under four */
		bool keeps = w->kind == W_DIR && e != NULL && (e->mode & 06000 & ~(unsigned)mode) != 0;

		if (!first)
			fputs(" && ", md);
		fprintf(md, keeps ? "chmod %05o " : "chmod %04o ", (unsigned)mode);
		restore_sh_quote(md, w->path, w->len);
		first = false;
	}
	if (first)
		fputs("true", md);	/* cannot happen: every fixed finding leaves a command */
	fputs("`\n", md);
	switch (w->kind) {
	case W_ABSENT:
		fputs("   Check: `ls -ld ", md);
		restore_sh_quote(md, w->path, w->len);
		fputs("` says `No such file or directory`.\n", md);
		return;
	case W_LINK:
		fputs("   Check: `readlink ", md);
		restore_sh_quote(md, w->path, w->len);
		fputs("` prints `", md);
		md_shown_str(md, w->target);
		fputs("`.\n", md);
		break;
	case W_FILE:
		fputs("   Check: `sha256sum ", md);
		restore_sh_quote(md, w->path, w->len);
		fprintf(md, "` starts with `%s`.\n", hex);
		break;
	case W_DIR:
		fputs("   Check: `test -d ", md);
		restore_sh_quote(md, w->path, w->len);
		fputs(" && echo directory` prints `directory`.\n", md);
		break;
	default:
		break;
	}
	if (owner == NULL && group == NULL && mode < 0)
		return;
	fprintf(md, "   Check: `stat -c '%s%s%s%s%s' ", owner ? "%U" : "", owner && group ? " " : "",
	    group ? "%G" : "", (owner || group) && mode >= 0 ? " " : "", mode >= 0 ? "%a" : "");
	restore_sh_quote(md, w->path, w->len);
	fputs("` prints `", md);
	if (owner != NULL)
		md_shown_str(md, owner);
	if (owner != NULL && group != NULL)
		putc(' ', md);
	if (group != NULL)
		md_shown_str(md, group);
	if ((owner != NULL || group != NULL) && mode >= 0)
		putc(' ', md);
	if (mode >= 0)
		fprintf(md, "%o", (unsigned)mode);
	fputs("`.\n", md);
}

/* For a content rule, what it requires, quoted from the standard. */
static void
md_requirement(FILE *md, const struct item *it)
{
	const struct file_rule *r = it->fr;
	size_t i;

	if (r == NULL)
		return;
	if (strcmp(it->f->check, "contains") == 0) {
		for (i = 0; i < r->ncontains; i++) {
			fputs("   The standard requires it to contain: `", md);
			md_shown_str(md, r->contains[i]);
			fputs("`\n", md);
		}
	} else if (strcmp(it->f->check, "not_contains") == 0) {
		for (i = 0; i < r->nnot_contains; i++) {
			fputs("   The standard requires it not to contain: `", md);
			md_shown_str(md, r->not_contains[i]);
			fputs("`\n", md);
		}
	} else if (strcmp(it->f->check, "matches") == 0) {
		for (i = 0; i < r->nmatches; i++) {
			fputs("   The standard requires a line that matches (POSIX extended regex): `", md);
			md_shown_str(md, r->matches[i].pattern);
			fputs("`\n", md);
		}
	}
}

static void
md_manual(struct splan *pl, const struct item *it)
{
	FILE *md = pl->md;

	fprintf(md, "%zu. ", ++pl->step);
	md_subject(md, it);
	fputs(" — ", md);
	md_tag(md, it);
	fputs(", by hand\n", md);
	md_finding_words(md, it);
	md_requirement(md, it);
	fputs("   What to do: ", md);
	if (is_content_check(it->f->check)) {
		fputs("drift does not write content it was not given. ", md);
		if (it->f->remedy != NULL && it->f->remedy[0] != '\0') {
			fputs("The standard's remedy: ", md);
			md_shown_str(md, it->f->remedy);
		} else {
			fputs("Edit the file by hand", md);
		}
	} else {
		md_text(md, it->why);
	}
	fputs(".\n   Check: `drift check` in the last step no longer lists this rule for this path.\n", md);
}

static void
md_unevaluated(struct splan *pl, const struct item *it)
{
	FILE *md = pl->md;

	fprintf(md, "%zu. ", ++pl->step);
	md_subject(md, it);
	fputs(" — ", md);
	md_tag(md, it);
	fputs(", could not be checked\n   Found: ", md);
	md_shown_str(md, it->f->message);
	fputs(".\n", md);
	if (it->f->description != NULL) {
		fputs("   Why the rule exists: ", md);
		md_shown_str(md, it->f->description);
		fputs("\n", md);
	}
	md_requirement(md, it);
	fputs("   What to do: look at it by hand", md);
	if (it->f->remedy != NULL && it->f->remedy[0] != '\0') {
		fputs(", or let drift see it: ", md);
		md_shown_str(md, it->f->remedy);
	}
	fputs(".\n", md);
}

static void
write_runbook(struct splan *pl)
{
	const Drift__Baseline *pb = pl->b->pb;
	const Drift__HostFacts *h = pb->host;
	FILE *md = pl->md;
	const char *host = pb->host_id && pb->host_id[0] ? pb->host_id : (h && h->hostname ? h->hostname : "");
	size_t i, n[4] = { 0 }, nchanges = 0;
	char when[48];

	for (i = 0; i < pl->nitems; i++)
		n[pl->items[i].how]++;
	for (i = 0; i < pl->nwants; i++)
		nchanges += pl->wants[i].kind != W_NONE && pl->wants[i].fixes;
	fputs("# Plan for host `", md);
	md_shown_str(md, host);
	fputs("`: bring it into line with its standards\n\n", md);
	fprintf(md, "Written by `drift restore-plan --to standard` from %s: the baseline taken at %s",
	    pl->source, format_time_ns(pb->taken_at_ns, when, sizeof(when)));
	if (h != NULL && h->os_pretty != NULL && h->os_pretty[0] != '\0') {
		fputs(" on ", md);
		md_shown_str(md, h->os_pretty);
	}
	fputs(", held to:\n\n", md);
	for (i = 0; i < pl->nstds; i++) {
		const struct standard *s = pl->stds[i];

		fputs("- `", md);
		md_shown_str(md, s->name);
		fputs("`", md);
		if (s->version != NULL) {
			fputs(" version ", md);
			md_shown_str(md, s->version);
		}
		fputs(" (", md);
		md_shown_str(md, s->file);
		if (pl->applies[i])
			fprintf(md, "): %zu findings\n", pl->evs[i].n);
		else
			fputs("): skipped, its applies_to does not cover this host\n", md);
	}
	fprintf(md, "\n%zu findings: restore.sh fixes %zu of them (%zu paths, step 4), %zu are package "
	    "changes (step 2), %zu need a person (step 5) and %zu could not be checked (step 6).\n\n",
	    pl->nitems, n[HOW_SCRIPT], nchanges, n[HOW_PACKAGE], n[HOW_MANUAL], n[HOW_UNEVALUATED]);
	fputs("Do the steps in order, as root, on the host itself. Type each command exactly as shown "
	    "between the backticks, then do its check. If a check fails, stop and ask for help.\n\n", md);

	fputs("## Step 1: prepare\n\n", md);
	fputs("1. Log in to the host as root.\n   Check: `hostname` prints `", md);
	md_shown_str(md, h != NULL && h->hostname != NULL && h->hostname[0] ? h->hostname : host);
	fputs("`.\n", md);
	fputs("2. Copy this plan (the .tar.gz file) to the machine, for example to /root/plan.tar.gz, and unpack it:\n"
	    "   `mkdir /root/restore && tar -xzf /root/plan.tar.gz -C /root/restore && cd /root/restore`\n"
	    "   Check: `ls` shows `RUNBOOK.md`, `baseline.pb`, `files` and `restore.sh`.\n\n", md);

	md_packages(pl);

	fputs("## Step 3: make the changes with the script\n\n"
	    "1. See what it would change: `bash restore.sh --dry-run`\n"
	    "   Check: it lists lines starting with `would`, and changes nothing.\n"
	    "2. Run it: `bash restore.sh`\n"
	    "   Check: it ends with `N changes made` or `nothing to do`, and exits without an error line.\n"
	    "3. Run it again: `bash restore.sh`\n"
	    "   Check: it prints `nothing to do`. (It still lists the manual steps of steps 5 and 6.)\n\n"
	    "The script never writes through a symbolic link, never removes a directory and never writes "
	    "content the plan does not carry in `files/`.\n\n", md);

	fputs("## Step 4: the changes, one by one\n\n"
	    "The script in step 3 does all of this; do it by hand only when the script cannot run. "
	    "Run the commands from the unpacked plan directory.\n\n", md);
	pl->step = 0;
	for (i = 0; i < pl->nwants; i++)
		if (pl->wants[i].kind != W_NONE && pl->wants[i].fixes)
			md_change(pl, &pl->wants[i]);
	if (pl->step == 0)
		fputs("1. Nothing: no finding is one the script can fix.\n", md);

	fputs("\n## Step 5: manual steps\n\n", md);
	pl->step = 0;
	for (i = 0; i < pl->nitems; i++)
		if (pl->items[i].how == HOW_MANUAL)
			md_manual(pl, &pl->items[i]);
	if (pl->step == 0)
		fputs("1. None.\n", md);

	fputs("\n## Step 6: checks drift could not make\n\n", md);
	pl->step = 0;
	for (i = 0; i < pl->nitems; i++)
		if (pl->items[i].how == HOW_UNEVALUATED)
			md_unevaluated(pl, &pl->items[i]);
	if (pl->step == 0)
		fputs("1. None: every rule could be checked.\n", md);

	fputs("\n## Step 7: check the whole machine\n\n"
	    "1. Take a new snapshot: `drift-agent snapshot -o /root/after.drift`\n"
	    "   Check: it ends without an error.\n", md);
	pl->step = 1;
	for (i = 0; i < pl->nstds; i++) {
		if (!pl->applies[i])
			continue;
		fprintf(md, "%zu. Hold it to `", ++pl->step);
		md_shown_str(md, pl->stds[i]->name);
		fputs("`: `drift check /root/after.drift --standard ", md);
		restore_sh_quote_str(md, pl->stds[i]->file);
		fputs("`\n   Check: it lists no rule of steps 2 to 4; what it still lists is in steps 5 and 6.\n", md);
	}
}

/* --- the plan --- */

static int
digest_cmp(const void *a, const void *b)
{
	return memcmp(a, b, DIGEST_LEN);
}

static void
splan_release(struct splan *pl)
{
	size_t i, j;

	for (i = 0; i < pl->nitems; i++) {
		free(pl->items[i].cmd);
		for (j = 0; j < pl->items[i].argc; j++)
			free(pl->items[i].argv[j]);
		free(pl->items[i].argv);
	}
	free(pl->items);
	for (i = 0; i < pl->nwants; i++) {
		free(pl->wants[i].why);
		free(pl->wants[i].kind_why);
	}
	free(pl->wants);
	for (i = 0; i < pl->nloaded; i++)
		buf_release(&pl->loaded[i]);
	free(pl->loaded);
	if (pl->evs != NULL)
		for (i = 0; i < pl->nstds; i++)
			evaluation_release(&pl->evs[i]);
	free(pl->evs);
	free(pl->applies);
	if (pl->sh != NULL)
		fclose(pl->sh);
	if (pl->md != NULL)
		fclose(pl->md);
	free(pl->shbuf);
	free(pl->mdbuf);
}

int
restore_plan_standard_write(const struct baseline *b, const char *source,
    struct standard *const *stds, size_t nstds, struct store *store, const char *path,
    struct drift_error *err)
{
	struct splan pl = { .b = b, .source = source, .store = store, .stds = stds, .nstds = nstds };
	struct restore_member *m = NULL;
	uint8_t (*d)[DIGEST_LEN] = NULL;
	char (*names)[sizeof("files/") + DIGEST_HEX_LEN] = NULL;
	uint8_t *enc = NULL;
	size_t enclen, i, nd = 0, nm = 0, napply = 0;
	int r;

	if ((r = restore_check_paths(b, err)) < 0)
		return r;
	if ((pl.evs = calloc(nstds + 1, sizeof(*pl.evs))) == NULL ||
	    (pl.applies = calloc(nstds + 1, sizeof(*pl.applies))) == NULL) {
		r = nomem(err);
		goto out;
	}
	for (i = 0; i < nstds; i++) {
		if (!(pl.applies[i] = standard_applies(stds[i], b->pb)))
			continue;
		napply++;
		if ((r = standard_evaluate(stds[i], b, &pl.evs[i])) < 0) {
			r = nomem(err);
			goto out;
		}
		if (pl.manager == NULL)
			pl.manager = pl.evs[i].manager;
	}
	if (napply == 0) {
		r = drift_error_set(err, DRIFT_EINVAL, "no standard given applies to host '%s' "
		    "(see their applies_to)", b->pb->host_id ? b->pb->host_id : "");
		goto out;
	}
	if ((r = collect(&pl, err)) < 0)
		goto out;
	if ((pl.sh = open_memstream(&pl.shbuf, &pl.shlen)) == NULL ||
	    (pl.md = open_memstream(&pl.mdbuf, &pl.mdlen)) == NULL) {
		r = nomem(err);
		goto out;
	}
	write_script(&pl);
	write_runbook(&pl);
	if ((r = restore_close_stream(&pl.sh, err)) < 0 || (r = restore_close_stream(&pl.md, err)) < 0)
		goto out;
	if (pl.oom) {
		r = nomem(err);
		goto out;
	}
	if ((r = restore_encode_baseline(b, &enc, &enclen, err)) < 0)
		goto out;
	if ((d = calloc(pl.nwants + 1, DIGEST_LEN)) == NULL ||
	    (names = calloc(pl.nwants + 1, sizeof(*names))) == NULL ||
	    (m = calloc(pl.nwants + 4, sizeof(*m))) == NULL) {
		r = nomem(err);
		goto out;
	}
	for (i = 0; i < pl.nwants; i++)
		if (pl.wants[i].kind == W_FILE && pl.wants[i].fixes)
			memcpy(d[nd++], pl.wants[i].sha, DIGEST_LEN);
	if (nd > 0)
		qsort(d, nd, DIGEST_LEN, digest_cmp);
	m[nm++] = (struct restore_member){ "RUNBOOK.md", false, 0644, pl.mdbuf, pl.mdlen };
	m[nm++] = (struct restore_member){ "restore.sh", false, 0755, pl.shbuf, pl.shlen };
	m[nm++] = (struct restore_member){ "baseline.pb", false, 0644, enc, enclen };
	m[nm++] = (struct restore_member){ "files", true, 0755, NULL, 0 };
	for (i = 0; i < nd; i++) {
		const struct want *w = NULL;
		char hex[DIGEST_HEX_LEN + 1];
		size_t j;

		if (i > 0 && memcmp(d[i - 1], d[i], DIGEST_LEN) == 0)
			continue;
		for (j = 0; j < pl.nwants && w == NULL; j++)
			if (pl.wants[j].kind == W_FILE && memcmp(pl.wants[j].sha, d[i], DIGEST_LEN) == 0)
				w = &pl.wants[j];
		if (w == NULL) {
			r = drift_error_set(err, DRIFT_EINTERNAL, "an approved content went missing");
			goto out;
		}
		digest_hex(d[i], DIGEST_LEN, hex);
		snprintf(names[i], sizeof(names[i]), "files/%s", hex);
		m[nm++] = (struct restore_member){ names[i], false, 0644, w->data, w->dlen };
	}
	r = restore_archive_write(path, m, nm, err);
out:
	splan_release(&pl);
	free(enc);
	free(m);
	free(names);
	free(d);
	return r;
}
