/* SPDX-License-Identifier: MIT */
/* check_textdiff.c - unified diffs, checked by applying them with patch(1) and against GNU diff. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "textdiff.h"

#define BIG (1U << 28)

/* --- helpers --------------------------------------------------------- */

struct tmp {
	char dir[64];
	char a[96], b[96], diff[96], out[96], log[96], gnu[96];
};

static void
tmp_init(struct tmp *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/drift-textdiff-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(t->dir));
	snprintf(t->a, sizeof(t->a), "%s/A", t->dir);
	snprintf(t->b, sizeof(t->b), "%s/B", t->dir);
	snprintf(t->diff, sizeof(t->diff), "%s/DIFF", t->dir);
	snprintf(t->out, sizeof(t->out), "%s/OUT", t->dir);
	snprintf(t->log, sizeof(t->log), "%s/LOG", t->dir);
	snprintf(t->gnu, sizeof(t->gnu), "%s/GNU", t->dir);
}

static void
tmp_cleanup(struct tmp *t)
{
	char path[512];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(t->dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", t->dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(t->dir);
}

static void
write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	while (len > 0) {
		n = write(fd, data, len);
		ck_assert_int_gt(n, 0);
		data += n;
		len -= (size_t)n;
	}
	ck_assert_int_eq(close(fd), 0);
}

static void
read_file(const char *path, struct buf *b)
{
	int fd = open(path, O_RDONLY);

	ck_assert_msg(fd >= 0, "cannot open '%s'", path);
	buf_init(b, BIG);
	ck_assert_int_eq(buf_read_fd(b, fd), 0);
	close(fd);
}

/* Run argv with stdin from /dev/null, stdout and stderr to outpath; the exit status. */
static int
run(const char *const argv[], const char *outpath)
{
	pid_t pid;
	int status, fd;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if ((fd = open("/dev/null", O_RDONLY)) < 0 || dup2(fd, 0) < 0)
			_exit(126);
		if ((fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 ||
		    dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status), "'%s' died", argv[0]);
	return WEXITSTATUS(status);
}

static bool
same(const char *x, size_t xlen, const char *y, size_t ylen)
{
	return xlen == ylen && (xlen == 0 || memcmp(x, y, xlen) == 0);
}

/*
 * Diff a -> b, apply the diff to a with the real patch(1), and require
 * exactly b back. No fuzz and no offsets allowed: the hunk headers and
 * context must be right, not merely close enough for patch.
 */
static void
check_patch(struct tmp *t, const char *a, size_t alen, const char *b, size_t blen,
    unsigned ctx, unsigned long long budget, struct buf *d, const char *what)
{
	const char *argv[] = { "patch", "-f", "-F0", "-o", t->out, t->a, t->diff, NULL };
	struct buf out, log;
	int r;

	buf_init(d, BIG);
	r = textdiff_unified_budget(d, "a", a, alen, "b", b, blen, ctx, budget);
	ck_assert_msg(r == 0, "%s: textdiff returned %d", what, r);
	if (same(a, alen, b, blen)) {
		ck_assert_msg(d->len == 0, "%s: identical texts gave a diff", what);
		return;
	}
	ck_assert_msg(d->len > 0, "%s: different texts gave no diff", what);
	write_file(t->a, a, alen);
	write_file(t->diff, d->data, d->len);
	unlink(t->out);
	r = run(argv, t->log);
	read_file(t->log, &log);
	ck_assert_msg(r == 0, "%s: patch failed (%d): %s", what, r, log.data ? log.data : "");
	ck_assert_msg(log.data == NULL || strstr(log.data, "Hunk") == NULL,
	    "%s: patch needed help: %s", what, log.data);
	buf_release(&log);
	read_file(t->out, &out);
	ck_assert_msg(same(out.data, out.len, b, blen),
	    "%s: patched text differs from the new text (%zu vs %zu bytes)", what, out.len, blen);
	buf_release(&out);
}

/* Run GNU diff on a and b into t->gnu; returns its output. */
static void
gnu_diff(struct tmp *t, const char *opt, const char *a, size_t alen, const char *b,
    size_t blen, struct buf *gnu)
{
	const char *argv[] = { "diff", opt, "--label", "a", "--label", "b", t->a, t->b, NULL };
	int r;

	write_file(t->a, a, alen);
	write_file(t->b, b, blen);
	r = run(argv, t->gnu);
	ck_assert_msg(r == 0 || r == 1, "diff failed (%d)", r);
	read_file(t->gnu, gnu);
}

