/* SPDX-License-Identifier: MIT */
/* check_timeparse.c - ISO 8601 and relative times, checked against GNU date. */
#include "config.h"

#include <check.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "timeparse.h"

Suite *make_timeparse_suite(void);

/* "now" for relative cases: 2026-11-22T10:00:00.25Z (checked against date too). */
#define NOW_ISO "2026-11-22T10:00:00.25Z"

/* What GNU date makes of `spelling` (in UTC), in nanoseconds. */
static int64_t
oracle(const char *spelling)
{
	char cmd[512], line[128];
	long long sec;
	long nsec;
	FILE *p;

	ck_assert_ptr_null(strchr(spelling, '\''));
	snprintf(cmd, sizeof(cmd), "TZ=UTC date -u -d '%s' +%%s.%%N", spelling);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), p));
	ck_assert_msg(pclose(p) == 0, "date refused '%s'", spelling);
	ck_assert_int_eq(sscanf(line, "%lld.%ld", &sec, &nsec), 2);
	return (int64_t)sec * 1000000000 + nsec;
}

/* Accepted: what time_parse reads, and how GNU date spells the same time. */
struct ok_case {
	const char *in;
	const char *date;	/* for the oracle; NULL = same as in */
};

static const struct ok_case ok_cases[] = {
	{ "2026-11-22T10:00Z", NULL },
	{ "2026-11-22T10:00:00Z", NULL },
	{ "2026-11-22T10:00:00.123456789Z", NULL },
	{ "2026-11-22T10:00:00.5Z", NULL },
	{ "2026-11-22T10:00:00.000000001Z", NULL },
	{ "2026-11-22T10:00:00.1234567891234Z", "2026-11-22T10:00:00.123456789Z" },
	{ "2026-11-22T10:00:00,5Z", "2026-11-22T10:00:00.5Z" },
	{ "2026-11-22", NULL },
	{ "2026-11-22Z", "2026-11-22" },
	{ "2026-11-22T10:00", "2026-11-22T10:00Z" },
	{ "2026-11-22 10:00Z", NULL },
	{ "2026-11-22t10:00z", "2026-11-22T10:00Z" },
	{ "  2026-11-22T10:00Z\n", "2026-11-22T10:00Z" },
	{ "2026-11-22T10:00+01:00", NULL },
	{ "2026-11-22T10:00:00-05:30", NULL },
	{ "2026-11-22T10:00:00.5+14:00", "2026-11-22T10:00:00.5+14:00" },
	{ "2026-11-22T10:00+0100", "2026-11-22T10:00+01:00" },
	{ "2026-11-22T10:00-07", "2026-11-22T10:00-07:00" },
	{ "2026-01-01T00:30+01:00", NULL },	/* the previous year in UTC */
	{ "2024-02-29T23:59:59Z", NULL },
	{ "2000-02-29", NULL },
	{ "1970-01-01T00:00Z", NULL },
	{ "1969-12-31T23:59:59.5Z", NULL },
	{ "1900-03-01", NULL },
	{ "1678-01-01", NULL },
	{ "2261-12-31T23:59:59.999999999Z", NULL },
	{ "2038-01-19T03:14:08Z", NULL },
	{ "now", NOW_ISO },
	{ "NOW", NOW_ISO },
	{ "2 hours ago", NOW_ISO " 2 hours ago" },
	{ "1 day ago", NOW_ISO " 1 day ago" },
	{ "30 minutes ago", NOW_ISO " 30 minutes ago" },
	{ "90s ago", NOW_ISO " 90 seconds ago" },
	{ "3 days ago", NOW_ISO " 3 days ago" },
	{ "1 week ago", NOW_ISO " 1 week ago" },
	{ "2w ago", NOW_ISO " 2 weeks ago" },
	{ "5 min ago", NOW_ISO " 5 minutes ago" },
	{ "5m ago", NOW_ISO " 5 minutes ago" },
	{ "1 hr ago", NOW_ISO " 1 hour ago" },
	{ "12h ago", NOW_ISO " 12 hours ago" },
	{ "7d  AGO", NOW_ISO " 7 days ago" },
	{ "0 seconds ago", NOW_ISO },
	{ "1 Second ago", NOW_ISO " 1 second ago" },
	{ "10000 days ago", NOW_ISO " 10000 days ago" },
};

START_TEST(test_ok)
{
	const struct ok_case *c = &ok_cases[_i];
	struct drift_error err = { 0 };
	int64_t now = oracle(NOW_ISO), got = -1, want;

	want = oracle(c->date ? c->date : c->in);
	ck_assert_msg(time_parse(c->in, now, &got, &err) == 0, "'%s': %s", c->in, err.msg);
	ck_assert_msg(got == want, "'%s': got %" PRId64 ", date says %" PRId64, c->in, got, want);
}
END_TEST

