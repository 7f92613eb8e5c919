/* SPDX-License-Identifier: MIT */
/* error.c - words for drift's error codes and the message carrier. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

const char *
drift_strerror(int code)
{
	switch (code) {
	case DRIFT_OK: return "success";
	case DRIFT_ENOMEM: return "out of memory";
	case DRIFT_EIO: return "input/output error";
	case DRIFT_ETOOBIG: return "too large";
	case DRIFT_EFORMAT: return "malformed input";
	case DRIFT_EVERSION: return "unsupported format version";
	case DRIFT_ENOTFOUND: return "not found";
	case DRIFT_EINVAL: return "invalid value";
	case DRIFT_ECONFIG: return "configuration rejected";
	case DRIFT_EUNSUPPORTED: return "not supported by this build";
	case DRIFT_EINTERNAL: return "internal error";
	}
	return "unknown error";
}

static void error_vset(struct drift_error *err, int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void
error_vset(struct drift_error *err, int code, const char *fmt, va_list ap)
{
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int
drift_error_set(struct drift_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	va_start(ap, fmt);
	error_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

int
drift_error_errno(struct drift_error *err, int errno_value, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	if (err == NULL)
		return DRIFT_EIO;
	va_start(ap, fmt);
	error_vset(err, DRIFT_EIO, fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(errno_value));
	return DRIFT_EIO;
}

void
drift_error_clear(struct drift_error *err)
{
	if (err == NULL)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

const char *
drift_error_message(const struct drift_error *err)
{
	if (err->msg[0] != '\0')
		return err->msg;
	return drift_strerror(err->code);
}
