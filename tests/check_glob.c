/* SPDX-License-Identifier: MIT */
/* check_glob.c - path globs: the rule table, fnmatch(3) as an oracle, and no exponential blow-up. */
#include "config.h"

#include <check.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "glob.h"

struct glob_case {
	const char *pattern;
	const char *path;
	size_t len;		/* 0: strlen(path) */
	bool match;
};

static const struct glob_case glob_cases[] = {
	/* '**' crosses '/', needs the bytes around it */
	{ "/etc/**", "/etc/a/b", 0, true },
	{ "/etc/**", "/etc/a", 0, true },
	{ "/etc/**", "/etc/", 0, true },
	{ "/etc/**", "/etc", 0, false },
	{ "/etc/**", "/etcetera/a", 0, false },
	{ "**", "", 0, true },
	{ "**", "/any/thing", 0, true },
	{ "**/*.key", "/a/b/c.key", 0, true },
	{ "**/*.key", "/c.key", 0, true },
	{ "**/*.key", "/a/.key", 0, true },
	{ "**/*.key", "/a/b/c.key.pub", 0, false },
	{ "**/*.key", "/a/b.key/c", 0, false },
	{ "**/private/**", "/etc/ssl/private/x.pem", 0, true },
	{ "**/private/**", "/etc/ssl/privateer/x", 0, false },
	{ "**secret**", "/etc/ipsec.secrets", 0, true },
	{ "**secret**", "/etc/secrets/a", 0, true },
	{ "**secret**", "/etc/secre", 0, false },
	/* a plain run of bytes: "/etc/" + "**" + "/x" needs a directory between */
	{ "/etc/**/*.conf", "/etc/a/b.conf", 0, true },
	{ "/etc/**/*.conf", "/etc/a.conf", 0, false },
	{ "/a/**/b/**/c", "/a/x/b/y/b/z/c", 0, true },
	{ "/a/**/b/**/c", "/a/x/b/y/c/z", 0, false },
	{ "***", "/a/b", 0, true },
	/* '*' stays within one component */
	{ "/etc/shadow*", "/etc/shadow", 0, true },
	{ "/etc/shadow*", "/etc/shadow-", 0, true },
	{ "/etc/shadow*", "/etc/shadow.d/x", 0, false },
	{ "/etc/shadow*", "/etc/shado", 0, false },
	{ "/etc/ssh/ssh_host_*_key", "/etc/ssh/ssh_host_rsa_key", 0, true },
	{ "/etc/ssh/ssh_host_*_key", "/etc/ssh/ssh_host_ed25519_key", 0, true },
	{ "/etc/ssh/ssh_host_*_key", "/etc/ssh/ssh_host_rsa_key.pub", 0, false },
	{ "/etc/ssh/ssh_host_*_key", "/etc/ssh/ssh_host_a/b_key", 0, false },
	{ "/etc/*", "/etc/a", 0, true },
	{ "/etc/*", "/etc/", 0, true },
	{ "/etc/*", "/etc/a/b", 0, false },
	{ "*", "", 0, true },
	{ "*", "/", 0, false },
	{ "", "", 0, true },
	{ "", "/", 0, false },
	{ "/a*b*c", "/aXbYbZc", 0, true },
	{ "/a*b*c", "/aXbYbZc/", 0, false },
	{ "**a/b", "/x/a/a/b", 0, true },
	{ "**/b/*c", "/b/x/b/yc", 0, true },
	{ "**a*/b", "/xa/ya/b", 0, true },
	{ "**a*/b", "/xa/ya/c", 0, false },
	/* '?' */
	{ "/etc/?", "/etc/a", 0, true },
	{ "/etc/?", "/etc/ab", 0, false },
	{ "/etc?a", "/etc/a", 0, false },
	/* classes */
	{ "/etc/[ab]c", "/etc/ac", 0, true },
	{ "/etc/[ab]c", "/etc/cc", 0, false },
	{ "/etc/[a-c]", "/etc/b", 0, true },
	{ "/etc/[a-c]", "/etc/d", 0, false },
	{ "/etc/[!a-c]", "/etc/b", 0, false },
	{ "/etc/[!a-c]", "/etc/d", 0, true },
	{ "/etc/[^a-c]", "/etc/d", 0, true },
	{ "/etc/[^a-c]", "/etc/a", 0, false },
	{ "/etc[/]x", "/etc/x", 0, false },
	{ "/etc[!a]x", "/etc/x", 0, false },
	{ "/x/[]]", "/x/]", 0, true },
	{ "/x/[!]]", "/x/]", 0, false },
	{ "/x/[!]]", "/x/a", 0, true },
	{ "/x/[a-]", "/x/-", 0, true },
	{ "/x/[\\]]", "/x/]", 0, true },
	{ "/x/[", "/x/[", 0, true },
	{ "/x/[ab", "/x/a", 0, false },
	/* escapes */
	{ "/etc/\\*", "/etc/*", 0, true },
	{ "/etc/\\*", "/etc/a", 0, false },
	{ "/x/\\[a]", "/x/[a]", 0, true },
	{ "/x/\\[a]", "/x/a", 0, false },
	{ "/x/\\?", "/x/?", 0, true },
	{ "/x/\\?", "/x/a", 0, false },
	{ "/x/a\\", "/x/a\\", 0, true },
	/* spaces, newlines, non-UTF-8 and NUL bytes are just bytes */
	{ "/srv/my file*", "/srv/my file.txt", 0, true },
	{ "/srv/my file*", "/srv/my_file.txt", 0, false },
	{ "/srv/*", "/srv/a\nb", 0, true },
	{ "/srv/a?b", "/srv/a\nb", 0, true },
	{ "/srv/?", "/srv/\xff", 0, true },
	{ "/srv/\xe9t\xe9", "/srv/\xe9t\xe9", 0, true },
	{ "/srv/[\x80-\xff]", "/srv/\xc3", 0, true },
	{ "/srv/[a-z]", "/srv/\xc3", 0, false },
	{ "/srv/[!a-z]", "/srv/\xc3", 0, true },
	{ "/a*", "/a\0b", 4, true },
	{ "/a", "/a\0b", 4, false },
	{ "/a?b", "/a\0b", 4, true },
};

