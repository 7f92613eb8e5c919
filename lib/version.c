/* SPDX-License-Identifier: MIT */
/* version.c - package version ordering and syntax, as dpkg and rpm define them. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "error.h"
#include "version.h"

/*
 * Both orderings work on spans of the caller's strings: nothing is copied,
 * so a comparison cannot fail and has no length limit. The character
 * classes are ASCII-only on purpose: dpkg (c_isdigit, c_isalpha) and rpm
 * (risdigit, risalpha) ignore the locale, and so must we.
 */
struct span {
	const char *p;
	size_t n;
};

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_alnum(int c)
{
	return is_digit(c) || is_alpha(c);
}

static int
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static int
sign(int v)
{
	return (v > 0) - (v < 0);
}

/* The byte at i, or 0 past the end: the spans behave like C strings. */
static int
at(const struct span *s, size_t i)
{
	return i < s->n ? (unsigned char)s->p[i] : 0;
}

static const char *
span_rchr(struct span s, int c)
{
	while (s.n > 0) {
		if (s.p[s.n - 1] == c)
			return s.p + s.n - 1;
		s.n--;
	}
	return NULL;
}

/* Numeric order of two digit strings of any length: no overflow. */
static int
digits_cmp(struct span a, struct span b)
{
	int r;

	while (a.n > 0 && a.p[0] == '0') {
		a.p++;
		a.n--;
	}
	while (b.n > 0 && b.p[0] == '0') {
		b.p++;
		b.n--;
	}
	if (a.n != b.n)
		return a.n > b.n ? 1 : -1;
	r = a.n > 0 ? memcmp(a.p, b.p, a.n) : 0;
	return sign(r);
}

/* True when s is one or more ASCII digits. */
static int
all_digits(struct span s)
{
	size_t i;

	if (s.n == 0)
		return 0;
	for (i = 0; i < s.n; i++)
		if (!is_digit((unsigned char)s.p[i]))
			return 0;
	return 1;
}

/* True when the digit string s is at most the decimal number max. */
static int
digits_le(struct span s, const char *max)
{
	struct span m = { max, strlen(max) };

	return digits_cmp(s, m) <= 0;
}

/* --- dpkg --- */

/*
 * dpkg's order() from lib/dpkg/version.c. dpkg passes a plain `char`, which
 * is signed on the architectures Debian mostly runs (amd64, i386): a byte
 * >= 0x80 becomes negative and lands at c + 256, between the letters and
 * ASCII punctuation. We fix that order on every architecture so a
 * baseline sorts the same wherever it is read; dpkg rejects such bytes
 * in valid versions anyway.
 */
static int
dpkg_order(int c)
{
	if (is_digit(c))
		return 0;
	if (is_alpha(c))
		return c;
	if (c == '~')
		return -1;
	if (c >= 0x80)
		return c;	/* (signed char)c + 256 on amd64 */
	if (c)
		return c + 256;
	return 0;
}

/* dpkg's verrevcmp(): alternating non-digit and digit runs. */
static int
dpkg_verrevcmp(const struct span *a, const struct span *b)
{
	size_t i = 0, j = 0;

	while (i < a->n || j < b->n) {
		size_t si, sj;
		struct span da, db;
		int r;

		while ((at(a, i) && !is_digit(at(a, i))) ||
		    (at(b, j) && !is_digit(at(b, j)))) {
			int ac = dpkg_order(at(a, i));
			int bc = dpkg_order(at(b, j));

			if (ac != bc)
				return sign(ac - bc);
			i++;
			j++;
		}
		for (si = i; is_digit(at(a, i)); i++)
			;
		for (sj = j; is_digit(at(b, j)); j++)
			;
		da.p = a->p + si;
		da.n = i - si;
		db.p = b->p + sj;
		db.n = j - sj;
		if ((r = digits_cmp(da, db)) != 0)
			return r;
	}
	return 0;
}

struct dpkg_parts {
	struct span epoch;	/* digits; empty means 0 */
	struct span upstream;
	struct span revision;	/* empty when absent */
};

/*
 * Split like dpkg's parseversion(): blanks around the string are ignored,
 * the first ':' ends the epoch, the last '-' starts the revision. Where
 * dpkg would refuse the string (an epoch that is not a number), the whole
 * string is taken as the upstream version so the order stays total; a
 * negative epoch, which dpkg refuses too, orders as its absolute value.
 */
