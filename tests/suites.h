/* SPDX-License-Identifier: MIT */
/* suites.h - every check suite of the unit test runner, one line each. */
SUITE(buf)
SUITE(version)
SUITE(pkgdb)
SUITE(glob)
SUITE(config)
SUITE(textdiff)
