/* SPDX-License-Identifier: MIT */
/* glob.c - path glob matching with '**', iterative and free of exponential backtracking. */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "glob.h"

/*
 * The matcher is the classic two-pointer wildcard algorithm with two
 * resume points instead of one: the last '**' and the last '*' after it.
 *
 * - A '*' never crosses '/', and neither does '?' or a class, so every
 *   literal '/' of the pattern between two '**' is pinned to a '/' of the
 *   path. Inside that frame, retrying only the most recent '*' is enough
 *   (an earlier '*' taking more bytes can only push the rest right, within
 *   the same path component), as in the single-star algorithm.
 * - A '**' absorbs anything, so once the pattern reaches one, whatever
 *   came before is settled for good at its shortest match; only the last
 *   '**' is ever retried.
 * - When a '*' after the last '**' runs out of room, every start of that
 *   '**' before the next '/' of the path pins the rest the same way and
 *   fails the same way, so the '**' jumps past that '/' instead of
 *   creeping byte by byte.
 *
 * Each path component is therefore swept by a '*' at most once per '/' of
 * the pattern, which keeps the work within a small multiple of pattern
 * length × path length, whatever the input.
 */

/* p points just past '['; the closing ']' or NULL when there is none. */
static const char *
class_end(const char *p)
{
	if (*p == '!' || *p == '^')
		p++;
	if (*p == ']')		/* a leading ']' is a member */
		p++;
	while (*p != '\0' && *p != ']') {
		if (*p == '\\' && p[1] != '\0')
			p++;
		p++;
	}
	return *p == ']' ? p : NULL;
}

/* Is c in the class between p (just past '[') and end (its ']')? */
static bool
class_match(const char *p, const char *end, unsigned char c)
{
	bool negate = false, hit = false;

	if (*p == '!' || *p == '^') {
		negate = true;
		p++;
	}
	while (p < end) {
		unsigned char lo, hi;

		if (*p == '\\' && p + 1 < end)
			p++;
		lo = hi = (unsigned char)*p++;
		if (p + 1 < end && *p == '-') {
			p++;
			if (*p == '\\' && p + 1 < end)
				p++;
			hi = (unsigned char)*p++;
		}
		if (lo <= c && c <= hi)
			hit = true;
	}
	return hit != negate;
}

/*
 * Match the byte c against the single-byte item at *pp ('?', a class, an
 * escape or a literal) and step *pp past the item.
 */
static bool
item_match(const char **pp, unsigned char c)
{
	const char *p = *pp, *end;

	switch (*p) {
	case '?':
		*pp = p + 1;
		return c != '/';
	case '[':
		if ((end = class_end(p + 1)) == NULL)
			break;	/* unterminated: a literal '[' */
		*pp = end + 1;
		return c != '/' && class_match(p + 1, end, c);
	case '\\':
		if (p[1] == '\0')
			break;	/* trailing: a literal '\' */
		*pp = p + 2;
		return c == (unsigned char)p[1];
	}
	*pp = p + 1;
	return c == (unsigned char)*p;
}

bool
glob_match(const char *pattern, const char *path, size_t pathlen)
{
	const char *p = pattern;
	const char *star = NULL, *dstar = NULL;	/* pattern just past them */
	size_t star_end = 0, dstar_end = 0;	/* path offset where their run ends */
	size_t t = 0;

	for (;;) {
		if (*p == '*') {
			const char *q = p + 1;

			while (*q == '*')
				q++;
			if (q - p >= 2) {
				dstar = q;
				dstar_end = t;
				star = NULL;	/* settled: the '**' covers it */
			} else {
				star = q;
				star_end = t;
			}
			p = q;
			continue;
		}
		if (t == pathlen) {
			if (*p == '\0')
				return true;
		} else if (*p != '\0' && item_match(&p, (unsigned char)path[t])) {
			t++;
			continue;
		}

		/* Mismatch: the last '*' takes one more byte if it may. */
		if (star != NULL && star_end < pathlen && path[star_end] != '/') {
			p = star;
			t = ++star_end;
			continue;
		}
		if (dstar == NULL || dstar_end >= pathlen)
			return false;
		if (star != NULL) {
			const char *slash;

			slash = memchr(path + dstar_end, '/', pathlen - dstar_end);
			if (slash == NULL)
				return false;
			dstar_end = (size_t)(slash - path) + 1;
		} else
			dstar_end++;
		star = NULL;
		p = dstar;
		t = dstar_end;
	}
}

bool
glob_is_literal(const char *pattern)
{
	/* A backslash counts: the pattern text would differ from its path. */
	return strpbrk(pattern, "*?[\\") == NULL;
}
