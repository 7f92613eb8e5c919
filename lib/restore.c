/* SPDX-License-Identifier: MIT */
/* restore.c - restore plans: RUNBOOK.md, restore.sh and files/, written as a .tar.gz. */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "quote.h"
#include "restore.h"

/*
 * The fixed part of restore.sh: option parsing and one function per entry
 * kind (f regular, m regular not captured, d directory, l symlink, p fifo,
 * x manual, pkg package). The entries follow as calls, one per line, every
 * argument quoted by restore_sh_quote. It is bash, not sh: $'..' quoting carries
 * any byte of a path exactly.
 */
static const char script_head[] =
	"set -eu\n"
	"umask 077\n"
	"\n"
	"usage() {\n"
	"\tcat <<'USAGE'\n";

static const char script_usage[] =
	"usage: bash restore.sh [--dry-run] [--root DIR] [--packages]\n"
	"\n"
	"Put back every recorded file of this plan: content, type, mode and owner.\n"
	"Safe to run again: a second run changes nothing and says \"nothing to do\".\n"
	"\n"
	"  -n, --dry-run   print what would change; change nothing\n"
	"      --root DIR  restore into DIR instead of / (an image, a mounted disk)\n"
	"      --packages  also install the recorded package versions (apt-get or\n"
	"                  dnf; only without --root); otherwise they are a manual step\n"
	"  -h, --help      this help\n";

