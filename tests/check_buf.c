/* SPDX-License-Identifier: MIT */
/* check_buf.c - the bounded buffer. */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"

START_TEST(test_buf_limit_keeps_content)
{
	struct buf b = BUF_INIT(8);

	ck_assert_int_eq(buf_addstr(&b, "abcd"), 0);
	ck_assert_int_eq(buf_addstr(&b, "efgh"), 0);
	ck_assert_int_eq(buf_addch(&b, 'i'), DRIFT_ETOOBIG);
	ck_assert_uint_eq(b.len, 8);
	ck_assert_str_eq(b.data, "abcdefgh");
	buf_release(&b);
}
END_TEST

START_TEST(test_buf_printf)
{
	struct buf b = BUF_INIT(1024);

	ck_assert_int_eq(buf_printf(&b, "%s=%d", "x", 42), 0);
	ck_assert_str_eq(b.data, "x=42");
	ck_assert_int_eq(buf_printf(&b, "%2000d", 1), DRIFT_ETOOBIG);
	ck_assert_str_eq(b.data, "x=42");
	buf_release(&b);
}
END_TEST

START_TEST(test_buf_read_fd_bounded)
{
	char path[] = "/tmp/drift-buf-XXXXXX";
	int fd = mkstemp(path);
	struct buf b = BUF_INIT(100);
	char data[300];

	ck_assert_int_ge(fd, 0);
	memset(data, 'z', sizeof(data));
	ck_assert_int_eq(write(fd, data, sizeof(data)), (int)sizeof(data));
	lseek(fd, 0, SEEK_SET);
	ck_assert_int_eq(buf_read_fd(&b, fd), DRIFT_ETOOBIG);
	ck_assert_uint_eq(b.len, 0);
	lseek(fd, 0, SEEK_SET);
	b.max = 300;
	ck_assert_int_eq(buf_read_fd(&b, fd), 0);
	ck_assert_uint_eq(b.len, 300);
	close(fd);
	unlink(path);
	buf_release(&b);
}
END_TEST

Suite *make_buf_suite(void);

Suite *
make_buf_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_buf_limit_keeps_content);
	tcase_add_test(tc, test_buf_printf);
	tcase_add_test(tc, test_buf_read_fd_bounded);
	suite_add_tcase(s, tc);
	return s;
}