START_TEST(test_glob_table)
{
	const struct glob_case *c = &glob_cases[_i];
	size_t len = c->len != 0 ? c->len : strlen(c->path);

	ck_assert_msg(glob_match(c->pattern, c->path, len) == c->match,
	    "glob_match(\"%s\", \"%s\") should be %s", c->pattern, c->path,
	    c->match ? "true" : "false");
}
END_TEST

START_TEST(test_glob_is_literal)
{
	ck_assert(glob_is_literal("/etc/passwd"));
	ck_assert(glob_is_literal("/srv/my file"));
	ck_assert(glob_is_literal(""));
	ck_assert(!glob_is_literal("/etc/*"));
	ck_assert(!glob_is_literal("/etc/?"));
	ck_assert(!glob_is_literal("/etc/[ab]"));
	ck_assert(!glob_is_literal("/etc/\\a"));
}
END_TEST

/*
 * Must finish at once: a backtracking matcher takes exponential time on
 * these, so the test's timeout is what fails.
 */
START_TEST(test_glob_pathological)
{
	static const char *const patterns[] = {
		"*a*a*a*a*a*a*b", "**a*a*a*a*a*a*b", "**a**a**a**a**a**b",
		"**/*a*a*a*a*b", "*?*?*?*?*?*?*?b", "/**a*/*a*b/**x",
	};
	size_t n = 1 << 20, i;
	char *flat = malloc(n + 1), *deep = malloc(n + 1);

	ck_assert_ptr_nonnull(flat);
	ck_assert_ptr_nonnull(deep);
	memset(flat, 'a', n);
	for (i = 0; i < n; i++)
		deep[i] = i % 4 == 0 ? '/' : 'a';
	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		ck_assert_msg(!glob_match(patterns[i], flat, n), "%s", patterns[i]);
		ck_assert_msg(!glob_match(patterns[i], deep, n), "%s", patterns[i]);
	}
	/* and the same shapes still match when they should */
	flat[n - 1] = 'b';
	ck_assert(glob_match("*a*a*a*a*a*a*b", flat, n));
	ck_assert(glob_match("**a*a*a*a*a*a*b", flat, n));
	deep[n - 1] = 'b';
	ck_assert(glob_match("**/*a*a*b", deep, n));
	free(flat);
	free(deep);
}
END_TEST

/* A deterministic generator, so a failure can be replayed. */
static uint32_t
next_random(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return (*state >> 16) & 0x7fff;
}

