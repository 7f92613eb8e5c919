/* SPDX-License-Identifier: MIT */
/* check_version.c - dpkg and rpm version ordering and syntax checks. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "version.h"

/*
 * The expected answers below were confirmed with dpkg --compare-versions
 * and rpm.vercmp() where those tools accept the strings; the same kinds of
 * pair, and random ones, are compared with the tools themselves by
 * tests/t0100-version-oracle.sh. Rows the tools refuse (empty strings,
 * blanks) pin down drift's own deterministic order.
 */
struct cmp_case {
	const char *manager;
	const char *a;
	const char *b;
	int want;	/* sign of compare(a, b) */
};

static const struct cmp_case cmp_cases[] = {
	/* dpkg: epochs */
	{ "dpkg", "1:1.0", "2.0", 1 },
	{ "dpkg", "0:1.0", "1.0", 0 },
	{ "dpkg", "00:1.0", "1.0", 0 },
	{ "dpkg", "2:1.0", "10:1.0", -1 },
	{ "dpkg", "1:2:3", "1:2.3", 1 },
	{ "dpkg", "+1:1.0", "1:1.0", 0 },
	{ "dpkg", "99999999999999999999999999:1", "99999999999999999999999998:9", 1 },
	/* dpkg: '~' before everything, even the end */
	{ "dpkg", "1.0~rc1", "1.0", -1 },
	{ "dpkg", "1.0~rc1", "1.0~rc2", -1 },
	{ "dpkg", "1.0~~", "1.0~", -1 },
	{ "dpkg", "1.0~~a", "1.0~", -1 },
	{ "dpkg", "1.0~", "1.0-1", -1 },
	{ "dpkg", "1.0-1~bpo1", "1.0-1", -1 },
	{ "dpkg", "1.0~1", "1.0.0", -1 },
	{ "dpkg", "1.0-~", "1.0", -1 },
	/* dpkg: letters before non-letters, '+' before '.' (ASCII) */
	{ "dpkg", "1.0a", "1.0+", -1 },
	{ "dpkg", "1.0+", "1.0.", -1 },
	{ "dpkg", "1.0Z", "1.0a", -1 },
	{ "dpkg", "1.0+dfsg", "1.0.1", -1 },
	{ "dpkg", "1.0.a", "1.0a", 1 },
	{ "dpkg", "1.0a", "1.0", 1 },
	{ "dpkg", "1.0+b1", "1.0", 1 },
	{ "dpkg", "1.2.3-1+deb12u1", "1.2.3-1.1", -1 },
	{ "dpkg", "1a", "1.", -1 },
	/* dpkg: numbers, leading zeros, runs longer than any integer */
	{ "dpkg", "1.0", "1.00", 0 },
	{ "dpkg", "1.01", "1.1", 0 },
	{ "dpkg", "1.010", "1.9", 1 },
	{ "dpkg", "1.2", "1.10", -1 },
	{ "dpkg", "0", "00", 0 },
	{ "dpkg", "1.0.0", "1.0", 1 },
	{ "dpkg", "1.99999999999999999999999999999", "1.100000000000000000000000000000", -1 },
	{ "dpkg", "1.18446744073709551616", "1.18446744073709551615", 1 },
	{ "dpkg", "1.000000000000000000000000000000000000001", "1.1", 0 },
	/* dpkg: revisions; a missing one equals "0" */
	{ "dpkg", "1.0", "1.0-0", 0 },
	{ "dpkg", "1.0", "1.0-1", -1 },
	{ "dpkg", "1.0-1", "1.0-1.1", -1 },
	{ "dpkg", "1.0-a", "1.0-1", 1 },
	{ "dpkg", "1.0-1-1", "1.0-1", 1 },
	{ "dpkg", "1-2-3-4", "1-2-3", 1 },
	{ "dpkg", "2.6.32-5", "2.6.32-10", -1 },
	/* dpkg: what dpkg trims or refuses, ordered all the same */
	{ "dpkg", " 1.0\t", "1.0", 0 },
	{ "dpkg", "", "0", -1 },	/* no version before any version */
	{ "dpkg", "", "~", -1 },
	{ "dpkg", "", " ", 0 },
	{ "dpkg", NULL, "", 0 },
	{ "dpkg", "a:1", "1", 1 },
	{ "dpkg", "1.\xc3\xa9", "1.z", 1 },
	{ "dpkg", "1.\xc3\xa9", "1.+", -1 },

	/* rpm: epochs, a missing one equals 0 */
	{ "rpm", "1:1.0", "2.0", 1 },
	{ "rpm", "0:1.0", "1.0", 0 },
	{ "rpm", ":1.0", "1.0", 0 },
	{ "rpm", "2:1.0", "10:1.0", -1 },
	{ "rpm", "99999999999999999999999:1", "99999999999999999999998:1", 1 },
	/* rpm: a release beats none (unlike dpkg) */
	{ "rpm", "1.0", "1.0-1", -1 },
	{ "rpm", "1.0", "1.0-0", -1 },
	{ "rpm", "1.0-", "1.0", 1 },
	{ "rpm", "1.0-1.el9", "1.0-1.el9_2", -1 },
	{ "rpm", "1.0-10", "1.0-9", 1 },
	/* rpm: '~' */
	{ "rpm", "1.0~rc1", "1.0", -1 },
	{ "rpm", "1.0~~", "1.0~", -1 },
	{ "rpm", "1.0~rc1-1", "1.0-1", -1 },
	{ "rpm", "1~", "1", -1 },
	/* rpm: '^' after the end, before anything else */
	{ "rpm", "1.0^", "1.0", 1 },
	{ "rpm", "1.0^git1", "1.0", 1 },
	{ "rpm", "1.0^git1", "1.0.1", -1 },
	{ "rpm", "1.0^git1", "1.0^git2", -1 },
	{ "rpm", "1.0^", "1.0^^", -1 },
	{ "rpm", "1.0^git1", "1.0a", -1 },
	{ "rpm", "1.0~rc1^git1", "1.0~rc1", 1 },
	{ "rpm", "1.0~rc1^git1", "1.0", -1 },
	{ "rpm", "1.0^~", "1.0", 1 },
	{ "rpm", "1^", "1~", 1 },
	/* rpm: separators are all alike, segments are letters or digits */
	{ "rpm", "1.0", "1_0", 0 },
	{ "rpm", "1..0", "1.0", 0 },
	{ "rpm", "1.0", "1.0.", 0 },
	{ "rpm", "1.0.0", "1.0", 1 },
	{ "rpm", "1.0a", "1.0", 1 },
	{ "rpm", "1.0a", "1.0.1", -1 },
	{ "rpm", "1a", "1.1", -1 },
	{ "rpm", "a", "1", -1 },
	{ "rpm", "A", "a", -1 },
	{ "rpm", "abc", "abcd", -1 },
	{ "rpm", "5.5p1", "5.5p10", -1 },
	{ "rpm", "1\xc3\xa9", "1", 0 },	/* not ASCII: a separator */
	/* rpm: numbers */
	{ "rpm", "1.01", "1.1", 0 },
	{ "rpm", "1.010", "1.9", 1 },
	{ "rpm", "0", "00", 0 },
	{ "rpm", "1.99999999999999999999999999999", "1.100000000000000000000000000000", -1 },
	{ "rpm", "1.18446744073709551616", "1.18446744073709551615", 1 },
	/* rpm: what rpm refuses, ordered all the same */
	{ "rpm", "", "0", -1 },
	{ "rpm", NULL, "", 0 },

	/* dispatch: "rpm" is rpm, everything else dpkg */
	{ NULL, "1.0", "1.0-0", 0 },
	{ "deb", "1.0", "1.0-0", 0 },
	{ "RPM", "1.0", "1.0-0", 0 },
};