static const char script_body[] =
	"USAGE\n"
	"}\n"
	"\n"
	"ROOT=/\n"
	"DRY=0\n"
	"PKGS=0\n"
	"while [ $# -gt 0 ]; do\n"
	"\tcase $1 in\n"
	"\t-n|--dry-run) DRY=1 ;;\n"
	"\t--root)\n"
	"\t\t[ $# -ge 2 ] || { echo \"restore.sh: --root needs a directory\" >&2; exit 2; }\n"
	"\t\tROOT=$2\n"
	"\t\tshift ;;\n"
	"\t--root=*) ROOT=${1#--root=} ;;\n"
	"\t--packages) PKGS=1 ;;\n"
	"\t-h|--help) usage; exit 0 ;;\n"
	"\t*) echo \"restore.sh: unknown option '$1'\" >&2; usage >&2; exit 2 ;;\n"
	"\tesac\n"
	"\tshift\n"
	"done\n"
	"HERE=$(cd -- \"$(dirname -- \"$0\")\" && pwd -P)\n"
	"FILES=$HERE/files\n"
	"if [ ! -d \"$ROOT\" ]; then\n"
	"\techo \"restore.sh: '$ROOT' is not a directory\" >&2\n"
	"\texit 2\n"
	"fi\n"
	"# ROOT itself is the operator's choice; everything below it is checked.\n"
	"ROOT=$(cd -- \"$ROOT\" && pwd -P)\n"
	"[ \"$ROOT\" != / ] || ROOT=\n"
	"CHANGES=0\n"
	"FAILED=0\n"
	"MANUAL=()\n"
	"declare -A DRYMADE=()\t# directories a dry run would have made\n"
	"\n"
	"q() { printf '%q' \"$1\"; }\n"
	"did() {\n"
	"\tCHANGES=$((CHANGES + 1))\n"
	"\tif [ $DRY = 1 ]; then printf 'would %s\\n' \"$1\"; else printf '%s\\n' \"$1\"; fi\n"
	"}\n"
	"manual() { MANUAL+=(\"$1\"); }\n"
	"refuse() {\n"
	"\tprintf 'restore.sh: %s\\n' \"$1\" >&2\n"
	"\tFAILED=1\n"
	"\tmanual \"$1\"\n"
	"}\n"
	"sha() { sha256sum <\"$1\" | cut -d' ' -f1; }\n"
	"exists() { [ -e \"$1\" ] || [ -L \"$1\" ]; }\n"
	"\n"
	"# id_of passwd|group NAME RECORDED-ID: the id NAME has under ROOT (its own\n"
	"# etc/passwd or etc/group), else the id recorded in the baseline.\n"
	"id_of() {\n"
	"\tlocal id=\n"
	"\tif [ -n \"$2\" ]; then\n"
	"\t\tif [ -z \"$ROOT\" ]; then\n"
	"\t\t\tid=$(getent \"$1\" \"$2\" | cut -d: -f3) || id=\n"
	"\t\telif [ -f \"$ROOT/etc/$1\" ] && [ ! -L \"$ROOT/etc/$1\" ] && [ ! -L \"$ROOT/etc\" ]; then\n"
	"\t\t\tid=$(awk -F: -v n=\"$2\" '$1 == n { print $3; exit }' \"$ROOT/etc/$1\")\n"
	"\t\tfi\n"
	"\t\t[ -n \"$id\" ] || printf \"restore.sh: %s name '%s' unknown under %s; using the recorded id %s\\n\" \\\n"
	"\t\t    \"$1\" \"$2\" \"${ROOT:-/}\" \"$3\" >&2\n"
	"\tfi\n"
	"\tprintf '%s\\n' \"${id:-$3}\"\n"
	"}\n"
	"\n"
	"# parent REL: every directory above ROOT/REL must be a real directory, never\n"
	"# a symlink; missing ones are created. 0 ready, 1 missing in a dry run,\n"
	"# 2 refused (recorded as a manual step).\n"
	"parent() {\n"
	"\tlocal rest=$1 cur=$ROOT comp\n"
	"\twhile [[ $rest == */* ]]; do\n"
	"\t\tcomp=${rest%%/*}\n"
	"\t\trest=${rest#*/}\n"
	"\t\tcase $comp in\n"
	"\t\t''|.|..) refuse \"$(q \"/$1\"): refusing a path with an empty, '.' or '..' component\"; return 2 ;;\n"
	"\t\tesac\n"
	"\t\tcur=$cur/$comp\n"
	"\t\tif [ -L \"$cur\" ]; then\n"
	"\t\t\trefuse \"$(q \"/$1\"): refusing to write through $(q \"$cur\"), a symlink (restore.sh never follows one)\"\n"
	"\t\t\treturn 2\n"
	"\t\tfi\n"
	"\t\t[ ! -d \"$cur\" ] || continue\n"
	"\t\t[ $DRY = 0 ] || [ -z \"${DRYMADE[$cur]+x}\" ] || return 1\n"
	"\t\tif [ -e \"$cur\" ]; then\n"
	"\t\t\trefuse \"$(q \"/$1\"): $(q \"$cur\") is not a directory\"\n"
	"\t\t\treturn 2\n"
	"\t\tfi\n"
	"\t\tdid \"create directory $(q \"$cur\")\"\n"
	"\t\tif [ $DRY = 1 ]; then\n"
	"\t\t\tDRYMADE[$cur]=1\n"
	"\t\t\treturn 1\n"
	"\t\tfi\n"
	"\t\tmkdir -m 0755 -- \"$cur\" || { refuse \"$(q \"$cur\"): cannot create\"; return 2; }\n"
	"\tdone\n"
	"\tcase $rest in\n"
	"\t''|.|..) refuse \"$(q \"/$1\"): refusing a path with an empty, '.' or '..' component\"; return 2 ;;\n"
	"\tesac\n"
	"\treturn 0\n"
	"}\n"
	"\n"
	"# attrs PATH MODE OWNER GROUP UID GID: owner first (chown clears set-id bits), then mode.\n"
	"attrs() {\n"
	"\tlocal p=$1 uid gid cur\n"
	"\texists \"$p\" || return 0\n"
	"\tuid=$(id_of passwd \"$3\" \"$5\")\n"
	"\tgid=$(id_of group \"$4\" \"$6\")\n"
	"\tcur=$(stat -c '%u:%g' -- \"$p\")\n"
	"\tif [ \"$cur\" != \"$uid:$gid\" ]; then\n"
	"\t\tdid \"chown ${3:-$5}:${4:-$6} $(q \"$p\") (was $cur)\"\n"
	"\t\t[ $DRY = 1 ] || chown -h -- \"$uid:$gid\" \"$p\"\n"
	"\tfi\n"
	"\tif [ -n \"$2\" ] && [ ! -L \"$p\" ]; then\n"
	"\t\tcur=$(stat -c '%a' -- \"$p\")\n"
	"\t\tif [ $((8#$cur)) != $((8#$2)) ]; then\n"
	"\t\t\tdid \"chmod $2 $(q \"$p\") (was $cur)\"\n"
	"\t\t\t[ $DRY = 1 ] || chmod -- \"$2\" \"$p\"\n"
	"\t\tfi\n"
	"\tfi\n"
	"}\n"
	"\n"
	"# replace_ok PATH: something of another type may be replaced unless it is a directory.\n"
	"replace_ok() {\n"
	"\tif [ -d \"$1\" ] && [ ! -L \"$1\" ]; then\n"
	"\t\trefuse \"$(q \"$1\"): a directory is in the way; move it aside and run again\"\n"
	"\t\treturn 1\n"
	"\tfi\n"
	"\treturn 0\n"
	"}\n"
	"\n"
	"# f REL SHA MODE OWNER GROUP UID GID: a regular file whose content is files/SHA.\n"
	"f() {\n"
	"\tlocal p=$ROOT/$1 r=0 tmp\n"
	"\tparent \"$1\" || r=$?\n"
	"\t[ $r != 2 ] || return 0\n"
	"\tif [ $r = 0 ] && [ ! -L \"$p\" ] && [ -f \"$p\" ] && [ \"$(sha \"$p\")\" = \"$2\" ]; then\n"
	"\t\tattrs \"$p\" \"$3\" \"$4\" \"$5\" \"$6\" \"$7\"\n"
	"\t\treturn 0\n"
	"\tfi\n"
	"\tif [ $r = 0 ] && exists \"$p\"; then replace_ok \"$p\" || return 0; fi\n"
	"\tdid \"write $(q \"$p\") (sha256 $2)\"\n"
	"\t[ $DRY = 0 ] || return 0\n"
	"\ttmp=$(mktemp -- \"${p%/*}/.drift-restore.XXXXXX\")\n"
	"\tcat -- \"$FILES/$2\" >\"$tmp\"\n"
	"\tmv -fT -- \"$tmp\" \"$p\"\n"
	"\tattrs \"$p\" \"$3\" \"$4\" \"$5\" \"$6\" \"$7\"\n"
	"}\n"
	"\n"
	"# m REL MODE OWNER GROUP UID GID: a regular file whose content was not captured.\n"
	"m() {\n"
	"\tlocal p=$ROOT/$1 r=0\n"
	"\tmanual \"put back the content of $(q \"/$1\") by hand (not captured: a secret or too large), then: chown ${3:-$5}:${4:-$6} and chmod $2 (RUNBOOK.md)\"\n"
	"\tparent \"$1\" || r=$?\n"
	"\t[ $r = 0 ] || return 0\n"
	"\tif [ -f \"$p\" ] && [ ! -L \"$p\" ]; then attrs \"$p\" \"$2\" \"$3\" \"$4\" \"$5\" \"$6\"; fi\n"
	"}\n"
	"\n"
	"# d REL MODE OWNER GROUP UID GID: a directory.\n"
	"d() {\n"
	"\tlocal p=$ROOT/$1 r=0\n"
	"\tparent \"$1\" || r=$?\n"
	"\t[ $r != 2 ] || return 0\n"
	"\tif [ $r = 0 ] && [ -d \"$p\" ] && [ ! -L \"$p\" ]; then\n"
	"\t\tattrs \"$p\" \"$2\" \"$3\" \"$4\" \"$5\" \"$6\"\n"
	"\t\treturn 0\n"
	"\tfi\n"
	"\tif [ $r = 0 ] && exists \"$p\"; then replace_ok \"$p\" || return 0; fi\n"
	"\t[ $DRY = 0 ] || [ -z \"${DRYMADE[$p]+x}\" ] || return 0\n"
	"\tdid \"create directory $(q \"$p\")\"\n"
	"\tif [ $DRY = 1 ]; then\n"
	"\t\tDRYMADE[$p]=1\n"
	"\t\treturn 0\n"
	"\tfi\n"
	"\tif exists \"$p\"; then rm -f -- \"$p\"; fi\n"
	"\tmkdir -m 0700 -- \"$p\"\n"
	"\tattrs \"$p\" \"$2\" \"$3\" \"$4\" \"$5\" \"$6\"\n"
	"}\n"
	"\n"
	"# l REL TARGET OWNER GROUP UID GID: a symlink (created, never followed).\n"
	"l() {\n"
	"\tlocal p=$ROOT/$1 r=0 t tmp\n"
	"\tparent \"$1\" || r=$?\n"
	"\t[ $r != 2 ] || return 0\n"
	"\tif [ $r = 0 ] && [ -L \"$p\" ]; then\n"
	"\t\tt=$(readlink -- \"$p\"; printf x)\n"
	"\t\tt=${t%$'\\n'x}\n"
	"\t\tif [ \"$t\" = \"$2\" ]; then\n"
	"\t\t\tattrs \"$p\" \"\" \"$3\" \"$4\" \"$5\" \"$6\"\n"
	"\t\t\treturn 0\n"
	"\t\tfi\n"
	"\tfi\n"
	"\tif [ $r = 0 ] && exists \"$p\"; then replace_ok \"$p\" || return 0; fi\n"
	"\tdid \"link $(q \"$p\") -> $(q \"$2\")\"\n"
	"\t[ $DRY = 0 ] || return 0\n"
	"\ttmp=${p%/*}/.drift-restore.$$.$RANDOM\n"
	"\tln -s -- \"$2\" \"$tmp\"\n"
	"\tmv -fT -- \"$tmp\" \"$p\"\n"
	"\tattrs \"$p\" \"\" \"$3\" \"$4\" \"$5\" \"$6\"\n"
	"}\n"
	"\n"
	"# p REL MODE OWNER GROUP UID GID: a named pipe.\n"
	"p() {\n"
	"\tlocal p=$ROOT/$1 r=0\n"
	"\tparent \"$1\" || r=$?\n"
	"\t[ $r != 2 ] || return 0\n"
	"\tif [ $r = 0 ] && [ -p \"$p\" ] && [ ! -L \"$p\" ]; then\n"
	"\t\tattrs \"$p\" \"$2\" \"$3\" \"$4\" \"$5\" \"$6\"\n"
	"\t\treturn 0\n"
	"\tfi\n"
	"\tif [ $r = 0 ] && exists \"$p\"; then replace_ok \"$p\" || return 0; fi\n"
	"\tdid \"create named pipe $(q \"$p\")\"\n"
	"\t[ $DRY = 0 ] || return 0\n"
	"\tif exists \"$p\"; then rm -f -- \"$p\"; fi\n"
	"\tmkfifo -m 0600 -- \"$p\"\n"
	"\tattrs \"$p\" \"$2\" \"$3\" \"$4\" \"$5\" \"$6\"\n"
	"}\n"
	"\n"
	"# x REL WHY: something restore.sh does not make.\n"
	"x() { manual \"$(q \"/$1\"): $2 (RUNBOOK.md)\"; }\n"
	"\n"
	"PKG_MANAGER=\n"
	"PKG_ARGS=()\n"
	"# pkg MANAGER NAME VERSION ARCH\n"
	"# (dpkg: NAME:ARCH=VERSION, no qualifier for \"all\"; rpm: NAME-VERSION.ARCH)\n"
	"pkg() {\n"
	"\tlocal name=$2\n"
	"\tPKG_MANAGER=$1\n"
	"\tif [ \"$1\" = dpkg ]; then\n"
	"\t\t[ -z \"$4\" ] || [ \"$4\" = all ] || name=$2:$4\n"
	"\t\tPKG_ARGS+=(\"$name=$3\")\n"
	"\t\tif [ $PKGS = 1 ] && [ -z \"$ROOT\" ] && command -v dpkg-query >/dev/null &&\n"
	"\t\t    [ \"$(dpkg-query -W -f='${Version}' \"$name\" 2>/dev/null || true)\" = \"$3\" ]; then\n"
	"\t\t\treturn 0\n"
	"\t\tfi\n"
	"\telse\n"
	"\t\tname=$2-$3\n"
	"\t\t[ -z \"$4\" ] || name=$name.$4\n"
	"\t\tPKG_ARGS+=(\"$name\")\n"
	"\t\tif [ $PKGS = 1 ] && [ -z \"$ROOT\" ] && command -v rpm >/dev/null &&\n"
	"\t\t    rpm -q \"$name\" >/dev/null 2>&1; then\n"
	"\t\t\treturn 0\n"
	"\t\tfi\n"
	"\tfi\n"
	"\tPKG_TODO+=(\"${PKG_ARGS[${#PKG_ARGS[@]}-1]}\")\n"
	"}\n"
	"PKG_TODO=()\n"
	"\n"
	"packages() {\n"
	"\t[ ${#PKG_ARGS[@]} -gt 0 ] || return 0\n"
	"\tlocal tool=apt-get\n"
	"\t[ \"$PKG_MANAGER\" = dpkg ] || tool=dnf\n"
	"\tif [ $PKGS = 0 ] || [ -n \"$ROOT\" ] || ! command -v $tool >/dev/null; then\n"
	"\t\tmanual \"install ${#PKG_ARGS[@]} packages at their recorded versions with $tool (RUNBOOK.md step 2; or run restore.sh --packages without --root)\"\n"
	"\t\treturn 0\n"
	"\tfi\n"
	"\t[ ${#PKG_TODO[@]} -gt 0 ] || return 0\n"
	"\tdid \"$tool install ${PKG_TODO[*]}\"\n"
	"\t[ $DRY = 0 ] || return 0\n"
	"\tif [ $tool = apt-get ]; then\n"
	"\t\tapt-get install -y --allow-downgrades -- \"${PKG_TODO[@]}\"\n"
	"\telse\n"
	"\t\tdnf install -y -- \"${PKG_TODO[@]}\"\n"
	"\tfi\n"
	"}\n"
	"\n"
	"finish() {\n"
	"\tlocal i\n"
	"\tpackages\n"
	"\tif [ ${#MANUAL[@]} -gt 0 ]; then\n"
	"\t\techo \"manual steps left (RUNBOOK.md says how):\"\n"
	"\t\tfor i in \"${MANUAL[@]}\"; do printf '  - %s\\n' \"$i\"; done\n"
	"\tfi\n"
	"\tif [ $CHANGES = 0 ]; then\n"
	"\t\techo \"nothing to do\"\n"
	"\telif [ $DRY = 1 ]; then\n"
	"\t\techo \"dry run: $CHANGES changes not made\"\n"
	"\telse\n"
	"\t\techo \"$CHANGES changes made\"\n"
	"\tfi\n"
	"\texit $FAILED\n"
	"}\n"
	"\n"
	"# --- the entries ---\n";

