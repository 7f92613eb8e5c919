/* SPDX-License-Identifier: MIT */
/* render.h - turning baselines and diffs into text for people or JSON for machines. */
#ifndef DRIFT_RENDER_H
#define DRIFT_RENDER_H

#include <stdio.h>

#include "baseline.h"
#include "diff.h"
#include "standard.h"

/* One backend per output format (render_text.c, render_json.c, ...). */
struct render_ops {
	const char *name;
	/* Every entry of one baseline. 0 or DRIFT_EIO (write failed). */
	int (*show)(FILE *f, const struct baseline *b);
	/* The changes from old to new_ (d from diff_baselines). */
	int (*diff)(FILE *f, const struct baseline *old, const struct baseline *new_,
	    const struct diff *d);
};

extern const struct render_ops render_text_ops;
extern const struct render_ops render_json_ops;

/* The backend for a --format name, NULL if unknown. */
const struct render_ops *render_find(const char *name);

/* "0644" style (4 octal digits), into buf (>= 8). */
const char *render_mode(unsigned mode, char *buf, size_t size);
/* ls -l style "-rwsr-xr-x", into buf (>= 11). */
const char *render_perms(Drift__FileType t, unsigned mode, char *buf, size_t size);
/* Largest unified diff shown for one file. */
#define RENDER_DIFF_MAX ((size_t)4 << 20)

struct buf;

/*
 * The unified diff (3 lines of context) from the captured content of a in
 * old to that of b in new_, each side labelled with its baseline's time,
 * appended to out (set up by the caller, normally BUF_INIT(RENDER_DIFF_MAX),
 * and released by it whatever the result). Returns 0 (out gains nothing
 * when the contents are the same), DRIFT_ENOTFOUND when either content was
 * not captured, DRIFT_ETOOBIG when the diff passes out's limit, or
 * DRIFT_ENOMEM.
 */
int render_content_diff(const struct baseline *old, const struct baseline *new_,
    const Drift__FileEntry *a, const Drift__FileEntry *b, struct buf *out);

/* The host's name for headings: host_id, else hostname, else "unknown host". */
const char *render_host_name(const Drift__Baseline *pb);

/*
 * A baseline held to a standard (drift check): findings worst first with
 * why, fix and rule; JSON per the contract; or the one monitoring-plugin
 * line "DRIFT OK|WARNING|CRITICAL|UNKNOWN - ... | critical=N warning=N info=N".
 */
int render_check_text(FILE *f, const struct baseline *b, const struct standard *s,
    const struct evaluation *ev);
int render_check_json(FILE *f, const struct baseline *b, const struct standard *s,
    const struct evaluation *ev);
int render_check_nagios(FILE *f, const struct baseline *b, const struct standard *s,
    const struct evaluation *ev);
/* Just the "changes" array of drift diff --format json (store events, report). */
void render_json_changes(FILE *f, const struct baseline *old, const struct baseline *new_,
    const struct diff *d);

/* One finding as a JSON object (drift check, drift report). */
void render_json_finding(FILE *f, const struct finding *x);

/* 0 when nothing failed writing f, else DRIFT_EIO. */
int render_finish(FILE *f);

#endif
