/* SPDX-License-Identifier: MIT */
/* json.c - writing JSON strings exactly, whatever bytes they hold. */
#include "config.h"

#include "json.h"

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid. */
static size_t
utf8_seq(const unsigned char *p, size_t len)
{
	unsigned c = p[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return len >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (len < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && p[1] < 0xa0)
			return 0;	/* overlong */
		if (c == 0xed && p[1] >= 0xa0)
			return 0;	/* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (len < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && p[1] < 0x90)
			return 0;
		if (c == 0xf4 && p[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

bool
utf8_valid(const void *s, size_t len)
{
	const unsigned char *p = s;
	size_t i = 0, n;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = utf8_seq(p + i, len - i)) == 0)
			return false;
		i += n;
	}
	return true;
}

void
json_string(FILE *f, const void *s, size_t len)
{
	const unsigned char *p = s;
	size_t i = 0, n;

	putc_unlocked('"', f);
	while (i < len) {
		unsigned c = p[i];

		if (c >= 0x80) {
			if ((n = utf8_seq(p + i, len - i)) == 0) {
				fputs("\\ufffd", f);
				i++;
			} else {
				fwrite_unlocked(p + i, 1, n, f);
				i += n;
			}
			continue;
		}
		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\u%04x", c);
			else
				putc_unlocked((int)c, f);
		}
		i++;
	}
	putc_unlocked('"', f);
}

void
json_base64(FILE *f, const void *data, size_t len)
{
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];

		putc_unlocked(tbl[v >> 18], f);
		putc_unlocked(tbl[(v >> 12) & 63], f);
		putc_unlocked(tbl[(v >> 6) & 63], f);
		putc_unlocked(tbl[v & 63], f);
	}
	if (len - i == 1) {
		unsigned v = (unsigned)p[i] << 16;

		putc_unlocked(tbl[v >> 18], f);
		putc_unlocked(tbl[(v >> 12) & 63], f);
		fputs("==", f);
	} else if (len - i == 2) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;

		putc_unlocked(tbl[v >> 18], f);
		putc_unlocked(tbl[(v >> 12) & 63], f);
		putc_unlocked(tbl[(v >> 6) & 63], f);
		putc_unlocked('=', f);
	}
}

void
json_bytes_field(FILE *f, const char *key, const void *s, size_t len)
{
	fprintf(f, "\"%s\": ", key);
	json_string(f, s, len);
	if (!utf8_valid(s, len)) {
		fprintf(f, ", \"%s_b64\": \"", key);
		json_base64(f, s, len);
		putc_unlocked('"', f);
	}
}