void
restore_script_prelude(FILE *sh, const char *usage)
{
	fputs(script_head, sh);
	fputs(usage != NULL ? usage : script_usage, sh);
	fputs(script_body, sh);
}

/* --- quoting --- */

/*
 * A shell word for any bytes: as is when plainly safe, else $'..' with octal
 * escapes for every odd byte (a backquote too, so the word also sits inside
 * a Markdown code span).
 */
void
restore_sh_quote(FILE *f, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		    (p[i] >= '0' && p[i] <= '9') || (p[i] != '\0' && strchr("/._+:@%=,-", p[i]) != NULL)))
			break;
	if (len > 0 && i == len && p[0] != '-') {
		fwrite(p, 1, len, f);	/* a plain word reads best */
		return;
	}
	fputs("$'", f);
	for (i = 0; i < len; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\'' && p[i] != '\\' &&
		    p[i] != '`')
			putc(p[i], f);
		else
			fprintf(f, "\\%03o", p[i]);
	}
	putc('\'', f);
}

void
restore_sh_quote_str(FILE *f, const char *s)
{
	restore_sh_quote(f, s, strlen(s));
}

static void
hex_digest(const uint8_t *d, char out[2 * DIGEST_LEN + 1])
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < DIGEST_LEN; i++) {
		out[2 * i] = hx[d[i] >> 4];
		out[2 * i + 1] = hx[d[i] & 15];
	}
	out[2 * DIGEST_LEN] = '\0';
}

