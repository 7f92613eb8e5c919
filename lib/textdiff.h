/* SPDX-License-Identifier: MIT */
/* textdiff.h - unified diffs of two in-memory texts, in GNU diff -u format. */
#ifndef DRIFT_TEXTDIFF_H
#define DRIFT_TEXTDIFF_H

#include <stddef.h>

#include "buf.h"

/*
 * How much searching one diff may do, in comparison steps of Myers'
 * algorithm (about a tenth of a second). Past it the rest of the texts is
 * shown as replaced: still a correct diff, only longer than needed.
 */
#define TEXTDIFF_DEFAULT_BUDGET 50000000ULL

/* Largest text accepted on either side (keeps line numbers in an int). */
#define TEXTDIFF_MAX_TEXT ((size_t)1 << 30)

/*
 * Append to out a unified diff of a -> b with `context` lines of context
 * (3 is usual), headed "--- a_label" / "+++ b_label" and @@ hunks exactly
 * like GNU diff -u (hunk header counts, "\ No newline at end of file").
 * A line is everything up to and including '\n'; a last line without one
 * differs from the same line with one. Identical texts append nothing. If
 * either side contains a NUL byte, append
 * "Binary files a_label and b_label differ\n" instead.
 *
 * The diff is minimal (fewest lines removed and added) unless the texts
 * need more than TEXTDIFF_DEFAULT_BUDGET steps to compare; it is always
 * correct: `patch` turns a into b with it. Time and memory are bounded
 * (roughly linear in alen + blen plus the budget) whatever the input.
 *
 * a and b need not be NUL-terminated and may be NULL when their length
 * is 0; the labels are NUL-terminated strings.
 * Returns 0, DRIFT_ENOMEM, or DRIFT_ETOOBIG (out's limit reached, or a
 * text longer than TEXTDIFF_MAX_TEXT); on failure out is left as it was
 * before the call.
 */
int textdiff_unified(struct buf *out, const char *a_label, const char *a, size_t alen,
    const char *b_label, const char *b, size_t blen, unsigned context);

/*
 * textdiff_unified with an explicit search budget instead of
 * TEXTDIFF_DEFAULT_BUDGET; 0 searches nothing (everything between the
 * common head and tail is shown as replaced). For tests and for callers
 * that must answer faster.
 */
int textdiff_unified_budget(struct buf *out, const char *a_label, const char *a,
    size_t alen, const char *b_label, const char *b, size_t blen, unsigned context,
    unsigned long long budget);

#endif