static void
random_case(uint32_t *state, char *pat, char *path, bool allow_dstar)
{
	static const char *const atoms[] = {
		"a", "b", "/", "*", "?", "[ab]", "[!a]", "[a-b]", "\\*", "**",
	};
	static const char bytes[] = "ab/*";
	size_t natoms = sizeof(atoms) / sizeof(atoms[0]) - (allow_dstar ? 0 : 1);
	uint32_t k = next_random(state) % 9, l = next_random(state) % 14, i;

	pat[0] = '\0';
	for (i = 0; i < k; i++)
		strcat(pat, atoms[next_random(state) % natoms]);
	for (i = 0; i < l; i++)
		path[i] = bytes[next_random(state) % 4];
	path[l] = '\0';
}

/*
 * Without '**' the rules are those of fnmatch(3) with FNM_PATHNAME, an
 * independent implementation to compare with on many random cases.
 */
START_TEST(test_glob_matches_fnmatch)
{
	uint32_t state = 20240601;
	char pat[64], path[32];
	int i;

	for (i = 0; i < 300000; i++) {
		bool want;

		random_case(&state, pat, path, false);
		if (strstr(pat, "**") != NULL)
			continue;	/* "a*" then "*b" glue into "**" */
		want = fnmatch(pat, path, FNM_PATHNAME) == 0;
		ck_assert_msg(glob_match(pat, path, strlen(path)) == want,
		    "glob_match(\"%s\", \"%s\") != fnmatch (%d)", pat, path, want);
	}
}
END_TEST

/*
 * The rules read literally as a recursive matcher: slow (exponential) but
 * obviously right on short inputs, which is what '**' is checked against.
 */
static bool
spec_match(const char *p, const char *s, const char *end)
{
	const char *q;

	if (*p == '*') {
		bool dstar = p[1] == '*';

		for (q = p; *q == '*'; q++)
			;
		for (;; s++) {
			if (spec_match(q, s, end))
				return true;
			if (s == end || (!dstar && *s == '/'))
				return false;
		}
	}
	if (*p == '\0' || s == end)
		return *p == '\0' && s == end;
	if (*p == '\\' && p[1] != '\0')
		return *s == p[1] && spec_match(p + 2, s + 1, end);
	if (*p == '?')
		return *s != '/' && spec_match(p + 1, s + 1, end);
	if (*p == '[' && (q = strchr(p + 2, ']')) != NULL) {
		/* the generator only makes [ab], [!a] and [a-b] */
		bool negate = p[1] == '!', hit;
		const char *set = p + 1 + negate;

		if (set[1] == '-')
			hit = *s >= set[0] && *s <= set[2];
		else
			hit = memchr(set, *s, (size_t)(q - set)) != NULL;
		return *s != '/' && hit != negate && spec_match(q + 1, s + 1, end);
	}
	return *s == *p && spec_match(p + 1, s + 1, end);
}

START_TEST(test_glob_matches_spec)
{
	uint32_t state = 7;
	char pat[64], path[32];
	int i;

	for (i = 0; i < 300000; i++) {
		size_t len;

		random_case(&state, pat, path, true);
		len = strlen(path);
		ck_assert_msg(glob_match(pat, path, len) == spec_match(pat, path, path + len),
		    "glob_match(\"%s\", \"%s\") disagrees with the rules", pat, path);
	}
}
END_TEST

Suite *make_glob_suite(void);

Suite *
make_glob_suite(void)
{
	Suite *s = suite_create("glob");
	TCase *tc = tcase_create("core");
	TCase *bounded = tcase_create("bounded");
	TCase *oracle = tcase_create("oracle");

	tcase_add_loop_test(tc, test_glob_table, 0,
	    (int)(sizeof(glob_cases) / sizeof(glob_cases[0])));
	tcase_add_test(tc, test_glob_is_literal);
	suite_add_tcase(s, tc);
	/* 1 MiB paths take milliseconds; exponential matching would take ages */
	tcase_set_timeout(bounded, 5);
	tcase_add_test(bounded, test_glob_pathological);
	suite_add_tcase(s, bounded);
	tcase_set_timeout(oracle, 60);
	tcase_add_test(oracle, test_glob_matches_fnmatch);
	tcase_add_test(oracle, test_glob_matches_spec);
	suite_add_tcase(s, oracle);
	return s;
}