/* Lines removed and added by a unified diff (its two header lines skipped). */
static void
count_edits(const struct buf *d, unsigned *del, unsigned *add)
{
	size_t i, line = 0;
	bool bol = true;

	*del = *add = 0;
	for (i = 0; i < d->len; i++) {
		if (bol && line >= 2) {
			if (d->data[i] == '-')
				(*del)++;
			else if (d->data[i] == '+')
				(*add)++;
		}
		bol = d->data[i] == '\n';
		if (bol)
			line++;
	}
}

static uint64_t
rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static unsigned
rndn(uint64_t *s, unsigned n)
{
	return (unsigned)(rnd(s) % n);
}

static void
add(struct buf *b, const char *s)
{
	ck_assert_int_eq(buf_addstr(b, s), 0);
}

/* Few distinct lines, so the texts share many lines in many ways. */
static const char *const words[] = {
	"a", "b", "c", "", "d", "  indented", "key = value", "}", "{", "e",
};

static void
random_lines(struct buf *t, uint64_t *s, unsigned n, unsigned alphabet)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		add(t, words[rndn(s, alphabet)]);
		add(t, "\n");
	}
}

static void
toggle_final_newline(struct buf *t, uint64_t *s)
{
	if (t->len == 0 || rndn(s, 4) != 0)
		return;
	if (t->data[t->len - 1] == '\n')
		t->data[--t->len] = '\0';
	else
		add(t, "\n");
}

/* b from a: lines deleted, replaced and inserted at random. */
static void
mutate(struct buf *b, const char *a, size_t alen, uint64_t *s, unsigned alphabet,
    unsigned rate)
{
	size_t pos = 0, end;
	const char *nl;
	unsigned k;

	while (pos < alen) {
		nl = memchr(a + pos, '\n', alen - pos);
		end = nl != NULL ? (size_t)(nl - a) + 1 : alen;
		k = rndn(s, rate);
		if (k == 1 || k == 2)	/* replaced, or inserted before */
			random_lines(b, s, 1 + rndn(s, 3), alphabet);
		if (k >= 2)		/* kept (k == 0: deleted) */
			ck_assert_int_eq(buf_add(b, a + pos, end - pos), 0);
		pos = end;
	}
	if (rndn(s, 3) == 0)
		random_lines(b, s, rndn(s, 4), alphabet);
	if (b->data == NULL)
		add(b, "");
}

/* --- hand-checked cases ---------------------------------------------- */