static void
dpkg_split(const char *v, struct dpkg_parts *out)
{
	struct span s = { v ? v : "", 0 };
	const char *colon, *hyphen;

	while (is_blank((unsigned char)*s.p))
		s.p++;
	s.n = strlen(s.p);
	while (s.n > 0 && is_blank((unsigned char)s.p[s.n - 1]))
		s.n--;

	out->epoch.p = s.p;
	out->epoch.n = 0;
	colon = memchr(s.p, ':', s.n);
	if (colon != NULL) {
		struct span e = { s.p, (size_t)(colon - s.p) };

		/* dpkg reads the epoch with strtol(): "+1:" is epoch 1 */
		if (e.n > 0 && (e.p[0] == '+' || e.p[0] == '-')) {
			e.p++;
			e.n--;
		}
		if (all_digits(e)) {
			out->epoch = e;
			s.n -= (size_t)(colon - s.p) + 1;
			s.p = colon + 1;
		}
	}
	hyphen = span_rchr(s, '-');
	out->upstream.p = s.p;
	out->upstream.n = hyphen ? (size_t)(hyphen - s.p) : s.n;
	out->revision.p = hyphen ? hyphen + 1 : s.p + s.n;
	out->revision.n = hyphen ? s.n - out->upstream.n - 1 : 0;
}

/* dpkg_version_is_informative(): anything but an empty version. */
static int
dpkg_informative(const struct dpkg_parts *p)
{
	struct span zero = { "0", 1 };

	return digits_cmp(p->epoch, zero) != 0 || p->upstream.n > 0 ||
	    p->revision.n > 0;
}

int
version_compare_dpkg(const char *a, const char *b)
{
	struct dpkg_parts pa, pb;
	int r;

	dpkg_split(a, &pa);
	dpkg_split(b, &pb);
	/* like dpkg --compare-versions, no version sorts before any version */
	if ((r = dpkg_informative(&pa) - dpkg_informative(&pb)) != 0)
		return r;
	if ((r = digits_cmp(pa.epoch, pb.epoch)) != 0)
		return r;
	if ((r = dpkg_verrevcmp(&pa.upstream, &pb.upstream)) != 0)
		return r;
	return dpkg_verrevcmp(&pa.revision, &pb.revision);
}

static int
chars_in(struct span s, const char *extra)
{
	size_t i;

	for (i = 0; i < s.n; i++) {
		int c = (unsigned char)s.p[i];

		if (!is_alnum(c) && (c == '\0' || strchr(extra, c) == NULL))
			return 0;
	}
	return 1;
}

/*
 * What dpkg --validate-version accepts (its errors and its warnings), but
 * stricter in two places Debian policy is too: no blanks at all (dpkg
 * trims them) and an epoch of digits only (dpkg's strtol takes a sign).
 */
int
version_check_dpkg(const char *v)
{
	struct dpkg_parts p;
	const char *colon;

	if (v == NULL || *v == '\0')
		return DRIFT_EINVAL;
	if (strpbrk(v, " \t\n\v\f\r") != NULL)
		return DRIFT_EINVAL;
	colon = strchr(v, ':');
	if (colon != NULL) {
		struct span e = { v, (size_t)(colon - v) };

		if (!all_digits(e) || !digits_le(e, "2147483647"))
			return DRIFT_EINVAL;
		if (colon[1] == '\0')
			return DRIFT_EINVAL;
	}
	dpkg_split(v, &p);
	if (strchr(v, '-') != NULL && p.revision.n == 0)
		return DRIFT_EINVAL;
	if (p.upstream.n == 0 || !is_digit((unsigned char)p.upstream.p[0]))
		return DRIFT_EINVAL;
	if (!chars_in(p.upstream, ".-+~:") || !chars_in(p.revision, ".+~"))
		return DRIFT_EINVAL;
	return 0;
}

/* --- rpm --- */