static int
sign(int v)
{
	return (v > 0) - (v < 0);
}

START_TEST(test_version_compare_table)
{
	const struct cmp_case *c = &cmp_cases[_i];
	int ab = sign(version_compare(c->manager, c->a, c->b));
	int ba = sign(version_compare(c->manager, c->b, c->a));

	ck_assert_msg(ab == c->want, "%s '%s' vs '%s': got %d, want %d",
	    c->manager ? c->manager : "(null)", c->a ? c->a : "(null)",
	    c->b ? c->b : "(null)", ab, c->want);
	ck_assert_msg(ba == -c->want, "%s '%s' vs '%s' reversed: got %d, want %d",
	    c->manager ? c->manager : "(null)", c->a ? c->a : "(null)",
	    c->b ? c->b : "(null)", ba, -c->want);
	ck_assert_int_eq(version_compare(c->manager, c->a, c->a), 0);
}
END_TEST

/* Ascending chains: every earlier element sorts before every later one. */
static const char *const dpkg_chain[] = {
	"~", "0~", "0", "0a", "0+", "0.0~", "0.0", "0.0-1", "0.0.0",
	"0.1", "0.1Z", "0.1a~", "0.1a", "0.1+", "0.9", "0.10", "1.0~~",
	"1.0~~a", "1.0~", "1.0-~", "1.0", "1.0-0.1", "1.0-1~", "1.0-1",
	"1.0-1a", "1.0-1+b1", "1.0-1.1", "1.0-2", "1.0-10", "1.0a", "1.0+",
	"1.0.", "1.0.1", "1.1", "2", "0:10", "1:0", "1:1.0", "2:0",
	"10:0",
};

