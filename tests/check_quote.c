/* SPDX-License-Identifier: MIT */
/* check_quote.c - paths in text output: plain when harmless, C-quoted otherwise. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quote.h"

static char *
quoted(const void *path, size_t len)
{
	char *data = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&data, &n);

	ck_assert_ptr_nonnull(f);
	quote_path(f, path, len);
	ck_assert_int_eq(fclose(f), 0);
	return data;
}

struct quote_case {
	const char *path;
	size_t len;
	const char *want;
};

#define Q(lit, w) { lit, sizeof(lit) - 1, w }

static const struct quote_case quote_cases[] = {
	Q("/etc/passwd", "/etc/passwd"),
	Q("/etc/with space", "/etc/with space"),
	Q("/etc/caf\xc3\xa9", "/etc/caf\xc3\xa9"),		/* valid UTF-8 as is */
	Q("/\xf0\x9f\x98\x80", "/\xf0\x9f\x98\x80"),
	Q("/a\nb", "\"/a\\nb\""),
	Q("/a\tb", "\"/a\\tb\""),
	Q("/a\rb", "\"/a\\rb\""),
	Q("/a\"b", "\"/a\\\"b\""),
	Q("\"", "\"\\\"\""),
	Q("/a\\b", "\"/a\\\\b\""),
	Q("/a\0b", "\"/a\\000b\""),
	Q("/\a\b\v\f\x1b", "\"/\\007\\010\\013\\014\\033\""),	/* octal, not \a \b ... */
	Q("/a\x7f", "\"/a\\177\""),
	Q("/a\xff", "\"/a\\377\""),
	Q("/a\x80", "\"/a\\200\""),
	Q("/\xc0\xaf", "\"/\\300\\257\""),			/* overlong '/' */
	Q("/\xed\xa0\x80", "\"/\\355\\240\\200\""),		/* surrogate */
	Q("/a\xc3", "\"/a\\303\""),				/* truncated */
	/* once quoted, every byte from 0x7f up is octal, UTF-8 or not (as git) */
	Q("/caf\xc3\xa9\n", "\"/caf\\303\\251\\n\""),
};

START_TEST(test_quote_table)
{
	const struct quote_case *c = &quote_cases[_i];
	char *got = quoted(c->path, c->len);

	ck_assert_str_eq(got, c->want);
	free(got);
}
END_TEST

/*
 * Python's C-escape decoder (codecs.escape_decode) must give back the exact
 * bytes of each quoted path; an unquoted path must be the bytes themselves,
 * and must be exactly the valid UTF-8 without controls, quotes or
 * backslashes.
 */
START_TEST(test_quote_python_recovers_bytes)
{
	static const char prog[] =
	    "import codecs, sys\n"
	    "def plain(b):\n"
	    "    try:\n"
	    "        s = b.decode('utf-8')\n"
	    "    except UnicodeDecodeError:\n"
	    "        return False\n"
	    "    return not any(ord(c) < 0x20 or c in '\\x7f\"\\\\' for c in s)\n"
	    "for line in sys.stdin.buffer:\n"
	    "    hx, out = line[:-1].split(b' ', 1)\n"
	    "    want = bytes.fromhex(hx.decode())\n"
	    "    if plain(want):\n"
	    "        ok = out == want\n"
	    "    else:\n"
	    "        ok = (len(out) >= 2 and out[:1] == b'\"' and out[-1:] == b'\"'\n"
	    "              and all(0x20 <= c < 0x7f for c in out)\n"
	    "              and codecs.escape_decode(out[1:-1])[0] == want)\n"
	    "    sys.stdout.write('1' if ok else '0')\n";
	char pyfile[] = "/tmp/drift-check-quote-py-XXXXXX";
	char infile[] = "/tmp/drift-check-quote-in-XXXXXX";
	char cmd[256], result[4096];
	unsigned seed = 4242;
	size_t i, k, n = 4000, got;
	int pfd, ifd;
	FILE *in, *p;

	ck_assert_int_ge(pfd = mkstemp(pyfile), 0);
	ck_assert_int_ge(ifd = mkstemp(infile), 0);
	ck_assert_int_eq(write(pfd, prog, strlen(prog)), (ssize_t)strlen(prog));
	close(pfd);
	ck_assert_ptr_nonnull(in = fdopen(ifd, "w"));
	for (i = 0; i < n; i++) {
		unsigned char s[20];
		size_t len = 1 + (size_t)(rand_r(&seed) % 19);

		s[0] = '/';
		for (k = 1; k < len; k++) {
			int r = rand_r(&seed);

			if (r % 5 == 0)
				s[k] = (unsigned char)(r >> 8);	/* any byte at all */
			else if (r % 5 == 1 && k + 1 < len) {
				s[k++] = 0xc3;
				s[k] = 0xa9;
			} else
				s[k] = (unsigned char)(0x20 + (r >> 8) % 0x5f);
		}
		for (k = 0; k < len; k++)
			fprintf(in, "%02x", s[k]);
		putc(' ', in);
		quote_path(in, s, len);
		putc('\n', in);
	}
	ck_assert_int_eq(fclose(in), 0);
	snprintf(cmd, sizeof(cmd), "python3 %s < %s", pyfile, infile);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	got = fread(result, 1, sizeof(result), p);
	ck_assert_int_eq(pclose(p), 0);
	unlink(pyfile);
	unlink(infile);
	ck_assert_uint_eq(got, n);
	for (i = 0; i < n; i++)
		ck_assert_msg(result[i] == '1', "path %zu: quoting lost or changed bytes", i);
}
END_TEST

Suite *make_quote_suite(void);

Suite *
make_quote_suite(void)
{
	Suite *s = suite_create("quote");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_quote_table, 0,
	    (int)(sizeof(quote_cases) / sizeof(quote_cases[0])));
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_quote_python_recovers_bytes);
	suite_add_tcase(s, tc);
	return s;
}