/*
 * A path restore.sh may touch: absolute, without empty, "." or ".."
 * components (a baseline is untrusted input; the script checks again).
 */
bool
restore_path_ok(const uint8_t *p, size_t len)
{
	size_t i, start;

	if (len < 2 || p[0] != '/')
		return false;
	for (start = 1, i = 1; i <= len; i++) {
		if (i < len && p[i] == '\0')
			return false;
		if (i == len || p[i] == '/') {
			size_t n = i - start;

			if (n == 0 || (n == 1 && p[start] == '.') ||
			    (n == 2 && p[start] == '.' && p[start + 1] == '.'))
				return false;
			start = i + 1;
		}
	}
	return true;
}

/* --- the plan --- */

enum kind { K_SKIP, K_FILE, K_SECRET, K_DIR, K_LINK, K_FIFO, K_MANUAL };

struct plan {
	const struct baseline *b;
	const char *source;
	FILE *sh, *md;
	char *shbuf, *mdbuf;
	size_t shlen, mdlen;
	size_t step;		/* sub-step counter inside a runbook section */
};

static enum kind
entry_kind(const struct baseline *b, const Drift__FileEntry *f, const char **why)
{
	*why = NULL;
	if (f->path.len == 1)
		return K_SKIP;		/* "/" itself: the operator's --root */
	if (f->error != NULL && f->error[0] != '\0') {
		*why = f->error;
		return K_MANUAL;
	}
	switch (f->type) {
	case DRIFT__FILE_TYPE__FILE_TYPE_REGULAR:
		if (f->sha256.len == DIGEST_LEN && f->content_captured &&
		    baseline_file_content(b, f) != NULL)
			return K_FILE;
		return K_SECRET;
	case DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY:
		return K_DIR;
	case DRIFT__FILE_TYPE__FILE_TYPE_SYMLINK:
		return K_LINK;
	case DRIFT__FILE_TYPE__FILE_TYPE_FIFO:
		return K_FIFO;
	case DRIFT__FILE_TYPE__FILE_TYPE_SOCKET:
		*why = "a socket: the service that owns it makes it when it starts";
		return K_MANUAL;
	case DRIFT__FILE_TYPE__FILE_TYPE_CHAR:
	case DRIFT__FILE_TYPE__FILE_TYPE_BLOCK:
		*why = "a device node: make it with mknod as recorded (RUNBOOK.md)";
		return K_MANUAL;
	default:
		*why = "of an unknown type";
		return K_MANUAL;
	}
}

/* " OWNER GROUP UID GID" for restore.sh. */
static void
sh_owner(FILE *sh, const Drift__FileEntry *f)
{
	putc(' ', sh);
	restore_sh_quote_str(sh, f->owner ? f->owner : "");
	putc(' ', sh);
	restore_sh_quote_str(sh, f->group ? f->group : "");
	fprintf(sh, " %u %u", (unsigned)f->uid, (unsigned)f->gid);
}

static void
script_entry(struct plan *pl, const Drift__FileEntry *f)
{
	const char *why;
	char hex[2 * DIGEST_LEN + 1];
	enum kind k = entry_kind(pl->b, f, &why);
	FILE *sh = pl->sh;
	const uint8_t *rel = f->path.data + 1;
	size_t rlen = f->path.len - 1;

	switch (k) {
	case K_SKIP:
		return;
	case K_FILE:
		hex_digest(f->sha256.data, hex);
		fputs("f ", sh);
		restore_sh_quote(sh, rel, rlen);
		fprintf(sh, " %s %04o", hex, (unsigned)(f->mode & 07777));
		break;
	case K_SECRET:
		fputs("m ", sh);
		restore_sh_quote(sh, rel, rlen);
		fprintf(sh, " %04o", (unsigned)(f->mode & 07777));
		break;
	case K_DIR:
		fputs("d ", sh);
		restore_sh_quote(sh, rel, rlen);
		fprintf(sh, " %04o", (unsigned)(f->mode & 07777));
		break;
	case K_LINK:
		fputs("l ", sh);
		restore_sh_quote(sh, rel, rlen);
		putc(' ', sh);
		restore_sh_quote(sh, f->target.data, f->target.len);
		break;
	case K_FIFO:
		fputs("p ", sh);
		restore_sh_quote(sh, rel, rlen);
		fprintf(sh, " %04o", (unsigned)(f->mode & 07777));
		break;
	case K_MANUAL:
		fputs("x ", sh);
		restore_sh_quote(sh, rel, rlen);
		putc(' ', sh);
		restore_sh_quote_str(sh, why);
		putc('\n', sh);
		return;
	}
	sh_owner(sh, f);
	putc('\n', sh);
}

static bool
is_path(const Drift__FileEntry *f, const char *p)
{
	return f->path.len == strlen(p) && memcmp(f->path.data, p, f->path.len) == 0;
}

/* The account databases go first, so the names of the other files resolve under --root. */
static bool
is_account_db(const struct baseline *b, const Drift__FileEntry *f)
{
	const char *why;

	return (is_path(f, "/etc/passwd") || is_path(f, "/etc/group")) &&
	    entry_kind(b, f, &why) == K_FILE;
}

static bool
package_wanted(const Drift__PackageEntry *p)
{
	return p->status != NULL && strcmp(p->status, "installed") == 0 &&
	    p->name != NULL && p->name[0] != '\0' && p->version != NULL && p->version[0] != '\0' &&
	    p->manager != NULL && (strcmp(p->manager, "dpkg") == 0 || strcmp(p->manager, "rpm") == 0);
}

static void
write_script(struct plan *pl)
{
	const Drift__Baseline *pb = pl->b->pb;
	FILE *sh = pl->sh;
	size_t i;

	fputs("#!/bin/bash\n", sh);
	fputs("# restore.sh - written by drift restore-plan: put host ", sh);
	restore_sh_quote_str(sh, pb->host_id ? pb->host_id : "");
	fputs(" back as recorded. Run: bash restore.sh --help\n", sh);
	restore_script_prelude(sh, NULL);
	for (i = 0; i < pb->n_packages; i++) {
		const Drift__PackageEntry *p = pb->packages[i];

		if (!package_wanted(p))
			continue;
		fputs("pkg ", sh);
		restore_sh_quote_str(sh, p->manager);
		putc(' ', sh);
		restore_sh_quote_str(sh, p->name);
		putc(' ', sh);
		restore_sh_quote_str(sh, p->version);
		putc(' ', sh);
		restore_sh_quote_str(sh, p->arch ? p->arch : "");
		putc('\n', sh);
	}
	for (i = 0; i < pb->n_files; i++)
		if (is_account_db(pl->b, pb->files[i]))
			script_entry(pl, pb->files[i]);
	for (i = 0; i < pb->n_files; i++)
		if (!is_account_db(pl->b, pb->files[i]))
			script_entry(pl, pb->files[i]);
	fputs("finish\n", sh);
}

