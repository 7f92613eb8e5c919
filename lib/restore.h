/* SPDX-License-Identifier: MIT */
/* restore.h - restore plans: a runbook, a script and the captured files that put a host back. */
#ifndef DRIFT_RESTORE_H
#define DRIFT_RESTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "baseline.h"
#include "error.h"

/*
 * A restore plan is a .tar.gz holding
 *   RUNBOOK.md        numbered steps for a person: packages (apt-get/dnf
 *                     commands at the recorded versions), every file with
 *                     its owner, group and mode, services to restart,
 *                     manual steps (content never captured: secrets), and
 *                     how to verify each step, ending with drift check
 *   restore.sh        the same steps for bash, idempotent, with --dry-run,
 *                     --root DIR and --packages (restore.sh --help)
 *   baseline.pb       the baseline the plan restores (drift diff reads it)
 *   files/<sha256>    each captured content, once, named by its digest
 * No member name comes from the baseline, so extracting a plan writes only
 * those names. restore.sh quotes every path with $'..', refuses paths with
 * empty, "." or ".." components and never writes through a symlink.
 */

/*
 * Write the plan for b to path (through a temporary file beside it,
 * renamed into place). source says where b came from, for the runbook
 * ("web01@last-good", a file name). DRIFT_EFORMAT: b has a path restore.sh
 * must refuse (not absolute, or an empty, "." or ".." component; err names
 * it); DRIFT_EIO: the plan could not be written; DRIFT_ENOMEM.
 */
int restore_plan_write(const struct baseline *b, const char *source, const char *path,
    struct drift_error *err);

/*
 * A plan that brings host b into line with standards: RUNBOOK.md and
 * restore.sh (the same options) start from the findings of holding b to
 * each of stds[0..nstds) whose applies_to covers the host (the others are
 * named in the runbook as skipped) and fix what can be fixed without
 * inventing anything: required packages installed at their version
 * constraint and forbidden ones removed (apt-get or dnf, only with
 * restore.sh --packages), owner, group, mode and mode_max (the excess bits
 * removed), missing directories and symlinks made, files that must be
 * absent removed (never a directory tree), and a file a sha256 rule names
 * written from files/<sha256> when b or the store (any host's capture;
 * store may be NULL) holds that content. The rest are numbered manual
 * steps naming the rule, the check and the subject: content rules
 * (contains, not_contains, matches; quoted with the rule's description,
 * never edited), sha256 rules without an approved content, rules that
 * disagree, and the rules that could not be evaluated. The runbook ends
 * with drift check against each standard's file. baseline.pb is b.
 * Written like restore_plan_write. DRIFT_EINVAL: no standard applies to
 * the host (err says so); DRIFT_EFORMAT: b or a rule has a path restore.sh
 * must refuse; DRIFT_EIO: the store or the plan could not be read or
 * written; DRIFT_ENOMEM.
 */
struct standard;
struct store;
int restore_plan_standard_write(const struct baseline *b, const char *source,
    struct standard *const *stds, size_t nstds, struct store *store, const char *path,
    struct drift_error *err);

/*
 * Internal to restore.c, restore_std.c and restore_std_out.c: the shared parts of the two
 * kinds of plan.
 */

/* A captured content for the plan's files/<sha256>. */
struct restore_file {
	const uint8_t *sha;	/* DIGEST_LEN bytes */
	const void *data;
	size_t len;
};

/*
 * Write the plan to path ("-": stdout) as a .tar.gz, through a temporary
 * file renamed into place: RUNBOOK.md, restore.sh, baseline.pb, files/
 * and files/<sha256> for each of files[0..n), each digest once, in digest
 * order (files is sorted here).
 */
int restore_bundle_write(const char *path, const void *md, size_t mdlen, const void *sh, size_t shlen,
    const void *pb, size_t pblen, struct restore_file *files, size_t n, struct drift_error *err);
/* The fixed part of restore.sh (options, helper functions); usage NULL: the restore plan's. */
void restore_script_prelude(FILE *sh, const char *usage);
/* A shell word for any bytes ($'..' with octal escapes when needed; never a backquote). */
void restore_sh_quote(FILE *f, const void *data, size_t len);
void restore_sh_quote_str(FILE *f, const char *s);
/* Absolute, with no empty, "." or ".." component: a path restore.sh accepts. */
bool restore_path_ok(const uint8_t *p, size_t len);
/* DRIFT_EFORMAT (err names it) when a path of b is not restore_path_ok. */
int restore_check_paths(const struct baseline *b, struct drift_error *err);
/* fclose a memory stream; DRIFT_ENOMEM when anything written to it was lost. */
int restore_close_stream(FILE **f, struct drift_error *err);
/* b encoded as baseline.pb; *out is the caller's to free. */
int restore_encode_baseline(const struct baseline *b, uint8_t **out, size_t *outlen,
    struct drift_error *err);

#endif