static const char *const rpm_chain[] = {
	"0~", "0", "0^", "0^1", "0.1", "0.1a", "0.1.1", "1~rc1", "1",
	"1-1", "1-1.el9", "1-1.el9_2", "1-2", "1^git1", "1^git2", "1a",
	"1.0", "1.0^", "1.0.1", "1.10", "2", "1:0", "1:1", "2:0", "10:0",
};

static void
check_chain(const char *manager, const char *const *v, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int want = (i > j) - (i < j);
			int got = sign(version_compare(manager, v[i], v[j]));

			ck_assert_msg(got == want, "%s '%s' vs '%s': got %d, want %d",
			    manager, v[i], v[j], got, want);
		}
}

START_TEST(test_version_chain_dpkg)
{
	check_chain("dpkg", dpkg_chain, sizeof(dpkg_chain) / sizeof(dpkg_chain[0]));
}
END_TEST

START_TEST(test_version_chain_rpm)
{
	check_chain("rpm", rpm_chain, sizeof(rpm_chain) / sizeof(rpm_chain[0]));
}
END_TEST

/* Digit runs far past any integer type, built at run time. */
START_TEST(test_version_huge_digit_runs)
{
	size_t n = 5000;
	char *nines = malloc(n + 3), *power = malloc(n + 4);
	char *zeros = malloc(n + 3);

	ck_assert_ptr_nonnull(nines);
	ck_assert_ptr_nonnull(power);
	ck_assert_ptr_nonnull(zeros);
	/* "1.999...9" < "1.1000...0", and "1.000...01" == "1.1" */
	memcpy(nines, "1.", 2);
	memset(nines + 2, '9', n);
	nines[n + 2] = '\0';
	memcpy(power, "1.1", 3);
	memset(power + 3, '0', n);
	power[n + 3] = '\0';
	memcpy(zeros, "1.", 2);
	memset(zeros + 2, '0', n);
	zeros[n + 1] = '1';
	zeros[n + 2] = '\0';
	ck_assert_int_lt(version_compare_dpkg(nines, power), 0);
	ck_assert_int_gt(version_compare_dpkg(power, nines), 0);
	ck_assert_int_lt(version_compare_rpm(nines, power), 0);
	ck_assert_int_gt(version_compare_rpm(power, nines), 0);
	ck_assert_int_eq(version_compare_dpkg(zeros, "1.1"), 0);
	ck_assert_int_eq(version_compare_rpm(zeros, "1.1"), 0);
	/* the same run as an epoch */
	nines[1] = ':';
	power[1] = ':';
	ck_assert_int_lt(version_compare_dpkg(nines, power), 0);
	ck_assert_int_lt(version_compare_rpm(nines, power), 0);
	free(nines);
	free(power);
	free(zeros);
}
END_TEST

struct check_case {
	const char *manager;
	const char *v;
	int valid;
};