/* --- the runbook --- */

static bool
is_rpm_os(const Drift__Baseline *pb)
{
	size_t i;

	for (i = 0; i < pb->n_packages; i++)
		if (pb->packages[i]->manager != NULL && strcmp(pb->packages[i]->manager, "rpm") == 0)
			return true;
	return false;
}

/* "OWNER:GROUP" for a command, numeric when the id had no name. */
static void
md_chown_arg(FILE *md, const Drift__FileEntry *f)
{
	if (f->owner != NULL && f->owner[0] != '\0')
		restore_sh_quote_str(md, f->owner);
	else
		fprintf(md, "%u", (unsigned)f->uid);
	putc(':', md);
	if (f->group != NULL && f->group[0] != '\0')
		restore_sh_quote_str(md, f->group);
	else
		fprintf(md, "%u", (unsigned)f->gid);
}

/* "chown[ -h] OWNER:GROUP PATH", then " && chmod MODE PATH" unless mode < 0. */
static void
md_chown_chmod(FILE *md, const Drift__FileEntry *f, bool link, int mode)
{
	fputs(link ? "chown -h " : "chown ", md);
	md_chown_arg(md, f);
	putc(' ', md);
	restore_sh_quote(md, f->path.data, f->path.len);
	if (mode >= 0) {
		fprintf(md, " && chmod %04o ", (unsigned)mode);
		restore_sh_quote(md, f->path.data, f->path.len);
	}
}

static void
md_owner_words(FILE *md, const Drift__FileEntry *f)
{
	if (f->owner != NULL && f->owner[0] != '\0')
		fprintf(md, "owner `%s`", f->owner);
	else
		fprintf(md, "owner uid %u", (unsigned)f->uid);
	if (f->group != NULL && f->group[0] != '\0')
		fprintf(md, ", group `%s`", f->group);
	else
		fprintf(md, ", group gid %u", (unsigned)f->gid);
}

static void
md_stat_check(FILE *md, const Drift__FileEntry *f, bool with_mode)
{
	fputs("   Check: `stat -c '%U %G", md);
	if (with_mode)
		fputs(" %a", md);
	fputs("' ", md);
	restore_sh_quote(md, f->path.data, f->path.len);
	fputs("` prints `", md);
	if (f->owner != NULL && f->owner[0] != '\0')
		fputs(f->owner, md);
	else
		fputs("UNKNOWN", md);
	putc(' ', md);
	if (f->group != NULL && f->group[0] != '\0')
		fputs(f->group, md);
	else
		fputs("UNKNOWN", md);
	if (with_mode)
		fprintf(md, " %o", (unsigned)(f->mode & 07777));
	fputs("`.\n", md);
}

static void
md_file(struct plan *pl, const Drift__FileEntry *f)
{
	FILE *md = pl->md;
	char hex[2 * DIGEST_LEN + 1];
	const char *why;
	unsigned mode = (unsigned)(f->mode & 07777);

	switch (entry_kind(pl->b, f, &why)) {
	case K_FILE:
		hex_digest(f->sha256.data, hex);
		fprintf(md, "%zu. ", ++pl->step);
		quote_path(md, f->path.data, f->path.len);
		fprintf(md, " — a file, ");
		md_owner_words(md, f);
		fprintf(md, ", mode %04o:\n   `cp files/%s ", mode, hex);
		restore_sh_quote(md, f->path.data, f->path.len);
		fputs(" && chown ", md);
		md_chown_arg(md, f);
		putc(' ', md);
		restore_sh_quote(md, f->path.data, f->path.len);
		fprintf(md, " && chmod %04o ", mode);
		restore_sh_quote(md, f->path.data, f->path.len);
		fputs("`\n   Check: `sha256sum ", md);
		restore_sh_quote(md, f->path.data, f->path.len);
		fprintf(md, "` starts with `%s`.\n", hex);
		md_stat_check(md, f, true);
		break;
	case K_DIR:
		fprintf(md, "%zu. ", ++pl->step);
		quote_path(md, f->path.data, f->path.len);
		fprintf(md, " — a directory, ");
		md_owner_words(md, f);
		fprintf(md, ", mode %04o:\n   `mkdir -p ", mode);
		restore_sh_quote(md, f->path.data, f->path.len);
		fputs(" && ", md);
		md_chown_chmod(md, f, false, (int)mode);
		fputs("`\n", md);
		md_stat_check(md, f, true);
		break;
	case K_LINK:
		fprintf(md, "%zu. ", ++pl->step);
		quote_path(md, f->path.data, f->path.len);
		fputs(" — a symbolic link to ", md);
		quote_path(md, f->target.data, f->target.len);
		fputs(", ", md);
		md_owner_words(md, f);
		fputs(":\n   `ln -sfn ", md);
		restore_sh_quote(md, f->target.data, f->target.len);
		putc(' ', md);
		restore_sh_quote(md, f->path.data, f->path.len);
		fputs(" && ", md);
		md_chown_chmod(md, f, true, -1);
		fputs("`\n   Check: `readlink ", md);
		restore_sh_quote(md, f->path.data, f->path.len);
		fputs("` prints ", md);
		quote_path(md, f->target.data, f->target.len);
		fputs(".\n", md);
		break;
	case K_FIFO:
		fprintf(md, "%zu. ", ++pl->step);
		quote_path(md, f->path.data, f->path.len);
		fprintf(md, " — a named pipe, ");
		md_owner_words(md, f);
		fprintf(md, ", mode %04o:\n   `mkfifo -m %04o ", mode, mode);
		restore_sh_quote(md, f->path.data, f->path.len);
		fputs(" && ", md);
		md_chown_chmod(md, f, false, -1);
		fputs("`\n", md);
		md_stat_check(md, f, true);
		break;
	default:
		break;
	}
}

