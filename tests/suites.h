/* SPDX-License-Identifier: MIT */
/* suites.h - every check suite of the unit test runner, one line each. */
SUITE(buf)
