/* SPDX-License-Identifier: MIT */
/* check_spool.c - the agent's spool (order, bound, refused/, symlinks) and the collector answer parser. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent_config.h"
#include "error.h"
#include "send.h"
#include "spool.h"

Suite *make_spool_suite(void);

/* ------------------------------------------------------------- helpers */

struct logcap {
	size_t n;
	char all[8192];
};

static void
capture(void *ctx, const char *msg)
{
	struct logcap *l = ctx;
	size_t len = strlen(l->all);

	l->n++;
	snprintf(l->all + len, sizeof(l->all) - len, "%s\n", msg);
}

struct payload {
	const char *data;
	size_t len;
	bool fail;	/* write half, then report an error */
};

static int
write_payload(void *ctx, const char *path, struct drift_error *err)
{
	struct payload *p = ctx;
	size_t len = p->fail ? p->len / 2 : p->len;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return drift_error_errno(err, errno, "cannot create '%s'", path);
	if (write(fd, p->data, len) != (ssize_t)len) {
		close(fd);
		return drift_error_errno(err, errno, "cannot write '%s'", path);
	}
	close(fd);
	if (p->fail)
		return drift_error_set(err, DRIFT_EIO, "the writer failed on purpose");
	return 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
rm_rf(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
make_tmpdir(char dir[static 64])
{
	strcpy(dir, "/tmp/drift-spool-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Add a bundle of `len` bytes of `fill` taken at t; returns its name (free it). */
static char *
add(struct spool *sp, int64_t t, size_t len, char fill)
{
	struct drift_error err = { 0 };
	struct payload p;
	char *data = malloc(len + 1), *name = NULL;

	ck_assert_ptr_nonnull(data);
	memset(data, fill, len);
	p.data = data;
	p.len = len;
	p.fail = false;
	ck_assert_msg(spool_add(sp, t, write_payload, &p, &name, &err) == 0, "spool_add: %s",
	    drift_error_message(&err));
	free(data);
	ck_assert_ptr_nonnull(name);
	ck_assert(spool_name_valid(name));
	return name;
}

/* The taken_at encoded at the front of a bundle name. */
static int64_t
name_time(const char *name)
{
	return strtoll(name, NULL, 10);
}

static size_t
count_dir(const char *dir)
{
	char cmd[256];
	FILE *f;
	size_t n = 0;
	int c;

	/* an independent view of the directory: ls, not the code under test */
	snprintf(cmd, sizeof(cmd), "ls -A '%s'", dir);
	ck_assert_ptr_nonnull(f = popen(cmd, "r"));
	while ((c = fgetc(f)) != EOF)
		if (c == '\n')
			n++;
	pclose(f);
	return n;
}

/* --------------------------------------------------------------- tests */

static const struct {
	const char *name;
	bool valid;
} names[] = {
	{ "00000000000000000001-0123abcd.drift", true },
	{ "09223372036854775807-ffffffff.drift", true },
	{ "0000000000000000001-0123abcd.drift", false },	/* 19 digits */
	{ "00000000000000000001-0123ABCD.drift", false },	/* upper-case hex */
	{ "00000000000000000001-0123abc.drift", false },
	{ "00000000000000000001_0123abcd.drift", false },
	{ "00000000000000000001-0123abcd.drift.tmp.12", false },
	{ ".tmp-00000000000000000001-0123abcd.drift", false },
	{ "00000000000000000001-0123abcd.drif", false },
	{ "../0000000000000000001-0123abcd.drift", false },
	{ "", false },
	{ "refused", false },
};

START_TEST(test_spool_name_valid)
{
	ck_assert_msg(spool_name_valid(names[_i].name) == names[_i].valid, "'%s'", names[_i].name);
}
END_TEST

START_TEST(test_spool_order)
{
	static const int64_t times[] = {
		3000000000LL, 10, 9, 1700000000123456789LL, 1000000000000000000LL, 0,
	};
	struct drift_error err = { 0 };
	struct strlist l = { 0 };
	struct spool *sp = NULL;
	char dir[64], sub[96], *name;
	struct stat st;
	uint64_t size;
	size_t i;
	int fd;

	make_tmpdir(dir);
	snprintf(sub, sizeof(sub), "%s/a/b/spool", dir);
	ck_assert_int_eq(spool_open(&sp, sub, 1 << 20, NULL, NULL, &err), 0);
	ck_assert_int_eq(stat(sub, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0700);
	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		name = add(sp, times[i], 10 + i, (char)('a' + i));
		ck_assert_int_eq(name_time(name), times[i]);
		free(name);
	}
	ck_assert_int_eq(spool_list(sp, &l, &err), 0);
	ck_assert_uint_eq(l.n, 6);
	/* oldest first, whatever order they were added in */
	ck_assert_int_eq(name_time(l.v[0]), 0);
	ck_assert_int_eq(name_time(l.v[1]), 9);
	ck_assert_int_eq(name_time(l.v[2]), 10);
	ck_assert_int_eq(name_time(l.v[3]), 3000000000LL);
	ck_assert_int_eq(name_time(l.v[4]), 1000000000000000000LL);
	ck_assert_int_eq(name_time(l.v[5]), 1700000000123456789LL);
	/* the bytes written are the bytes read back */
	ck_assert_int_eq(spool_open_bundle(sp, l.v[3], &fd, &size, &err), 0);
	ck_assert_uint_eq(size, 10);
	{
		char b[16] = { 0 };

		ck_assert_int_eq(read(fd, b, sizeof(b)), 10);
		ck_assert_str_eq(b, "aaaaaaaaaa");
	}
	close(fd);
	ck_assert_int_eq(spool_remove(sp, l.v[3], &err), 0);
	ck_assert_int_eq(spool_remove(sp, l.v[3], &err), DRIFT_ENOTFOUND);
	ck_assert_int_eq(spool_open_bundle(sp, l.v[3], &fd, &size, &err), DRIFT_ENOTFOUND);
	ck_assert_int_eq(spool_remove(sp, "../x", &err), DRIFT_EINVAL);
	strlist_clear(&l);
	ck_assert_int_eq(spool_list(sp, &l, &err), 0);
	ck_assert_uint_eq(l.n, 5);
	ck_assert_uint_eq(count_dir(sub), 5);
	strlist_clear(&l);
	spool_free(sp);
	rm_rf(dir);
}
END_TEST

START_TEST(test_spool_max_drops_oldest)
{
	struct drift_error err = { 0 };
	struct logcap log = { 0 };
	struct strlist l = { 0 };
	struct spool *sp = NULL;
	struct payload big = { NULL, 0, false };
	char dir[64], *n1, *n2, *n3, *n4, *data, *name = NULL;

	make_tmpdir(dir);
	ck_assert_int_eq(spool_open(&sp, dir, 250, capture, &log, &err), 0);
	n1 = add(sp, 100, 100, 'x');
	n2 = add(sp, 200, 100, 'y');
	ck_assert_uint_eq(log.n, 0);
	/* 300 bytes would pass 250: the oldest goes, with a line saying so */
	n3 = add(sp, 300, 100, 'z');
	ck_assert_uint_eq(log.n, 1);
	ck_assert_ptr_nonnull(strstr(log.all, "dropped the oldest bundle"));
	ck_assert_ptr_nonnull(strstr(log.all, n1));
	ck_assert_int_eq(spool_list(sp, &l, &err), 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.v[0], n2);
	ck_assert_str_eq(l.v[1], n3);
	strlist_clear(&l);
	/* a 240-byte bundle needs both older ones gone */
	n4 = add(sp, 400, 240, 'w');
	ck_assert_uint_eq(log.n, 3);
	ck_assert_ptr_nonnull(strstr(log.all, n2));
	ck_assert_ptr_nonnull(strstr(log.all, n3));
	ck_assert_int_eq(spool_list(sp, &l, &err), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0], n4);
	strlist_clear(&l);
	/* larger than max on its own: refused, nothing dropped, nothing left */
	ck_assert_ptr_nonnull(data = calloc(1, 251));
	big.data = data;
	big.len = 251;
	ck_assert_int_eq(spool_add(sp, 500, write_payload, &big, &name, &err), DRIFT_ETOOBIG);
	ck_assert_ptr_nonnull(strstr(drift_error_message(&err), "spool.max"));
	ck_assert_ptr_null(name);
	ck_assert_int_eq(spool_list(sp, &l, &err), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0], n4);
	ck_assert_uint_eq(count_dir(dir), 1);
	ck_assert_uint_eq(log.n, 3);
	strlist_clear(&l);
	free(data);
	free(n1);
	free(n2);
	free(n3);
	free(n4);
	spool_free(sp);
	rm_rf(dir);
}
END_TEST

START_TEST(test_spool_refused_bound)
{
	struct drift_error err = { 0 };
	struct logcap log = { 0 };
	struct strlist l = { 0 }, r = { 0 };
	struct spool *sp = NULL;
	char dir[64], sub[96];
	struct stat st;
	int64_t t;
	size_t i;

	make_tmpdir(dir);
	ck_assert_int_eq(spool_open(&sp, dir, 1 << 20, capture, &log, &err), 0);
	for (t = 1; t <= SPOOL_REFUSED_KEEP + 5; t++)
		free(add(sp, t * 1000, 16, 'r'));
	ck_assert_int_eq(spool_list(sp, &l, &err), 0);
	ck_assert_uint_eq(l.n, SPOOL_REFUSED_KEEP + 5);
	for (i = 0; i < l.n; i++)
		ck_assert_msg(spool_refuse(sp, l.v[i], &err) == 0, "%s", drift_error_message(&err));
	ck_assert_int_eq(spool_refuse(sp, l.v[0], &err), DRIFT_ENOTFOUND);
	strlist_clear(&l);
	ck_assert_int_eq(spool_list(sp, &l, &err), 0);
	ck_assert_uint_eq(l.n, 0);
	snprintf(sub, sizeof(sub), "%s/refused", dir);
	ck_assert_int_eq(stat(sub, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0700);
	ck_assert_uint_eq(count_dir(sub), SPOOL_REFUSED_KEEP);
	/* the newest are kept, the oldest removed with a line each */
	ck_assert_int_eq(spool_list_refused(sp, &r, &err), 0);
	ck_assert_uint_eq(r.n, SPOOL_REFUSED_KEEP);
	ck_assert_int_eq(name_time(r.v[0]), 6 * 1000);
	ck_assert_int_eq(name_time(r.v[SPOOL_REFUSED_KEEP - 1]), (SPOOL_REFUSED_KEEP + 5) * 1000);
	ck_assert_uint_eq(log.n, 5);
	ck_assert_ptr_nonnull(strstr(log.all, "removed the refused bundle"));
	strlist_clear(&r);
	spool_free(sp);
	rm_rf(dir);
}
END_TEST

START_TEST(test_spool_temp_files_never_listed)
{
	static const char *const junk[] = {
		".tmp-00000000000000000005-0123abcd.drift",
		"00000000000000000006-0123abcd.drift.tmp.4242",
		"notes.txt",
	};
	struct drift_error err = { 0 };
	struct strlist l = { 0 };
	struct spool *sp = NULL;
	struct payload p = { "half of this is written", 23, true };
	char dir[64], path[160], *name = NULL;
	size_t i;
	int fd;

	make_tmpdir(dir);
	ck_assert_int_eq(spool_open(&sp, dir, 1 << 20, NULL, NULL, &err), 0);
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, junk[i]);
		ck_assert_int_ge(fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600), 0);
		close(fd);
	}
	ck_assert_int_eq(spool_list(sp, &l, &err), 0);
	ck_assert_uint_eq(l.n, 0);
	/* a writer that fails leaves nothing behind */
	ck_assert_int_eq(spool_add(sp, 7, write_payload, &p, &name, &err), DRIFT_EIO);
	ck_assert_ptr_null(name);
	ck_assert_uint_eq(count_dir(dir), 3);
	free(add(sp, 8, 4, 'k'));
	ck_assert_int_eq(spool_list(sp, &l, &err), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_int_eq(name_time(l.v[0]), 8);
	strlist_clear(&l);
	/* the next opener removes what a crashed run left in flight */
	spool_free(sp);
	ck_assert_int_eq(spool_open(&sp, dir, 1 << 20, NULL, NULL, &err), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, junk[0]);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_uint_eq(count_dir(dir), 3);
	spool_free(sp);
	rm_rf(dir);
}
END_TEST

START_TEST(test_spool_symlinks_refused)
{
	struct drift_error err = { 0 };
	struct logcap log = { 0 };
	struct strlist l = { 0 };
	struct spool *sp = NULL;
	char dir[64], outside[64], path[128], target[128], lpath[256], *good;
	const char *lname = "00000000000000000002-00000000.drift";
	struct stat st;
	uint64_t size;
	int fd;

	make_tmpdir(dir);
	make_tmpdir(outside);
	snprintf(target, sizeof(target), "%s/secret", outside);
	ck_assert_int_ge(fd = open(target, O_WRONLY | O_CREAT | O_EXCL, 0600), 0);
	ck_assert_int_eq(write(fd, "not a bundle", 12), 12);
	close(fd);

	/* the spool itself may not be a symlink */
	snprintf(lpath, sizeof(lpath), "%s/spool-lpath", dir);
	ck_assert_int_eq(symlink(outside, lpath), 0);
	ck_assert_int_eq(spool_open(&sp, lpath, 1 << 20, NULL, NULL, &err), DRIFT_EINVAL);
	ck_assert_ptr_nonnull(strstr(drift_error_message(&err), "symbolic link"));
	ck_assert_ptr_null(sp);
	/* nor a directory others can write to */
	snprintf(path, sizeof(path), "%s/open", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(chmod(path, 0777), 0);
	ck_assert_int_eq(spool_open(&sp, path, 1 << 20, NULL, NULL, &err), DRIFT_EINVAL);

	snprintf(path, sizeof(path), "%s/spool", dir);
	ck_assert_int_eq(spool_open(&sp, path, 1 << 20, capture, &log, &err), 0);
	good = add(sp, 1, 8, 'g');
	/* a link with a bundle's name is never listed, opened or sent */
	snprintf(lpath, sizeof(lpath), "%s/%s", path, lname);
	ck_assert_int_eq(symlink(target, lpath), 0);
	ck_assert_int_eq(spool_list(sp, &l, &err), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0], good);
	ck_assert_ptr_nonnull(strstr(log.all, lname));
	ck_assert_ptr_nonnull(strstr(log.all, "symbolic link"));
	strlist_clear(&l);
	ck_assert_int_eq(spool_open_bundle(sp, lname, &fd, &size, &err), DRIFT_EINVAL);
	/* removing it removes the link, never what it points to */
	ck_assert_int_eq(spool_remove(sp, lname, &err), 0);
	ck_assert_int_eq(lstat(lpath, &st), -1);
	ck_assert_int_eq(stat(target, &st), 0);
	ck_assert_int_eq(st.st_size, 12);
	/* a refused/ that is a symlink is not written through */
	snprintf(lpath, sizeof(lpath), "%s/refused", path);
	ck_assert_int_eq(symlink(outside, lpath), 0);
	ck_assert_int_eq(spool_refuse(sp, good, &err), DRIFT_EINVAL);
	ck_assert_uint_eq(count_dir(outside), 1);
	ck_assert_int_eq(spool_list(sp, &l, &err), 0);
	ck_assert_uint_eq(l.n, 1);
	strlist_clear(&l);
	free(good);
	spool_free(sp);
	rm_rf(dir);
	rm_rf(outside);
}
END_TEST

/* ------------------------------------------- the collector's answers */

static const struct {
	const char *body;
	int r;
	const char *status, *host, *baseline, *reason;
} answers[] = {
	{ "{\"host\":\"web01\",\"baseline\":\"b-17\",\"status\":\"stored\"}", 0, "stored", "web01", "b-17", "" },
	{ " {\"status\": \"unchanged\", \"baseline\": 42, \"extra\": [1, {\"a\": null}, true]}\n", 0,
	  "unchanged", "", "42", "" },
	{ "{\"error\": \"host id 'web02' does not match the certificate name 'web01'\"}", 0,
	  "", "", "", "host id 'web02' does not match the certificate name 'web01'" },
	{ "{\"error\": \"line\\none \\u00e9\\ud83d\\ude00 \\\"q\\\"\"}", 0,
	  "", "", "", "line one \xc3\xa9\xf0\x9f\x98\x80 \"q\"" },
	{ "{\"error\": \"raw \x01 control\"}", DRIFT_EFORMAT, "", "", "", "" },
	{ "{\"status\": \"stored\"} trailing", DRIFT_EFORMAT, "", "", "", "" },
	{ "{\"status\": \"stored\",}", DRIFT_EFORMAT, "", "", "", "" },
	{ "{\"status\": stored}", DRIFT_EFORMAT, "", "", "", "" },
	{ "[\"status\", \"stored\"]", DRIFT_EFORMAT, "", "", "", "" },
	{ "{\"status\": \"stored\"", DRIFT_EFORMAT, "", "", "", "" },
	{ "{\"error\": \"\\ud800 lone surrogate\"}", DRIFT_EFORMAT, "", "", "", "" },
	{ "{\"error\": \"bad \\x escape\"}", DRIFT_EFORMAT, "", "", "", "" },
	{ "{\"error\": \"\xff\xfe not utf-8\"}", DRIFT_EFORMAT, "", "", "", "" },
	{ "{\"n\": 01}", DRIFT_EFORMAT, "", "", "", "" },
	{ "{\"n\": -}", DRIFT_EFORMAT, "", "", "", "" },
	{ "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
	  DRIFT_EFORMAT, "", "", "", "" },
	{ "", DRIFT_EFORMAT, "", "", "", "" },
	{ "<html>503 Service Unavailable</html>", DRIFT_EFORMAT, "", "", "", "" },
};

START_TEST(test_send_parse_answer)
{
	struct send_result res;
	int r;

	memset(&res, 0, sizeof(res));
	r = send_parse_answer(answers[_i].body, strlen(answers[_i].body), &res);
	ck_assert_msg(r == answers[_i].r, "'%s': %d", answers[_i].body, r);
	ck_assert_str_eq(res.status, answers[_i].status);
	ck_assert_str_eq(res.host, answers[_i].host);
	ck_assert_str_eq(res.baseline, answers[_i].baseline);
	ck_assert_str_eq(res.reason, answers[_i].reason);
}
END_TEST

START_TEST(test_send_parse_answer_long_error)
{
	struct send_result res;
	char body[4096];
	size_t i;

	/* a long sentence is cut at the field, on a character boundary */
	strcpy(body, "{\"error\": \"");
	for (i = 0; i < 600; i++)
		strcat(body, "\xc3\xa9");
	strcat(body, "\", \"status\": \"x\"}");
	memset(&res, 0, sizeof(res));
	ck_assert_int_eq(send_parse_answer(body, strlen(body), &res), 0);
	ck_assert_uint_lt(strlen(res.reason), sizeof(res.reason));
	ck_assert_uint_eq(strlen(res.reason) % 2, 0);
	ck_assert_str_eq(res.status, "x");
}
END_TEST

Suite *
make_spool_suite(void)
{
	Suite *s = suite_create("spool");
	TCase *spool = tcase_create("spool");
	TCase *answer = tcase_create("answer");

	tcase_add_loop_test(spool, test_spool_name_valid, 0, sizeof(names) / sizeof(names[0]));
	tcase_add_test(spool, test_spool_order);
	tcase_add_test(spool, test_spool_max_drops_oldest);
	tcase_add_test(spool, test_spool_refused_bound);
	tcase_add_test(spool, test_spool_temp_files_never_listed);
	tcase_add_test(spool, test_spool_symlinks_refused);
	suite_add_tcase(s, spool);
	tcase_add_loop_test(answer, test_send_parse_answer, 0, sizeof(answers) / sizeof(answers[0]));
	tcase_add_test(answer, test_send_parse_answer_long_error);
	suite_add_tcase(s, answer);
	return s;
}