/* rpmvercmp() of rpm 4.18 (rpmio/rpmvercmp.c), including '~' and '^'. */
static int
rpm_vercmp(const struct span *a, const struct span *b)
{
	size_t i = 0, j = 0;

	if (a->n == b->n && memcmp(a->p, b->p, a->n) == 0)
		return 0;

	while (i < a->n || j < b->n) {
		size_t si, sj;
		struct span sa, sb;
		int isnum, r;

		while (at(a, i) && !is_alnum(at(a, i)) && at(a, i) != '~' &&
		    at(a, i) != '^')
			i++;
		while (at(b, j) && !is_alnum(at(b, j)) && at(b, j) != '~' &&
		    at(b, j) != '^')
			j++;

		/* '~' sorts before everything, even the end */
		if (at(a, i) == '~' || at(b, j) == '~') {
			if (at(a, i) != '~')
				return 1;
			if (at(b, j) != '~')
				return -1;
			i++;
			j++;
			continue;
		}

		/* '^' sorts after the end but before anything else */
		if (at(a, i) == '^' || at(b, j) == '^') {
			if (!at(a, i))
				return -1;
			if (!at(b, j))
				return 1;
			if (at(a, i) != '^')
				return 1;
			if (at(b, j) != '^')
				return -1;
			i++;
			j++;
			continue;
		}

		if (!at(a, i) || !at(b, j))
			break;

		si = i;
		sj = j;
		isnum = is_digit(at(a, i));
		if (isnum) {
			while (is_digit(at(a, i)))
				i++;
			while (is_digit(at(b, j)))
				j++;
		} else {
			while (is_alpha(at(a, i)))
				i++;
			while (is_alpha(at(b, j)))
				j++;
		}
		/* a number against letters: the number is newer */
		if (j == sj)
			return isnum ? 1 : -1;

		sa.p = a->p + si;
		sa.n = i - si;
		sb.p = b->p + sj;
		sb.n = j - sj;
		if (isnum) {
			if ((r = digits_cmp(sa, sb)) != 0)
				return r;
		} else {
			r = memcmp(sa.p, sb.p, sa.n < sb.n ? sa.n : sb.n);
			if (r == 0 && sa.n != sb.n)
				r = sa.n < sb.n ? -1 : 1;
			if (r != 0)
				return sign(r);
		}
	}

	/* equal segments, different separators */
	if (!at(a, i) && !at(b, j))
		return 0;
	return !at(a, i) ? -1 : 1;
}

struct rpm_parts {
	struct span epoch;	/* "0" when absent */
	struct span version;
	struct span release;
	int has_release;
};

/*
 * Split like rpm's parseEVR() (rpmio/rpmver.c): leading digits and a ':'
 * are the epoch, the last '-' starts the release.
 */
static void
rpm_split(const char *v, struct rpm_parts *out)
{
	struct span s = { v ? v : "", 0 };
	size_t d = 0;
	const char *hyphen;

	s.n = strlen(s.p);
	while (d < s.n && is_digit((unsigned char)s.p[d]))
		d++;
	out->epoch.p = "0";
	out->epoch.n = 1;
	if (d < s.n && s.p[d] == ':') {
		if (d > 0) {
			out->epoch.p = s.p;
			out->epoch.n = d;
		}
		s.p += d + 1;
		s.n -= d + 1;
	}
	hyphen = span_rchr(s, '-');
	out->version.p = s.p;
	out->version.n = hyphen ? (size_t)(hyphen - s.p) : s.n;
	out->has_release = hyphen != NULL;
	out->release.p = hyphen ? hyphen + 1 : s.p + s.n;
	out->release.n = hyphen ? s.n - out->version.n - 1 : 0;
}

/* rpmverCmp(): epoch, version, then release; a release beats none. */
int
version_compare_rpm(const char *a, const char *b)
{
	struct rpm_parts pa, pb;
	int r;

	rpm_split(a, &pa);
	rpm_split(b, &pb);
	if ((r = rpm_vercmp(&pa.epoch, &pb.epoch)) != 0)
		return r;
	if ((r = rpm_vercmp(&pa.version, &pb.version)) != 0)
		return r;
	if (pa.has_release != pb.has_release)
		return pa.has_release ? 1 : -1;
	return rpm_vercmp(&pa.release, &pb.release);
}

int
version_compare(const char *manager, const char *a, const char *b)
{
	if (manager != NULL && strcmp(manager, "rpm") == 0)
		return version_compare_rpm(a, b);
	return version_compare_dpkg(a, b);
}

/* rpmbuild's rpmCharCheck() with ALLOWED_CHARS_VERREL, plus non-empty. */
static int
rpm_field_ok(struct span s)
{
	size_t i;

	if (s.n == 0 || !chars_in(s, "._+%{}~^"))
		return 0;
	for (i = 0; i + 1 < s.n; i++)
		if (s.p[i] == '.' && s.p[i + 1] == '.')
			return 0;
	return 1;
}

/*
 * "[epoch:]version[-release]" as rpmbuild would have produced it: an epoch
 * of digits that fits rpm's 32-bit tag, a version and (after a '-') a
 * release made of the characters rpmbuild allows.
 */
int
version_check_rpm(const char *v)
{
	struct rpm_parts p;
	const char *colon;

	if (v == NULL || *v == '\0')
		return DRIFT_EINVAL;
	colon = strchr(v, ':');
	if (colon != NULL) {
		struct span e = { v, (size_t)(colon - v) };

		if (!all_digits(e) || !digits_le(e, "4294967295"))
			return DRIFT_EINVAL;
	}
	rpm_split(v, &p);
	if (!rpm_field_ok(p.version))
		return DRIFT_EINVAL;
	if (p.has_release && !rpm_field_ok(p.release))
		return DRIFT_EINVAL;
	return 0;
}
