/* SPDX-License-Identifier: MIT */
/* glob.h - path glob matching with '**', for exclude/capture rules and standards. */
#ifndef DRIFT_GLOB_H
#define DRIFT_GLOB_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Match a whole path against a pattern, byte-wise:
 *   *      any run of bytes except '/'
 *   **     any run of bytes including '/' (so "/etc/" + "**" is everything
 *          below /etc, "**" + "/" + "*.key" is any .key file at any depth)
 *   ?      one byte except '/'
 *   [...]  a class: ranges a-z, negation with '!' or '^'
 *   \x     x literally
 * No allocation; runs in time bounded by pattern length × path length.
 */
bool glob_match(const char *pattern, const char *path, size_t pathlen);

/* True when pattern has no wildcard bytes (an exact path). */
bool glob_is_literal(const char *pattern);

#endif