static const struct hand {
	const char *name, *a, *b;
	unsigned ctx;
	const char *want;
} hand[] = {
	{ "one changed line", "a\nb\nc\n", "a\nB\nc\n", 3,
	  "--- a\n+++ b\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n" },
	{ "add at start", "x\ny\n", "new\nx\ny\n", 3,
	  "--- a\n+++ b\n@@ -1,2 +1,3 @@\n+new\n x\n y\n" },
	{ "add at end", "x\ny\n", "x\ny\nz\n", 3,
	  "--- a\n+++ b\n@@ -1,2 +1,3 @@\n x\n y\n+z\n" },
	{ "old has no final newline", "x\ny", "x\ny\n", 3,
	  "--- a\n+++ b\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+y\n" },
	{ "new has no final newline", "x\ny\n", "x\ny", 3,
	  "--- a\n+++ b\n@@ -1,2 +1,2 @@\n x\n-y\n+y\n\\ No newline at end of file\n" },
	{ "neither has a final newline", "x\ny", "x\nz", 3,
	  "--- a\n+++ b\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n"
	  "+z\n\\ No newline at end of file\n" },
	{ "empty to content", "", "a\nb\n", 3,
	  "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+a\n+b\n" },
	{ "content to empty", "a\nb\n", "", 3,
	  "--- a\n+++ b\n@@ -1,2 +0,0 @@\n-a\n-b\n" },
	{ "empty to a line without newline", "", "a", 3,
	  "--- a\n+++ b\n@@ -0,0 +1 @@\n+a\n\\ No newline at end of file\n" },
	{ "one line each", "a\n", "b\n", 3,
	  "--- a\n+++ b\n@@ -1 +1 @@\n-a\n+b\n" },
	{ "two hunks without context", "1\n2\n3\n4\n5\n", "X\n2\n3\n4\nY\n", 0,
	  "--- a\n+++ b\n@@ -1 +1 @@\n-1\n+X\n@@ -5 +5 @@\n-5\n+Y\n" },
	{ "insert without context", "1\n2\n", "1\nnew\n2\n", 0,
	  "--- a\n+++ b\n@@ -1,0 +2 @@\n+new\n" },
	{ "delete without context", "1\n2\n3\n", "1\n3\n", 0,
	  "--- a\n+++ b\n@@ -2 +1,0 @@\n-2\n" },
	{ "changes 2*context apart share a hunk",
	  "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n",
	  "1\n2\nX\n4\n5\n6\n7\n8\n9\nY\n11\n12\n13\n14\n", 3,
	  "--- a\n+++ b\n@@ -1,13 +1,13 @@\n 1\n 2\n-3\n+X\n 4\n 5\n 6\n 7\n 8\n 9\n"
	  "-10\n+Y\n 11\n 12\n 13\n" },
	{ "changes 2*context+1 apart do not",
	  "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n",
	  "1\n2\nX\n4\n5\n6\n7\n8\n9\n10\nY\n12\n13\n14\n15\n", 3,
	  "--- a\n+++ b\n@@ -1,6 +1,6 @@\n 1\n 2\n-3\n+X\n 4\n 5\n 6\n"
	  "@@ -8,7 +8,7 @@\n 8\n 9\n 10\n-11\n+Y\n 12\n 13\n 14\n" },
	{ "replacement of several lines", "k\nold1\nold2\nm\n", "k\nnew1\nnew2\nnew3\nm\n", 1,
	  "--- a\n+++ b\n@@ -1,4 +1,5 @@\n k\n-old1\n-old2\n+new1\n+new2\n+new3\n m\n" },
};

START_TEST(test_hand_cases)
{
	const struct hand *h = &hand[_i];
	struct buf out = BUF_INIT(1 << 20);

	ck_assert_int_eq(textdiff_unified(&out, "a", h->a, strlen(h->a), "b", h->b,
	    strlen(h->b), h->ctx), 0);
	ck_assert_msg(out.data != NULL && strcmp(out.data, h->want) == 0,
	    "%s: got\n%s\nwanted\n%s", h->name, out.data ? out.data : "(nothing)", h->want);
	buf_release(&out);
}
END_TEST

/* The hand-checked answers are also what GNU diff -u prints. */
START_TEST(test_hand_cases_match_gnu)
{
	const struct hand *h = &hand[_i];
	struct buf gnu;
	struct tmp t;
	char opt[16];

	tmp_init(&t);
	snprintf(opt, sizeof(opt), "-U%u", h->ctx);
	gnu_diff(&t, opt, h->a, strlen(h->a), h->b, strlen(h->b), &gnu);
	ck_assert_msg(gnu.data != NULL && strcmp(gnu.data, h->want) == 0,
	    "%s: GNU diff printed\n%s", h->name, gnu.data ? gnu.data : "(nothing)");
	buf_release(&gnu);
	tmp_cleanup(&t);
}
END_TEST

START_TEST(test_identical_appends_nothing)
{
	struct buf out = BUF_INIT(1024);

	add(&out, "before");
	ck_assert_int_eq(textdiff_unified(&out, "a", "x\ny", 3, "b", "x\ny", 3, 3), 0);
	ck_assert_int_eq(textdiff_unified(&out, "a", NULL, 0, "b", "", 0, 3), 0);
	ck_assert_int_eq(textdiff_unified(&out, "a", "p\0q", 3, "b", "p\0q", 3, 3), 0);
	ck_assert_str_eq(out.data, "before");
	buf_release(&out);
}
END_TEST