static const struct check_case check_cases[] = {
	{ "dpkg", "1.0", 1 },
	{ "dpkg", "0", 1 },
	{ "dpkg", "1:1.0-1", 1 },
	{ "dpkg", "1.0-1-1", 1 },
	{ "dpkg", "1:2:3", 1 },
	{ "dpkg", "1.0~rc1+dfsg-3ubuntu1~20.04", 1 },
	{ "dpkg", "2147483647:1", 1 },
	{ "dpkg", "007:1", 1 },
	{ "dpkg", "1.0-~", 1 },
	{ "dpkg", "1A.0-B1", 1 },
	{ "dpkg", "", 0 },
	{ "dpkg", NULL, 0 },
	{ "dpkg", "2147483648:1", 0 },	/* dpkg: epoch too big */
	{ "dpkg", "a1.0", 0 },		/* upstream starts with a digit */
	{ "dpkg", "~1", 0 },
	{ "dpkg", "1.0-", 0 },		/* empty revision */
	{ "dpkg", "-1", 0 },		/* empty upstream */
	{ "dpkg", "1:", 0 },
	{ "dpkg", ":1.0", 0 },		/* empty epoch */
	{ "dpkg", "a:1.0", 0 },
	{ "dpkg", "+1:1.0", 0 },	/* dpkg's strtol takes it; policy does not */
	{ "dpkg", "1.0:1", 0 },		/* ':' only after an epoch */
	{ "dpkg", "1.0_1", 0 },
	{ "dpkg", "1.0-1:2", 0 },	/* ':' never in a revision */
	{ "dpkg", "1.0-1-", 0 },
	{ "dpkg", "1.0 ", 0 },		/* dpkg trims; we refuse */
	{ "dpkg", "1 .0", 0 },
	{ "dpkg", "1.\xc3\xa9", 0 },

	{ "rpm", "1.0", 1 },
	{ "rpm", "1.0-1.el9", 1 },
	{ "rpm", "2:1.0^git3~rc1-4.fc39", 1 },
	{ "rpm", "1.0_1+2", 1 },
	{ "rpm", "a", 1 },
	{ "rpm", "4294967295:1", 1 },
	{ "rpm", "", 0 },
	{ "rpm", NULL, 0 },
	{ "rpm", "4294967296:1", 0 },	/* epoch is a 32-bit tag */
	{ "rpm", ":1.0", 0 },		/* both sides of ':' non-empty */
	{ "rpm", "1:", 0 },
	{ "rpm", "a:1.0", 0 },
	{ "rpm", "1.0-", 0 },		/* both sides of '-' non-empty */
	{ "rpm", "-1", 0 },
	{ "rpm", "1.0-1-1", 0 },	/* '-' only between version and release */
	{ "rpm", "1..0", 0 },		/* rpmbuild: illegal sequence ".." */
	{ "rpm", "1.0-1..el9", 0 },
	{ "rpm", "1.0 ", 0 },
	{ "rpm", "1\t0", 0 },
	{ "rpm", "1.0/1", 0 },
	{ "rpm", "1:2:3", 0 },
	{ "rpm", "1\xc3\xa9", 0 },
};

START_TEST(test_version_check_table)
{
	const struct check_case *c = &check_cases[_i];
	int r = strcmp(c->manager, "rpm") == 0 ?
	    version_check_rpm(c->v) : version_check_dpkg(c->v);

	ck_assert_msg(r == (c->valid ? 0 : DRIFT_EINVAL), "%s '%s': got %d, want %s",
	    c->manager, c->v ? c->v : "(null)", r, c->valid ? "valid" : "invalid");
}
END_TEST

Suite *make_version_suite(void);

Suite *
make_version_suite(void)
{
	Suite *s = suite_create("version");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_version_compare_table, 0,
	    (int)(sizeof(cmp_cases) / sizeof(cmp_cases[0])));
	tcase_add_test(tc, test_version_chain_dpkg);
	tcase_add_test(tc, test_version_chain_rpm);
	tcase_add_test(tc, test_version_huge_digit_runs);
	tcase_add_loop_test(tc, test_version_check_table, 0,
	    (int)(sizeof(check_cases) / sizeof(check_cases[0])));
	suite_add_tcase(s, tc);
	return s;
}
