/* SPDX-License-Identifier: MIT */
/* quote.c - paths in text output: plain when harmless, C-quoted otherwise. */
#include "config.h"

#include "json.h"
#include "quote.h"

static bool
needs_quoting(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] == 0x7f || p[i] == '"' || p[i] == '\\')
			return true;
	return !utf8_valid(p, len);
}

void
quote_path(FILE *f, const void *path, size_t len)
{
	const unsigned char *p = path;
	size_t i;

	if (!needs_quoting(p, len)) {
		fwrite_unlocked(p, 1, len, f);
		return;
	}
	putc_unlocked('"', f);
	for (i = 0; i < len; i++) {
		unsigned c = p[i];

		switch (c) {
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		default:
			if (c < 0x20 || c >= 0x7f)
				fprintf(f, "\\%03o", c);
			else
				putc_unlocked((int)c, f);
		}
	}
	putc_unlocked('"', f);
}