START_TEST(test_binary)
{
	struct buf out = BUF_INIT(1024), gnu;
	struct tmp t;

	ck_assert_int_eq(textdiff_unified(&out, "L1", "a\0b", 3, "L2", "a\0c", 3, 3), 0);
	ck_assert_str_eq(out.data, "Binary files L1 and L2 differ\n");
	buf_reset(&out);
	ck_assert_int_eq(textdiff_unified(&out, "L1", "text\n", 5, "L2", "te\0t\n", 5, 3), 0);
	ck_assert_str_eq(out.data, "Binary files L1 and L2 differ\n");
	buf_reset(&out);
	ck_assert_int_eq(textdiff_unified(&out, "a", "a\0b", 3, "b", "a\0c", 3, 3), 0);
	tmp_init(&t);
	gnu_diff(&t, "-u", "a\0b", 3, "a\0c", 3, &gnu);
	ck_assert_str_eq(out.data, gnu.data);
	buf_release(&gnu);
	tmp_cleanup(&t);
	buf_release(&out);
}
END_TEST

/* Out of room: DRIFT_ETOOBIG and the buffer exactly as it was. */
START_TEST(test_out_limit)
{
	struct buf full = BUF_INIT(1 << 20), out;
	const char *a = "one\ntwo\nthree\nfour\nfive\nsix\n";
	const char *b = "one\n2\nthree\nfour\nfive\nsix\nseven\n";

	ck_assert_int_eq(textdiff_unified(&full, "a", a, strlen(a), "b", b, strlen(b), 3), 0);
	ck_assert_uint_gt(full.len, 0);

	buf_init(&out, 4 + full.len - 1);
	add(&out, "keep");
	ck_assert_int_eq(textdiff_unified(&out, "a", a, strlen(a), "b", b, strlen(b), 3),
	    DRIFT_ETOOBIG);
	ck_assert_uint_eq(out.len, 4);
	ck_assert_str_eq(out.data, "keep");
	out.max = 4 + strlen("Binary files a and b differ\n") - 1;
	ck_assert_int_eq(textdiff_unified(&out, "a", "x\0", 2, "b", "y\0", 2, 3), DRIFT_ETOOBIG);
	ck_assert_str_eq(out.data, "keep");
	out.max = 4 + full.len;
	ck_assert_int_eq(textdiff_unified(&out, "a", a, strlen(a), "b", b, strlen(b), 3), 0);
	ck_assert_str_eq(out.data + 4, full.data);
	buf_release(&out);
	buf_release(&full);
}
END_TEST

/* Budget 0 searches nothing: the middle block is replaced, correctly. */
START_TEST(test_budget_zero_replaces_middle)
{
	struct buf out = BUF_INIT(1024);
	const char *a = "a\nb\nc\nd\n", *b = "a\nc\nb\nd\n";

	ck_assert_int_eq(textdiff_unified_budget(&out, "a", a, strlen(a), "b", b, strlen(b),
	    3, 0), 0);
	ck_assert_str_eq(out.data, "--- a\n+++ b\n@@ -1,4 +1,4 @@\n a\n-b\n-c\n+c\n+b\n d\n");
	buf_reset(&out);
	ck_assert_int_eq(textdiff_unified(&out, "a", a, strlen(a), "b", b, strlen(b), 3), 0);
	ck_assert_str_eq(out.data, "--- a\n+++ b\n@@ -1,4 +1,4 @@\n a\n-b\n c\n+b\n d\n");
	buf_release(&out);
}
END_TEST

START_TEST(test_null_and_huge_context)
{
	struct buf out = BUF_INIT(1024), gnu;
	const char *a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n", *b = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
	struct tmp t;

	ck_assert_int_eq(textdiff_unified(&out, "a", NULL, 0, "b", "x\n", 2, 3), 0);
	ck_assert_str_eq(out.data, "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n");
	buf_reset(&out);
	ck_assert_int_eq(textdiff_unified(&out, "a", a, strlen(a), "b", b, strlen(b),
	    UINT_MAX), 0);
	tmp_init(&t);
	gnu_diff(&t, "-U1000000", a, strlen(a), b, strlen(b), &gnu);
	ck_assert_str_eq(out.data, gnu.data);
	buf_release(&gnu);
	tmp_cleanup(&t);
	buf_release(&out);
}
END_TEST

/* --- properties on random texts -------------------------------------- */

/*
 * Random pairs over a small alphabet of lines. Each diff must turn a into
 * b under patch(1), with the default budget and with budgets so small the
 * search gives up early; and with the default budget it must be minimal:
 * as many lines removed and added as GNU diff --minimal finds.
 */
