/* SPDX-License-Identifier: MIT */
/* restore.h - restore plans: a runbook, a script and the captured files that put a host back. */
#ifndef DRIFT_RESTORE_H
#define DRIFT_RESTORE_H

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

#endif
