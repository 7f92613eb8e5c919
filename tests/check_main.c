/* SPDX-License-Identifier: MIT */
/* check_main.c - the unit test runner: every suite listed in suites.h. */
#include "config.h"

#include <check.h>
#include <stdlib.h>

#define SUITE(name) Suite *make_##name##_suite(void);
#include "suites.h"
#undef SUITE

int
main(void)
{
	SRunner *sr = srunner_create(NULL);
	int failed;

#define SUITE(name) srunner_add_suite(sr, make_##name##_suite());
#include "suites.h"
#undef SUITE
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