static void
md_manual(struct plan *pl, const Drift__FileEntry *f)
{
	FILE *md = pl->md;
	const char *why;
	unsigned mode = (unsigned)(f->mode & 07777);

	switch (entry_kind(pl->b, f, &why)) {
	case K_SECRET:
		fprintf(md, "%zu. ", ++pl->step);
		quote_path(md, f->path.data, f->path.len);
		fputs(" — a file whose content was not captured (a secret, or too large to keep). "
		    "Do not make it up: copy it from the old machine's backup or your password safe. "
		    "It must be ", md);
		md_owner_words(md, f);
		fprintf(md, ", mode %04o:\n   `", mode);
		md_chown_chmod(md, f, false, (int)mode);
		fputs("`\n", md);
		md_stat_check(md, f, true);
		break;
	case K_MANUAL:
		fprintf(md, "%zu. ", ++pl->step);
		quote_path(md, f->path.data, f->path.len);
		fprintf(md, " — %s; ", why);
		md_owner_words(md, f);
		fprintf(md, ", mode %04o", mode);
		if (f->type == DRIFT__FILE_TYPE__FILE_TYPE_CHAR || f->type == DRIFT__FILE_TYPE__FILE_TYPE_BLOCK) {
			unsigned maj = major((dev_t)f->rdev), min = minor((dev_t)f->rdev);

			fprintf(md, ", device %u:%u (`mknod ", maj, min);
			restore_sh_quote(md, f->path.data, f->path.len);
			fprintf(md, " %c %u %u`)", f->type == DRIFT__FILE_TYPE__FILE_TYPE_CHAR ? 'c' : 'b', maj, min);
		}
		fputs(".\n", md);
		md_stat_check(md, f, true);
		break;
	default:
		break;
	}
}

/* Services whose configuration lives in /etc/DIR/, by OS family. */
static const struct service {
	const char *dir;
	const char *deb, *rpm;
} services[] = {
	{ "apache2", "apache2", "apache2" },
	{ "bind", "named", "named" },
	{ "chrony", "chrony", "chronyd" },
	{ "cron.d", "cron", "crond" },
	{ "dovecot", "dovecot", "dovecot" },
	{ "haproxy", "haproxy", "haproxy" },
	{ "httpd", "httpd", "httpd" },
	{ "mysql", "mysql", "mysqld" },
	{ "named", "named", "named" },
	{ "nginx", "nginx", "nginx" },
	{ "postfix", "postfix", "postfix" },
	{ "postgresql", "postgresql", "postgresql" },
	{ "rsyslog.d", "rsyslog", "rsyslog" },
	{ "ssh", "ssh", "sshd" },
};

static void
md_services(struct plan *pl, bool rpm)
{
	const Drift__Baseline *pb = pl->b->pb;
	bool used[sizeof(services) / sizeof(services[0])] = { false };
	bool systemd = false, any = false;
	size_t i, j;

	for (i = 0; i < pb->n_files; i++) {
		const Drift__FileEntry *f = pb->files[i];

		if (f->path.len < 6 || memcmp(f->path.data, "/etc/", 5) != 0 ||
		    f->type != DRIFT__FILE_TYPE__FILE_TYPE_REGULAR)
			continue;
		if (f->path.len > 13 && memcmp(f->path.data, "/etc/systemd/", 13) == 0)
			systemd = true;
		for (j = 0; j < sizeof(services) / sizeof(services[0]); j++) {
			size_t n = strlen(services[j].dir);

			if (f->path.len > 5 + n + 1 && memcmp(f->path.data + 5, services[j].dir, n) == 0 &&
			    f->path.data[5 + n] == '/')
				used[j] = true;
		}
	}
	pl->step = 0;
	if (systemd) {
		any = true;
		fprintf(pl->md, "%zu. Unit files changed: `systemctl daemon-reload`\n"
		    "   Check: `systemctl --failed` lists no unit.\n", ++pl->step);
	}
	for (j = 0; j < sizeof(services) / sizeof(services[0]); j++) {
		const char *name = rpm ? services[j].rpm : services[j].deb;

		if (!used[j])
			continue;
		any = true;
		fprintf(pl->md, "%zu. `systemctl restart %s` (its files under /etc/%s/ were restored)\n"
		    "   Check: `systemctl is-active %s` prints `active`.\n",
		    ++pl->step, name, services[j].dir, name);
	}
	if (!any)
		fprintf(pl->md, "%zu. No known service reads the restored files; restart the machine "
		    "to be sure every service reads them: `reboot`\n"
		    "   Check: the machine comes back and `systemctl --failed` lists no unit.\n", ++pl->step);
}