START_TEST(test_random_pairs)
{
	static const unsigned long long budgets[] = { 0, 1, 5, 40, 300 };
	uint64_t s = 0x9e3779b97f4a7c15ULL * (uint64_t)(_i + 1);
	struct buf a = BUF_INIT(BIG), b = BUF_INIT(BIG), d, gnu;
	unsigned alphabet = 2 + rndn(&s, 9), ctx = rndn(&s, 5), del, ins, gdel, gins;
	unsigned long long budget = budgets[rndn(&s, 5)];
	struct tmp t;
	char what[128];

	random_lines(&a, &s, rndn(&s, 2 + (unsigned)_i % 60), alphabet);
	toggle_final_newline(&a, &s);
	if (rndn(&s, 5) == 0)
		random_lines(&b, &s, rndn(&s, 2 + (unsigned)_i % 60), alphabet);
	else
		mutate(&b, a.data ? a.data : "", a.len, &s, alphabet, 3 + rndn(&s, 10));
	toggle_final_newline(&b, &s);

	tmp_init(&t);
	snprintf(what, sizeof(what), "pair %d (context %u)", _i, ctx);
	check_patch(&t, a.data, a.len, b.data, b.len, ctx, TEXTDIFF_DEFAULT_BUDGET, &d, what);
	if (d.len > 0) {
		count_edits(&d, &del, &ins);
		gnu_diff(&t, "-dU0", a.data, a.len, b.data, b.len, &gnu);
		count_edits(&gnu, &gdel, &gins);
		ck_assert_msg(del == gdel && ins == gins,
		    "%s: -%u +%u, GNU diff --minimal: -%u +%u", what, del, ins, gdel, gins);
		buf_release(&gnu);
	}
	buf_release(&d);

	snprintf(what, sizeof(what), "pair %d (context %u, budget %llu)", _i, ctx, budget);
	check_patch(&t, a.data, a.len, b.data, b.len, ctx, budget, &d, what);
	buf_release(&d);
	tmp_cleanup(&t);
	buf_release(&a);
	buf_release(&b);
}
END_TEST

/*
 * Pairs whose minimal diff is unambiguous: every line of a is distinct,
 * and b keeps some of them in order among lines a does not have. Then
 * the output must be GNU diff -u's, byte for byte.
 */
START_TEST(test_matches_gnu_diff)
{
	static const unsigned contexts[] = { 0, 1, 2, 3, 5, 10 };
	uint64_t s = 0x2545f4914f6cdd1dULL * (uint64_t)(_i + 1);
	struct buf a = BUF_INIT(BIG), b = BUF_INIT(BIG), out = BUF_INIT(BIG), gnu;
	unsigned n = rndn(&s, 80), i, fresh = 0, ctx = contexts[rndn(&s, 6)];
	char line[64], opt[16];
	struct tmp t;

	for (i = 0; i < n; i++) {
		unsigned k = rndn(&s, 10);

		if (k == 0 || k == 1) {
			snprintf(line, sizeof(line), "new %u\n", fresh++);
			add(&b, line);
		}
		snprintf(line, sizeof(line), "line %u\n", i);
		add(&a, line);
		if (k == 1 || k == 2)
			continue;	/* deleted or replaced */
		if (k == 3) {
			snprintf(line, sizeof(line), "new %u\n", fresh++);
			add(&b, line);
			continue;
		}
		snprintf(line, sizeof(line), "line %u\n", i);
		add(&b, line);
	}
	if (rndn(&s, 3) == 0) {
		snprintf(line, sizeof(line), "new %u\n", fresh++);
		add(&b, line);
	}
	if (a.len > 0 && rndn(&s, 3) == 0)
		a.data[--a.len] = '\0';
	if (b.len > 0 && rndn(&s, 3) == 0)
		b.data[--b.len] = '\0';

	ck_assert_int_eq(textdiff_unified(&out, "a", a.data, a.len, "b", b.data, b.len, ctx), 0);
	tmp_init(&t);
	snprintf(opt, sizeof(opt), "-U%u", ctx);
	gnu_diff(&t, opt, a.data, a.len, b.data, b.len, &gnu);
	ck_assert_msg(same(out.data, out.len, gnu.data, gnu.len),
	    "case %d (context %u): ours\n%s\nGNU diff\n%s", _i, ctx,
	    out.data ? out.data : "", gnu.data ? gnu.data : "");
	buf_release(&gnu);
	tmp_cleanup(&t);
	buf_release(&a);
	buf_release(&b);
	buf_release(&out);
}
END_TEST

