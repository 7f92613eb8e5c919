/* SPDX-License-Identifier: MIT */
/* error.h - the one error convention of drift: 0 or a negative DRIFT_E* code. */
#ifndef DRIFT_ERROR_H
#define DRIFT_ERROR_H

#include <stddef.h>

/*
 * Every fallible function returns 0 on success or one of these (negative).
 * Functions that can say more take a `struct drift_error *` and fill its
 * message; the code alone is still meaningful through drift_strerror().
 */
enum {
	DRIFT_OK = 0,
	DRIFT_ENOMEM = -1,	/* out of memory */
	DRIFT_EIO = -2,		/* a system call failed (message says which) */
	DRIFT_ETOOBIG = -3,	/* input larger than its limit */
	DRIFT_EFORMAT = -4,	/* malformed input */
	DRIFT_EVERSION = -5,	/* format version this build cannot read */
	DRIFT_ENOTFOUND = -6,	/* no such file, host, key or entry */
	DRIFT_EINVAL = -7,	/* invalid argument or value */
	DRIFT_ECONFIG = -8,	/* configuration rejected */
	DRIFT_EUNSUPPORTED = -9,	/* feature not built in */
	DRIFT_EINTERNAL = -10,	/* a bug: a library returned something impossible */
};

/* A message for people, filled by the function that failed. */
struct drift_error {
	int code;
	char msg[1024];
};

/* Words for a DRIFT_E* code; never NULL. */
const char *drift_strerror(int code);

/*
 * Set err (which may be NULL) to code and a printf-style message; returns
 * code so callers can write `return drift_error_set(err, DRIFT_EFORMAT, ...)`.
 */
int drift_error_set(struct drift_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like drift_error_set, appending ": strerror(errno_value)". */
int drift_error_errno(struct drift_error *err, int errno_value, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Clear err (may be NULL). */
void drift_error_clear(struct drift_error *err);

/* The message if one was set, else drift_strerror(code). */
const char *drift_error_message(const struct drift_error *err);

#endif