static void
write_runbook(struct plan *pl)
{
	const Drift__Baseline *pb = pl->b->pb;
	const Drift__HostFacts *h = pb->host;
	FILE *md = pl->md;
	char when[48];
	bool rpm = is_rpm_os(pb);
	size_t i, npk = 0, nman = 0, nfiles = 0;
	const char *host = pb->host_id && pb->host_id[0] ? pb->host_id : (h && h->hostname ? h->hostname : "");
	const char *why;

	for (i = 0; i < pb->n_packages; i++)
		npk += package_wanted(pb->packages[i]);
	for (i = 0; i < pb->n_files; i++) {
		enum kind k = entry_kind(pl->b, pb->files[i], &why);

		nman += k == K_SECRET || k == K_MANUAL;
		nfiles += k == K_FILE || k == K_DIR || k == K_LINK || k == K_FIFO;
	}
	fprintf(md, "# Restore plan for host `%s`\n\n", host);
	fprintf(md, "Written by `drift restore-plan` from %s: the baseline taken at %s",
	    pl->source, format_time_ns(pb->taken_at_ns, when, sizeof(when)));
	if (h != NULL && h->os_pretty != NULL && h->os_pretty[0] != '\0')
		fprintf(md, " on %s", h->os_pretty);
	if (h != NULL && h->arch != NULL && h->arch[0] != '\0')
		fprintf(md, " (%s)", h->arch);
	fprintf(md, ".\nIt restores %zu packages and %zu files, directories and links; "
	    "%zu things need a person (step 5).\n\n", npk, nfiles, nman);
	fputs("Do the steps in order, as root, in a terminal. Type each command exactly as shown "
	    "between the backticks, then do its check. If a check fails, stop and ask for help.\n\n", md);

	fputs("## Step 1: prepare the machine\n\n", md);
	fprintf(md, "1. Install a fresh %s",
	    h != NULL && h->os_pretty != NULL && h->os_pretty[0] != '\0' ? h->os_pretty : "copy of the same operating system");
	if (h != NULL && h->arch != NULL && h->arch[0] != '\0')
		fprintf(md, " for %s", h->arch);
	fputs(" and log in as root.\n   Check: `cat /etc/os-release` names the same system", md);
	if (h != NULL && h->os_id != NULL && h->os_id[0] != '\0')
		fprintf(md, " (`ID=%s`, `VERSION_ID=\"%s\"`)", h->os_id, h->os_version ? h->os_version : "");
	fputs(".\n", md);
	fputs("2. Copy this plan (the .tar.gz file) to the machine, for example to /root/plan.tar.gz, and unpack it:\n"
	    "   `mkdir /root/restore && tar -xzf /root/plan.tar.gz -C /root/restore && cd /root/restore`\n"
	    "   Check: `ls` shows `RUNBOOK.md`, `baseline.pb`, `files` and `restore.sh`.\n\n", md);

	fprintf(md, "## Step 2: install the packages (%zu)\n\n", npk);
	if (npk == 0) {
		fputs("1. Nothing to install: the baseline records no installed package.\n\n", md);
	} else {
		pl->step = 0;
		fprintf(md, "%zu. `%s`\n   Check: it ends without an error.\n", ++pl->step,
		    rpm ? "dnf makecache" : "apt-get update");
		for (i = 0; i < pb->n_packages; i++) {
			const Drift__PackageEntry *p = pb->packages[i];
			const char *arch = p->arch ? p->arch : "";

			if (!package_wanted(p))
				continue;
			fprintf(md, "%zu. %s %s (%s): `", ++pl->step, p->name, p->version, arch);
			if (strcmp(p->manager, "dpkg") == 0) {
				bool qual = arch[0] != '\0' && strcmp(arch, "all") != 0;
				char *spec = NULL;

				if (asprintf(&spec, "%s%s%s=%s", p->name, qual ? ":" : "", qual ? arch : "",
				    p->version) >= 0) {
					fputs("apt-get install -y --allow-downgrades ", md);
					restore_sh_quote_str(md, spec);
					fputs("`\n   Check: `dpkg-query -W -f='${Version}\\n' ", md);
					spec[strlen(spec) - strlen(p->version) - 1] = '\0';
					restore_sh_quote_str(md, spec);
					fprintf(md, "` prints `%s`.\n", p->version);
				}
				free(spec);
			} else {
				char *spec = NULL;

				if (asprintf(&spec, "%s-%s%s%s", p->name, p->version, arch[0] ? "." : "", arch) >= 0) {
					fputs("dnf install -y ", md);
					restore_sh_quote_str(md, spec);
					fputs("`\n   Check: `rpm -q ", md);
					restore_sh_quote_str(md, spec);
					fputs("` prints the same name, not \"is not installed\".\n", md);
				}
				free(spec);
			}
		}
		fputs("\n(`bash restore.sh --packages` runs the same commands.)\n\n", md);
	}

	fputs("## Step 3: put the files back with the script\n\n"
	    "1. See what it would change: `bash restore.sh --dry-run`\n"
	    "   Check: it lists lines starting with `would`, and changes nothing.\n"
	    "2. Run it: `bash restore.sh`\n"
	    "   Check: it ends with `N changes made` or `nothing to do`, and exits without an error line.\n"
	    "3. Run it again: `bash restore.sh`\n"
	    "   Check: it prints `nothing to do`. (It still lists the manual steps of step 5.)\n\n"
	    "The script never writes through a symbolic link: if it says it refuses a path, "
	    "look at that directory with `ls -l` and ask for help.\n\n", md);

	fputs("## Step 4: the files, one by one\n\n"
	    "The script in step 3 does all of this; do it by hand only when the script cannot run. "
	    "Run the commands from the unpacked plan directory.\n\n", md);
	pl->step = 0;
	for (i = 0; i < pb->n_files; i++)
		md_file(pl, pb->files[i]);
	if (pl->step == 0)
		fputs("1. Nothing: the baseline records no file to restore.\n", md);
	fputs("\n## Step 5: manual steps\n\n", md);
	pl->step = 0;
	for (i = 0; i < pb->n_files; i++)
		md_manual(pl, pb->files[i]);
	if (pl->step == 0)
		fputs("1. None.\n", md);
	fputs("\n## Step 6: restart the services\n\n", md);
	md_services(pl, rpm);
	fputs("\n## Step 7: check the whole machine\n\n"
	    "1. Take a new snapshot: `drift-agent snapshot -o /root/after.drift`\n"
	    "   Check: it ends without an error.\n"
	    "2. Compare it with the baseline this plan restores: `drift diff baseline.pb /root/after.drift`\n"
	    "   Check: no file of step 4 is listed as changed (times and inode numbers may differ).\n"
	    "3. Hold it to your standard: `drift check /root/after.drift --standard /usr/share/drift/policies/STANDARD.yaml`"
	    " (the standard this host is held to)\n"
	    "   Check: it exits 0 (`echo $?` prints `0`) and reports no critical finding.\n", md);
}

/* --- the archive --- */

/* A member of the plan archive: a regular file (data, len) or a directory. */
struct restore_member {
	const char *name;
	bool dir;
	int perm;
	const void *data;
	size_t len;
};

static int
add_member(struct archive *ar, const struct restore_member *m, struct drift_error *err)
{
	struct archive_entry *e = archive_entry_new();

	if (e == NULL)
		return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
	archive_entry_set_pathname(e, m->name);
	archive_entry_set_filetype(e, m->dir ? AE_IFDIR : AE_IFREG);
	archive_entry_set_perm(e, m->perm);
	archive_entry_set_size(e, m->dir ? 0 : (la_int64_t)m->len);
	archive_entry_set_mtime(e, time(NULL), 0);
	if (archive_write_header(ar, e) != ARCHIVE_OK ||
	    (!m->dir && m->len > 0 && archive_write_data(ar, m->data, m->len) != (la_ssize_t)m->len)) {
		archive_entry_free(e);
		return drift_error_set(err, DRIFT_EIO, "cannot write the plan: %s", archive_error_string(ar));
	}
	archive_entry_free(e);
	return 0;
}