/* --- hostile inputs: bounded time, still correct --------------------- */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Time one diff (the patch check is untimed). The bounded search takes
 * about 1 s here, under 2 s with sanitizers; without the budget it takes
 * 20 s or more even with the per-split cost cap, hours with neither.
 */
static void
check_hostile(const struct buf *a, const struct buf *b, struct buf *d, const char *what)
{
	struct tmp t;
	double t0, spent;
	struct buf probe = BUF_INIT(BIG);

	t0 = now();
	ck_assert_int_eq(textdiff_unified(&probe, "a", a->data, a->len, "b", b->data, b->len, 3), 0);
	spent = now() - t0;
	ck_assert_msg(spent < 10.0, "%s: took %.1f s", what, spent);
	buf_release(&probe);

	tmp_init(&t);
	check_patch(&t, a->data, a->len, b->data, b->len, 3, TEXTDIFF_DEFAULT_BUDGET, d, what);
	tmp_cleanup(&t);
}

START_TEST(test_hostile_no_common_line)
{
	struct buf a = BUF_INIT(BIG), b = BUF_INIT(BIG), d;
	char line[32];
	unsigned i, del, ins, n = 0;

	for (i = 0; a.len < (4U << 20); i++, n++) {
		snprintf(line, sizeof(line), "old %09u\n", i);
		add(&a, line);
		snprintf(line, sizeof(line), "new %09u\n", i);
		add(&b, line);
	}
	check_hostile(&a, &b, &d, "4 MiB without a common line");
	count_edits(&d, &del, &ins);
	ck_assert_uint_eq(del, n);
	ck_assert_uint_eq(ins, n);
	buf_release(&d);
	buf_release(&a);
	buf_release(&b);
}
END_TEST

START_TEST(test_hostile_million_tiny_lines)
{
	uint64_t s = 42;
	struct buf a = BUF_INIT(BIG), b = BUF_INIT(BIG), d;

	/* Two unrelated texts of a million 2-byte lines: D is in the 100,000s. */
	random_lines(&a, &s, 1000000, 3);
	random_lines(&b, &s, 1000000, 3);
	check_hostile(&a, &b, &d, "a million tiny unrelated lines");
	buf_release(&d);
	buf_release(&b);

	/* The same text with many small edits. */
	buf_init(&b, BIG);
	mutate(&b, a.data, a.len, &s, 3, 8);
	check_hostile(&a, &b, &d, "a million tiny lines, edited");
	buf_release(&d);
	buf_release(&a);
	buf_release(&b);
}
END_TEST

Suite *make_textdiff_suite(void);

Suite *
make_textdiff_suite(void)
{
	Suite *s = suite_create("textdiff");
	TCase *tc = tcase_create("core");
	TCase *rnd_tc = tcase_create("random");
	TCase *hostile = tcase_create("hostile");
	int nhand = (int)(sizeof(hand) / sizeof(hand[0]));

	tcase_add_loop_test(tc, test_hand_cases, 0, nhand);
	tcase_add_loop_test(tc, test_hand_cases_match_gnu, 0, nhand);
	tcase_add_test(tc, test_identical_appends_nothing);
	tcase_add_test(tc, test_binary);
	tcase_add_test(tc, test_out_limit);
	tcase_add_test(tc, test_budget_zero_replaces_middle);
	tcase_add_test(tc, test_null_and_huge_context);
	suite_add_tcase(s, tc);

	tcase_add_loop_test(rnd_tc, test_random_pairs, 0, 400);
	tcase_add_loop_test(rnd_tc, test_matches_gnu_diff, 0, 150);
	suite_add_tcase(s, rnd_tc);

	tcase_set_timeout(hostile, 300);
	tcase_add_test(hostile, test_hostile_no_common_line);
	tcase_add_test(hostile, test_hostile_million_tiny_lines);
	suite_add_tcase(s, hostile);
	return s;
}