/* Refused: the words the message must hold, so people know what to type. */
struct bad_case {
	const char *in;
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	{ "yesterday-ish", "'yesterday-ish': expected an ISO 8601 time like 2026-11-22T10:00Z "
	    "or a relative one like '2 hours ago'" },
	{ "", "'': expected an ISO 8601 time" },
	{ "   ", "expected an ISO 8601 time" },
	{ "2 hours", "add 'ago'" },
	{ "2 fortnights ago", "unknown unit 'fortnights' (expected seconds, minutes, hours, days or weeks)" },
	{ "two hours ago", "expected an ISO 8601 time" },
	{ "-2 hours ago", "expected an ISO 8601 time" },
	{ "2 hours ago please", "expected an ISO 8601 time" },
	{ "1.5 hours ago", "expected an ISO 8601 time" },
	{ "99999999999999999999 days ago", "too large" },
	{ "9999999999 weeks ago", "too far back" },
	{ "2026-13-01", "month 13 is not between 01 and 12" },
	{ "2026-00-10", "month 00" },
	{ "2026-02-29", "February 2026 has no day 29 (it has 28 days)" },
	{ "2026-04-31", "April 2026 has no day 31" },
	{ "2026-11-00", "has no day 00" },
	{ "2026-11-22T24:00Z", "24:00:00 is not a time of day" },
	{ "2026-11-22T10:60Z", "is not a time of day" },
	{ "2026-11-22T10:00:61Z", "is not a time of day" },
	{ "2026-11-22T10Z", "expected a time like 10:00" },
	{ "2026-11-22T10:00:5Z", "two digits of seconds" },
	{ "2026-11-22T10:00:00.Z", "digits after the decimal point" },
	{ "2026-11-22T10:00+1", "offset like +01:00" },
	{ "2026-11-22T10:00+25:00", "offset +25:00 is not a time zone offset" },
	{ "2026-11-22T10:00ZZ", "unexpected 'Z'" },
	{ "2026-11-22T10:00 UTC", "unexpected ' UTC'" },
	{ "2026-11-22x", "unexpected 'x'" },
	{ "2026-1-22", "expected a date like 2026-11-22" },
	{ "1600-01-01", "year 1600 is out of range (1678 to 2261)" },
	{ "9999-01-01", "year 9999 is out of range" },
};

START_TEST(test_bad)
{
	const struct bad_case *c = &bad_cases[_i];
	struct drift_error err = { 0 };
	int64_t got = 12345;

	ck_assert_int_eq(time_parse(c->in, INT64_C(1795341600000000000), &got, &err), DRIFT_EINVAL);
	ck_assert_int_eq(err.code, DRIFT_EINVAL);
	ck_assert_msg(strstr(err.msg, c->msg) != NULL, "'%s': message '%s' lacks '%s'", c->in, err.msg, c->msg);
	ck_assert_int_eq(got, 12345);	/* untouched on failure */
}
END_TEST

/* Relative times near the bottom of the range fail cleanly instead of wrapping. */
START_TEST(test_relative_edges)
{
	struct drift_error err = { 0 };
	int64_t got = 0;

	ck_assert_int_eq(time_parse("1 s ago", INT64_MIN + 999999999, &got, &err), DRIFT_EINVAL);
	ck_assert_int_eq(time_parse("1 s ago", INT64_MIN + 1000000000, &got, &err), 0);
	ck_assert_int_eq(got, INT64_MIN);
	ck_assert_int_eq(time_parse("1 s ago", 0, &got, &err), 0);
	ck_assert_int_eq(got, -1000000000);
	ck_assert_int_eq(time_parse(NULL, 0, &got, &err), DRIFT_EINVAL);
}
END_TEST

/* time_now_ns is the wall clock: the same second as date +%s, give or take one. */
START_TEST(test_now)
{
	int64_t a = time_now_ns(), d = oracle("now"), b = time_now_ns();

	ck_assert(d >= a - 1000000000 && d <= b + 1000000000);
}
END_TEST

Suite *
make_timeparse_suite(void)
{
	Suite *s = suite_create("timeparse");
	TCase *tc = tcase_create("parse");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_ok, 0, (int)(sizeof(ok_cases) / sizeof(ok_cases[0])));
	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, test_relative_edges);
	tcase_add_test(tc, test_now);
	suite_add_tcase(s, tc);
	return s;
}