/* Write members v[0..n) as a .tar.gz to path ("-": stdout), through a temporary file renamed into place. */
static int
archive_write(const char *path, const struct restore_member *v, size_t n, struct drift_error *err)
{
	struct archive *ar = NULL;
	bool to_stdout = strcmp(path, "-") == 0;
	char *tmp = NULL;
	int fd = -1, r;
	size_t i;

	if (to_stdout) {
		fd = STDOUT_FILENO;
	} else {
		size_t len = strlen(path) + 32;

		if ((tmp = malloc(len)) == NULL)
			return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
		if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644)) < 0) {
			r = drift_error_errno(err, errno, "cannot create '%s'", tmp);
			free(tmp);
			return r;
		}
	}
	if ((ar = archive_write_new()) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto out;
	}
	if (archive_write_add_filter_gzip(ar) != ARCHIVE_OK ||
	    archive_write_set_format_pax_restricted(ar) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(ar, 1) != ARCHIVE_OK ||
	    archive_write_open_fd(ar, fd) != ARCHIVE_OK) {
		r = drift_error_set(err, DRIFT_EIO, "cannot start the plan: %s", archive_error_string(ar));
		goto out;
	}
	for (i = 0; i < n; i++)
		if ((r = add_member(ar, &v[i], err)) < 0)
			goto out;
	if (archive_write_close(ar) != ARCHIVE_OK) {
		r = drift_error_set(err, DRIFT_EIO, "cannot finish the plan: %s", archive_error_string(ar));
		goto out;
	}
	if (!to_stdout) {
		if (fsync(fd) < 0) {
			r = drift_error_errno(err, errno, "cannot write '%s'", tmp);
			goto out;
		}
		r = close(fd);
		fd = -1;
		if (r < 0) {
			r = drift_error_errno(err, errno, "cannot write '%s'", tmp);
			goto out;
		}
		if (rename(tmp, path) < 0) {
			r = drift_error_errno(err, errno, "cannot rename '%s' to '%s'", tmp, path);
			goto out;
		}
		free(tmp);
		tmp = NULL;
	}
	r = 0;
out:
	if (ar != NULL)
		archive_write_free(ar);
	if (!to_stdout && fd >= 0)
		close(fd);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	return r;
}

static int
file_cmp(const void *a, const void *b)
{
	return memcmp(((const struct restore_file *)a)->sha, ((const struct restore_file *)b)->sha, DIGEST_LEN);
}

int
restore_bundle_write(const char *path, const void *md, size_t mdlen, const void *sh, size_t shlen,
    const void *pb, size_t pblen, struct restore_file *files, size_t n, struct drift_error *err)
{
	char (*names)[sizeof("files/") + 2 * DIGEST_LEN] = NULL;
	struct restore_member *m = NULL;
	size_t i, nm = 0;
	int r;

	if ((names = calloc(n + 1, sizeof(*names))) == NULL || (m = calloc(n + 4, sizeof(*m))) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto out;
	}
	m[nm++] = (struct restore_member){ "RUNBOOK.md", false, 0644, md, mdlen };
	m[nm++] = (struct restore_member){ "restore.sh", false, 0755, sh, shlen };
	m[nm++] = (struct restore_member){ "baseline.pb", false, 0644, pb, pblen };
	m[nm++] = (struct restore_member){ "files", true, 0755, NULL, 0 };
	/* files/<sha256>: each content once, in digest order */
	if (n > 0)
		qsort(files, n, sizeof(*files), file_cmp);
	for (i = 0; i < n; i++) {
		char hex[2 * DIGEST_LEN + 1];

		if (i > 0 && memcmp(files[i - 1].sha, files[i].sha, DIGEST_LEN) == 0)
			continue;
		digest_hex(files[i].sha, DIGEST_LEN, hex);
		snprintf(names[i], sizeof(names[i]), "files/%s", hex);
		m[nm++] = (struct restore_member){ names[i], false, 0644, files[i].data, files[i].len };
	}
	r = archive_write(path, m, nm, err);
out:
	free(m);
	free(names);
	return r;
}

/* Every path must be one restore.sh accepts; a hostile baseline is refused whole. */
int
restore_check_paths(const struct baseline *b, struct drift_error *err)
{
	size_t i;

	for (i = 0; i < b->pb->n_files; i++) {
		const Drift__FileEntry *f = b->pb->files[i];

		if (f->path.len == 1 && f->path.data[0] == '/')
			continue;
		if (!restore_path_ok(f->path.data, f->path.len)) {
			char *shown = NULL;
			size_t len = 0;
			FILE *m = open_memstream(&shown, &len);

			if (m != NULL) {
				quote_path(m, f->path.data, f->path.len > 300 ? 300 : f->path.len);
				fclose(m);
			}
			drift_error_set(err, DRIFT_EFORMAT,
			    "path %s: refusing a path that is not absolute or has an empty, '.' or '..' component",
			    shown != NULL ? shown : "?");
			free(shown);
			return DRIFT_EFORMAT;
		}
	}
	return 0;
}

int
restore_close_stream(FILE **f, struct drift_error *err)
{
	int bad = ferror(*f);

	if (fclose(*f) != 0)
		bad = 1;
	*f = NULL;
	return bad ? drift_error_set(err, DRIFT_ENOMEM, "out of memory writing the plan") : 0;
}

int
restore_encode_baseline(const struct baseline *b, uint8_t **out, size_t *outlen,
    struct drift_error *err)
{
	size_t len = drift__baseline__get_packed_size(b->pb);
	uint8_t *enc;

	if ((enc = malloc(len ? len : 1)) == NULL)
		return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
	if (drift__baseline__pack(b->pb, enc) != len) {
		free(enc);
		return drift_error_set(err, DRIFT_EINTERNAL, "encoding the baseline gave an unexpected size");
	}
	*out = enc;
	*outlen = len;
	return 0;
}

int
restore_plan_write(const struct baseline *b, const char *source, const char *path,
    struct drift_error *err)
{
	struct plan pl = { .b = b, .source = source };
	struct restore_file *f = NULL;
	uint8_t *enc = NULL;
	size_t enclen, i, nf = 0;
	const char *why;
	int r;

	if ((r = restore_check_paths(b, err)) < 0)
		return r;
	if ((pl.sh = open_memstream(&pl.shbuf, &pl.shlen)) == NULL ||
	    (pl.md = open_memstream(&pl.mdbuf, &pl.mdlen)) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto out;
	}
	write_script(&pl);
	write_runbook(&pl);
	if ((r = restore_close_stream(&pl.sh, err)) < 0 || (r = restore_close_stream(&pl.md, err)) < 0)
		goto out;
	if ((r = restore_encode_baseline(b, &enc, &enclen, err)) < 0)
		goto out;

	if ((f = calloc(b->pb->n_files + 1, sizeof(*f))) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < b->pb->n_files; i++) {
		const struct content *c;

		if (entry_kind(b, b->pb->files[i], &why) != K_FILE)
			continue;
		if ((c = baseline_content(b, b->pb->files[i]->sha256.data)) == NULL) {
			r = drift_error_set(err, DRIFT_EINTERNAL, "a captured content went missing");
			goto out;
		}
		f[nf++] = (struct restore_file){ b->pb->files[i]->sha256.data, c->data, c->len };
	}
	r = restore_bundle_write(path, pl.mdbuf, pl.mdlen, pl.shbuf, pl.shlen, enc, enclen, f, nf, err);
out:
	if (pl.sh != NULL)
		fclose(pl.sh);
	if (pl.md != NULL)
		fclose(pl.md);
	free(pl.shbuf);
	free(pl.mdbuf);
	free(enc);
	free(f);
	return r;
}
