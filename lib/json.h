/* SPDX-License-Identifier: MIT */
/* json.h - writing JSON to a stream, exact for byte strings that are not UTF-8. */
#ifndef DRIFT_JSON_H
#define DRIFT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* True when s[0..len) is valid UTF-8 (no overlongs, no surrogates). */
bool utf8_valid(const void *s, size_t len);

/*
 * Write s as a JSON string literal. Control characters are escaped
 * (\n, \t, \u00XX); each byte that is not part of valid UTF-8 becomes
 * U+FFFD, so the output is always valid JSON. Use json_bytes_field when
 * the exact bytes matter.
 */
void json_string(FILE *f, const void *s, size_t len);
static inline void json_cstr(FILE *f, const char *s);

/*
 * Write `"key": "<s>"`, and when s is not valid UTF-8 also
 * `, "key_b64": "<base64 of the exact bytes>"`. This is how paths and
 * symlink targets keep every byte: readers use key_b64 when present.
 */
void json_bytes_field(FILE *f, const char *key, const void *s, size_t len);

/* Write standard base64 (with padding) of data, without quotes. */
void json_base64(FILE *f, const void *data, size_t len);

#include <string.h>
static inline void
json_cstr(FILE *f, const char *s)
{
	if (s == NULL)
		fputs("null", f);
	else
		json_string(f, s, strlen(s));
}

#endif
