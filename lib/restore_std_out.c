/* SPDX-License-Identifier: MIT */
/* restore_std_out.c - the text of a plan that brings a host into line with its standards: restore.sh and RUNBOOK.md. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "quote.h"
#include "restore.h"
#include "restore_int.h"
#include "standard.h"

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

static const char *const wkind_word[] = { "", "keep", "dir", "link", "file", "absent" };

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
md_tag(FILE *f, const struct restore_item *it)
{
	fputs("rule `", f);
	md_shown_str(f, it->f->rule);
	fprintf(f, "` (%s)", it->f->check);
}

static void
md_subject(FILE *f, const struct restore_item *it)
{
	quote_path(f, it->f->subject, it->f->subject_len);
}

/* "N. SUBJECT — rule `ID` (CHECK)": the head of the next step about a finding. */
static void
md_step_head(struct restore_splan *pl, const struct restore_item *it)
{
	fprintf(pl->md, "%zu. ", ++pl->step);
	md_subject(pl->md, it);
	fputs(" — ", pl->md);
	md_tag(pl->md, it);
}

/* --- restore.sh --- */

static void
script_item_manual(struct restore_splan *pl, const struct restore_item *it, const char *what)
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

void
restore_std_write_script(struct restore_splan *pl)
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
		const struct restore_item *it = &pl->items[i];
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
		const struct restore_want *w = &pl->wants[i];
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
		const struct restore_item *it = &pl->items[i];

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
md_finding_words(FILE *md, const struct restore_item *it)
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
md_packages(struct restore_splan *pl)
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
		const struct restore_item *it = &pl->items[i];
		const struct package_rule *r = it->pr;

		if (it->how != HOW_PACKAGE)
			continue;
		md_step_head(pl, it);
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
md_chown(FILE *md, const struct restore_want *w, const char *owner, const char *group, bool link)
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
want_final_mode(const struct restore_want *w, bool made)
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
md_change(struct restore_splan *pl, const struct restore_want *w)
{
	FILE *md = pl->md;
	const Drift__FileEntry *e = w->e;
	const char *owner = w->owner, *group = w->group;
	char hex[DIGEST_HEX_LEN + 1], uid[16], gid[16];
	bool made, first = true, link = w->kind == W_LINK;
	int mode;
	size_t i;

	made = w->kind == W_LINK ||
	    (w->kind == W_DIR && !restore_is_type(e, DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY)) ||
	    (w->kind == W_FILE && !restore_is_type(e, DRIFT__FILE_TYPE__FILE_TYPE_REGULAR));
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
md_requirement(FILE *md, const struct restore_item *it)
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
md_manual(struct restore_splan *pl, const struct restore_item *it)
{
	FILE *md = pl->md;

	md_step_head(pl, it);
	fputs(", by hand\n", md);
	md_finding_words(md, it);
	md_requirement(md, it);
	fputs("   What to do: ", md);
	if (restore_is_content_check(it->f->check)) {
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
md_unevaluated(struct restore_splan *pl, const struct restore_item *it)
{
	FILE *md = pl->md;

	md_step_head(pl, it);
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

void
restore_std_write_runbook(struct restore_splan *pl)
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
