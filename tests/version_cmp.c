/* SPDX-License-Identifier: MIT */
/* version_cmp.c - test helper: drift's version answers, for comparison with dpkg and rpm. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"

/*
 *   version_cmp MANAGER A B          print -1, 0 or 1
 *   version_cmp check MANAGER V      print "valid" or "invalid"
 *   version_cmp gen MANAGER N SEED   print N pseudo-random pairs "A B"
 *
 * gen is deterministic for a seed (its own generator, not rand()), so a
 * mismatch found by the oracle test can be reproduced anywhere.
 */

static unsigned long long rng_state;

static unsigned
rng(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng_state >> 33) % n);
}

static void
gen_run(char *out, size_t *len, const char *alphabet, unsigned maxlen)
{
	size_t na = strlen(alphabet);
	unsigned i, n = 1 + rng(maxlen);

	for (i = 0; i < n; i++)
		out[(*len)++] = alphabet[rng((unsigned)na)];
}

/* [epoch:]upstream[-revision], biased towards the interesting characters. */
static void
gen_version(char *out, int rpm)
{
	const char *body = rpm ? "0011299azAZ..+_~~^^" : "0011299azAZ..+-~~";
	const char *rev = rpm ? "0129az.+~^" : "0129az.+~";
	size_t len = 0;

	if (rng(4) == 0) {
		gen_run(out, &len, "0012", 2);
		out[len++] = ':';
	}
	out[len++] = "0123456789"[rng(10)];
	if (rng(5) != 0)
		gen_run(out, &len, body, 7);
	if (rng(2) == 0) {
		out[len++] = '-';
		gen_run(out, &len, rev, 4);
	}
	out[len] = '\0';
}

/* b is a near neighbour of a most of the time: that is where orders differ. */
static void
gen_mutate(char *b, const char *a, int rpm)
{
	const char *alphabet = rpm ? "019az.+~^-:_" : "019az.+~-:";
	size_t n = strlen(a), pos;
	unsigned c = (unsigned)strlen(alphabet);

	strcpy(b, a);
	pos = rng((unsigned)n + 1);
	switch (rng(5)) {
	case 0:	/* replace */
		if (pos < n)
			b[pos] = alphabet[rng(c)];
		break;
	case 1:	/* insert */
		memmove(b + pos + 1, b + pos, n - pos + 1);
		b[pos] = alphabet[rng(c)];
		break;
	case 2:	/* delete */
		if (pos < n && n > 1)
			memmove(b + pos, b + pos + 1, n - pos);
		break;
	case 3:	/* a dangling separator: "1:", "1.0-" */
		b[n] = ":-."[rng(3)];
		b[n + 1] = '\0';
		break;
	default:	/* a leading one: ":1", "-1", "+1:0" */
		memmove(b + 1, b, n + 1);
		b[0] = ":-+~"[rng(4)];
		break;
	}
}

static int
usage(void)
{
	fprintf(stderr, "usage: version_cmp MANAGER A B\n"
	    "       version_cmp check MANAGER VERSION\n"
	    "       version_cmp gen MANAGER COUNT SEED\n");
	return 2;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "check") == 0) {
		int r = strcmp(argv[2], "rpm") == 0 ?
		    version_check_rpm(argv[3]) : version_check_dpkg(argv[3]);

		puts(r == 0 ? "valid" : "invalid");
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "gen") == 0) {
		int rpm = strcmp(argv[2], "rpm") == 0;
		long i, count = strtol(argv[3], NULL, 10);
		char a[64], b[64];

		rng_state = strtoull(argv[4], NULL, 10);
		for (i = 0; i < count; i++) {
			gen_version(a, rpm);
			if (rng(4) == 0)
				gen_version(b, rpm);
			else
				gen_mutate(b, a, rpm);
			printf("%s %s\n", a, b);
		}
		return 0;
	}
	if (argc == 4) {
		int r = version_compare(argv[1], argv[2], argv[3]);

		printf("%d\n", (r > 0) - (r < 0));
		return 0;
	}
	return usage();
}
