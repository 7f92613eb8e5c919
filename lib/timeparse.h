/* SPDX-License-Identifier: MIT */
/* timeparse.h - the times people type: ISO 8601 (UTC or with an offset) and "2 hours ago". */
#ifndef DRIFT_TIMEPARSE_H
#define DRIFT_TIMEPARSE_H

#include <stdint.h>

#include "error.h"

/*
 * Parse s into nanoseconds since the epoch (UTC). Accepted forms, with
 * leading and trailing blanks ignored:
 *
 *   2026-11-22                     midnight UTC of that day
 *   2026-11-22T10:00Z              'T', 't' or one space between date and time
 *   2026-11-22T10:00:00Z           seconds optional
 *   2026-11-22T10:00:00.123456789Z fraction of a second, '.' or ',' (digits
 *                                  past the ninth are dropped)
 *   2026-11-22T10:00+01:00         offset: +HH:MM, +HHMM or +HH (or -); 'Z'/'z' = UTC;
 *                                  no zone at all is UTC too, like everything drift prints
 *   now
 *   N UNIT ago                     "2 hours ago", "90s ago", "1 week ago"; UNIT is
 *                                  s, sec(s), second(s), m, min(s), minute(s), h, hr(s),
 *                                  hour(s), d, day(s), w, week(s) (any case)
 *
 * Relative times count back from now_ns. Dates are proleptic Gregorian,
 * years 1678..2261 (what nanoseconds in an int64 can hold).
 * 0, or DRIFT_EINVAL with err saying what was expected ("'yesterday-ish':
 * expected an ISO 8601 time like 2026-11-22T10:00Z or a relative one like
 * '2 hours ago'"); *out_ns is written only on success.
 */
int time_parse(const char *s, int64_t now_ns, int64_t *out_ns, struct drift_error *err);

/* The current time (CLOCK_REALTIME) in nanoseconds since the epoch. */
int64_t time_now_ns(void);

#endif
