/* SPDX-License-Identifier: MIT */
/* report.h - drift report's HTML page: the events gathered one by one, then written as one page. */
#ifndef DRIFT_REPORT_H
#define DRIFT_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "store.h"

/*
 * The page needs its totals at the top and the events in time order across
 * hosts, so it is built in memory as store_events hands the events over and
 * written at the end. The page is self-contained (inline CSS, no scripts, no
 * URLs) and every string from the store is escaped; bytes that are not UTF-8
 * are shown as \xHH.
 */
struct report_html;

/* An empty page into *out. 0 or DRIFT_ENOMEM. */
int report_html_new(struct report_html **out);
/* NULL is fine. */
void report_html_free(struct report_html *h);

/*
 * Take one event, in the order store_events gives them (per host, oldest
 * first); everything needed is copied, so ev need not outlive the call.
 * Findings that cannot be read as JSON are shown as they are, escaped.
 * 0 or DRIFT_ENOMEM (h is then unusable: free it).
 */
int report_html_add(struct report_html *h, const struct store_event *ev);

/*
 * Write the page to f: the window [since_ns, until_ns] and the --host glob
 * (NULL: every host) the events were asked for, a summary, a table per host,
 * the timeline, then the unplanned changes before the planned ones. 0,
 * DRIFT_ENOMEM, or DRIFT_EIO when writing f failed.
 */
int report_html_write(struct report_html *h, FILE *f, int64_t since_ns, int64_t until_ns,
    const char *host_glob);

#endif
