/* SPDX-License-Identifier: MIT */
/* timeparse.c - parsing ISO 8601 and "N units ago" times into UTC nanoseconds. */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "timeparse.h"

#define NS 1000000000LL
#define YEAR_MIN 1678
#define YEAR_MAX 2261

#define EXPECTED "expected an ISO 8601 time like 2026-11-22T10:00Z or a relative one like '2 hours ago'"

static const char *const month_names[] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};

int64_t
time_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

static bool
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Exactly n decimal digits at *p; advances. */
static bool
digits(const char **p, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static int
bad(struct drift_error *err, const char *s, const char *why)
{
	return drift_error_set(err, DRIFT_EINVAL, "'%.200s': %s", s, why);
}

/* The zone at p: "", Z, +HH, +HHMM, +HH:MM. Offset east of UTC in seconds. */
static int
parse_zone(const char *s, const char **pp, int64_t *off, struct drift_error *err)
{
	const char *p = *pp;
	int sign, hh, mm = 0;

	*off = 0;
	if (*p == 'Z' || *p == 'z') {
		*pp = p + 1;
		return 0;
	}
	if (*p != '+' && *p != '-')
		return 0;
	sign = *p == '-' ? -1 : 1;
	p++;
	if (!digits(&p, 2, &hh))
		return bad(err, s, "expected an offset like +01:00 after the time");
	if (*p == ':') {
		p++;
		if (!digits(&p, 2, &mm))
			return bad(err, s, "expected an offset like +01:00 after the time");
	} else if (isdigit((unsigned char)*p) && !digits(&p, 2, &mm)) {
		return bad(err, s, "expected an offset like +01:00 after the time");
	}
	if (hh > 23 || mm > 59)
		return drift_error_set(err, DRIFT_EINVAL,
		    "'%.200s': offset %c%02d:%02d is not a time zone offset (at most +23:59)",
		    s, sign < 0 ? '-' : '+', hh, mm);
	*off = sign * (int64_t)(hh * 3600 + mm * 60);
	*pp = p;
	return 0;
}

static int
parse_iso(const char *s, const char *p, const char *end, int64_t *out, struct drift_error *err)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, r;
	int64_t frac = 0, off = 0, t;

	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
	    !digits(&p, 2, &d))
		return bad(err, s, "expected a date like 2026-11-22 (year-month-day)");
	if (mo < 1 || mo > 12)
		return drift_error_set(err, DRIFT_EINVAL, "'%.200s': month %02d is not between 01 and 12", s, mo);
	if (y < YEAR_MIN || y > YEAR_MAX)
		return drift_error_set(err, DRIFT_EINVAL, "'%.200s': year %d is out of range (%d to %d)",
		    s, y, YEAR_MIN, YEAR_MAX);
	if (d < 1 || d > month_days(y, mo))
		return drift_error_set(err, DRIFT_EINVAL, "'%.200s': %s %d has no day %02d (it has %d days)",
		    s, month_names[mo - 1], y, d, month_days(y, mo));
	if (p < end && (*p == 'T' || *p == 't' || *p == ' ')) {
		p++;
		if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
			return bad(err, s, "expected a time like 10:00 or 10:00:00 after the date");
		if (*p == ':') {
			p++;
			if (!digits(&p, 2, &sec))
				return bad(err, s, "expected two digits of seconds after 'HH:MM:'");
			if (*p == '.' || *p == ',') {
				int n = 0;

				p++;
				if (!isdigit((unsigned char)*p))
					return bad(err, s, "expected digits after the decimal point");
				for (; isdigit((unsigned char)*p); p++, n++)
					if (n < 9)
						frac = frac * 10 + (*p - '0');
				for (; n < 9; n++)
					frac *= 10;
			}
		}
		if (h > 23 || mi > 59 || sec > 59)
			return drift_error_set(err, DRIFT_EINVAL,
			    "'%.200s': %02d:%02d:%02d is not a time of day (00:00:00 to 23:59:59)", s, h, mi, sec);
		if ((r = parse_zone(s, &p, &off, err)) < 0)
			return r;
	} else if (p < end && (*p == 'Z' || *p == 'z')) {
		p++;
	}
	if (p != end)
		return drift_error_set(err, DRIFT_EINVAL,
		    "'%.200s': unexpected '%.20s' (expected 'Z' or an offset like +01:00 after the time)",
		    s, p);
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
	/* Years are bounded so that t * NS cannot overflow; check the edges anyway. */
	if (t > INT64_MAX / NS - 1 || t < INT64_MIN / NS + 1)
		return drift_error_set(err, DRIFT_EINVAL, "'%.200s': out of range", s);
	*out = t * NS + frac;
	return 0;
}

