/* SPDX-License-Identifier: MIT */
/* quote.h - paths in text output: plain when harmless, C-quoted otherwise (like git). */
#ifndef DRIFT_QUOTE_H
#define DRIFT_QUOTE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Write a path for people. A path of printable ASCII or valid UTF-8 with no
 * control characters, quotes or backslashes is written as is; anything else
 * is written in double quotes with C escapes (\n, \t, \", \\, and \ooo in
 * octal for every other odd byte), as git does, so one line is one path
 * and the exact bytes can be recovered.
 */
void quote_path(FILE *f, const void *path, size_t len);

#endif