static const struct {
	const char *name;
	int64_t secs;
} units[] = {
	{ "s", 1 }, { "sec", 1 }, { "secs", 1 }, { "second", 1 }, { "seconds", 1 },
	{ "m", 60 }, { "min", 60 }, { "mins", 60 }, { "minute", 60 }, { "minutes", 60 },
	{ "h", 3600 }, { "hr", 3600 }, { "hrs", 3600 }, { "hour", 3600 }, { "hours", 3600 },
	{ "d", 86400 }, { "day", 86400 }, { "days", 86400 },
	{ "w", 604800 }, { "week", 604800 }, { "weeks", 604800 },
};

static int
parse_relative(const char *s, const char *p, const char *end, int64_t now_ns, int64_t *out,
    struct drift_error *err)
{
	const char *u;
	int64_t n = 0, secs = 0;
	size_t ulen, i;

	for (; p < end && isdigit((unsigned char)*p); p++) {
		if (n > (INT64_MAX - 9) / 10)
			return bad(err, s, "the number is too large");
		n = n * 10 + (*p - '0');
	}
	while (p < end && *p == ' ')
		p++;
	for (u = p; p < end && isalpha((unsigned char)*p); p++)
		;
	ulen = (size_t)(p - u);
	if (ulen == 0)
		return bad(err, s, EXPECTED);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].name) == ulen && strncasecmp(units[i].name, u, ulen) == 0)
			secs = units[i].secs;
	if (secs == 0)
		return drift_error_set(err, DRIFT_EINVAL,
		    "'%.200s': unknown unit '%.*s' (expected seconds, minutes, hours, days or weeks)",
		    s, (int)(ulen < 40 ? ulen : 40), u);
	if (p == end)
		return drift_error_set(err, DRIFT_EINVAL,
		    "'%.200s': a relative time counts back from now: add 'ago' (like '2 hours ago')", s);
	if (*p != ' ')
		return bad(err, s, EXPECTED);
	while (p < end && *p == ' ')
		p++;
	if ((size_t)(end - p) != 3 || strncasecmp(p, "ago", 3) != 0)
		return bad(err, s, EXPECTED);
	/* n * secs * NS fits; now_ns minus it could only pass INT64_MIN for a negative now. */
	if (n > INT64_MAX / NS / secs || (now_ns < 0 && n * secs * NS > now_ns - INT64_MIN))
		return bad(err, s, "too far back");
	*out = now_ns - n * secs * NS;
	return 0;
}

int
time_parse(const char *s, int64_t now_ns, int64_t *out_ns, struct drift_error *err)
{
	const char *p = s, *end;
	int64_t t = 0;
	int r;

	if (s == NULL)
		return drift_error_set(err, DRIFT_EINVAL, "no time given");
	while (*p == ' ' || *p == '\t')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n'))
		end--;
	if ((size_t)(end - p) == 3 && strncasecmp(p, "now", 3) == 0) {
		*out_ns = now_ns;
		return 0;
	}
	if (end - p >= 5 && isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
	    isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) && p[4] == '-')
		r = parse_iso(s, p, end, &t, err);
	else if (p < end && isdigit((unsigned char)*p))
		r = parse_relative(s, p, end, now_ns, &t, err);
	else
		r = bad(err, s, EXPECTED);
	if (r < 0)
		return r;
	*out_ns = t;
	return 0;
}
