/* SPDX-License-Identifier: MIT */
/* check_json.c - UTF-8 validation, JSON string escaping and base64, checked against Python. */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"

/*
 * Run the Python program prog with in[0..inlen) on its standard input and
 * return what it printed (malloc'd, NUL-terminated). Python's strict UTF-8
 * decoder, json module and base64 module are the independent oracles here.
 */
static char *
run_python(const char *prog, const void *in, size_t inlen)
{
	char pyfile[] = "/tmp/drift-check-json-py-XXXXXX";
	char infile[] = "/tmp/drift-check-json-in-XXXXXX";
	char cmd[256], *out = NULL;
	size_t outlen = 0;
	int pfd, ifd, status;
	FILE *p, *o;

	pfd = mkstemp(pyfile);
	ifd = mkstemp(infile);
	ck_assert_int_ge(pfd, 0);
	ck_assert_int_ge(ifd, 0);
	ck_assert_int_eq(write(pfd, prog, strlen(prog)), (ssize_t)strlen(prog));
	ck_assert_int_eq(write(ifd, in, inlen), (ssize_t)inlen);
	close(pfd);
	close(ifd);
	snprintf(cmd, sizeof(cmd), "python3 %s < %s", pyfile, infile);
	o = open_memstream(&out, &outlen);
	ck_assert_ptr_nonnull(o);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	for (;;) {
		char blk[4096];
		size_t n = fread(blk, 1, sizeof(blk), p);

		if (n == 0)
			break;
		fwrite(blk, 1, n, o);
	}
	status = pclose(p);
	fclose(o);
	unlink(pyfile);
	unlink(infile);
	ck_assert_msg(status == 0, "python3 failed (status %d): %s", status, out);
	return out;
}

/* What a json_* call wrote, as a NUL-terminated string (free it). */
struct capture {
	FILE *f;
	char *data;
	size_t len;
};

static void
capture_start(struct capture *c)
{
	c->data = NULL;
	c->len = 0;
	c->f = open_memstream(&c->data, &c->len);
	ck_assert_ptr_nonnull(c->f);
}

static char *
capture_end(struct capture *c)
{
	ck_assert_int_eq(fclose(c->f), 0);
	return c->data;
}

static void
hex_line(FILE *f, const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		fprintf(f, "%02x", p[i]);
	putc('\n', f);
}

/* --- utf8_valid --- */

struct utf8_case {
	const char *s;
	size_t len;
	bool valid;
};

#define U(lit, v) { lit, sizeof(lit) - 1, v }

static const struct utf8_case utf8_cases[] = {
	U("", true),
	U("plain ascii /etc/passwd", true),
	U("\0", true),			/* NUL is valid UTF-8; paths refuse it elsewhere */
	U("\x7f", true),
	U("\xc3\xa9", true),		/* U+00E9 */
	U("\xc2\x80", true),		/* U+0080, smallest 2-byte */
	U("\xdf\xbf", true),		/* U+07FF */
	U("\xc0\x80", false),		/* overlong NUL */
	U("\xc1\xbf", false),		/* overlong U+007F */
	U("\xe0\x80\x80", false),	/* overlong 3-byte */
	U("\xe0\x9f\xbf", false),	/* overlong U+07FF */
	U("\xe0\xa0\x80", true),	/* U+0800 */
	U("\xe2\x82\xac", true),	/* euro sign */
	U("\xed\x9f\xbf", true),	/* U+D7FF, last before the surrogates */
	U("\xed\xa0\x80", false),	/* U+D800 */
	U("\xed\xbf\xbf", false),	/* U+DFFF */
	U("\xed\xa0\x80\xed\xb0\x80", false),	/* CESU-8 surrogate pair */
	U("\xee\x80\x80", true),	/* U+E000 */
	U("\xef\xbf\xbf", true),	/* U+FFFF */
	U("\xf0\x80\x80\x80", false),	/* overlong 4-byte */
	U("\xf0\x8f\xbf\xbf", false),	/* overlong U+FFFF */
	U("\xf0\x90\x80\x80", true),	/* U+10000 */
	U("\xf0\x9f\x98\x80", true),	/* U+1F600 */
	U("\xf4\x8f\xbf\xbf", true),	/* U+10FFFF, the largest */
	U("\xf4\x90\x80\x80", false),	/* U+110000 */
	U("\xf5\x80\x80\x80", false),
	U("\xf7\xbf\xbf\xbf", false),
	U("\xf8\x88\x80\x80\x80", false),	/* old 5-byte form */
	U("\xfe", false),
	U("\xff", false),
	U("\x80", false),		/* lone continuation */
	U("\xbf", false),
	U("\xc3", false),		/* truncated 2-byte */
	U("a\xc3", false),		/* truncated at the very end */
	U("\xe2\x82", false),		/* truncated 3-byte */
	U("\xe2\x82" "a", false),	/* continuation replaced by ASCII */
	U("\xf0\x9f\x98", false),	/* truncated 4-byte */
	U("\xf0\x9f\x98" "a", false),
	U("\xc3\xa9\xc3", false),
	U("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 ok", true),
};

START_TEST(test_utf8_valid_table)
{
	const struct utf8_case *c = &utf8_cases[_i];

	ck_assert_msg(utf8_valid(c->s, c->len) == c->valid, "case %d: want %s", _i,
	    c->valid ? "valid" : "invalid");
}
END_TEST

/*
 * Every 1- and 2-byte string, and 3- and 4-byte strings over the bytes
 * where the UTF-8 rules change, against Python's strict decoder.
 */
static const unsigned char edge_bytes[] = {
	0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf,
	0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff,
};
#define NEDGE (sizeof(edge_bytes) / sizeof(edge_bytes[0]))

/* Calls fn for each sweep string. */
static void
sweep(void (*fn)(void *ctx, const unsigned char *s, size_t len), void *ctx)
{
	unsigned char s[4];
	unsigned a, b;
	size_t i, j, k;

	for (a = 0; a < 256; a++) {
		s[0] = (unsigned char)a;
		fn(ctx, s, 1);
		for (b = 0; b < 256; b++) {
			s[1] = (unsigned char)b;
			if (a >= 0x80)
				fn(ctx, s, 2);
		}
	}
	for (a = 0xe0; a < 0x100; a++) {
		s[0] = (unsigned char)a;
		for (i = 0; i < NEDGE; i++) {
			s[1] = edge_bytes[i];
			for (j = 0; j < NEDGE; j++) {
				s[2] = edge_bytes[j];
				fn(ctx, s, 3);
				for (k = 0; k < NEDGE; k++) {
					s[3] = edge_bytes[k];
					if (a >= 0xf0)
						fn(ctx, s, 4);
				}
			}
		}
	}
}

struct sweep_ctx {
	FILE *in;		/* lines for Python */
	struct capture want;	/* what drift says */
	size_t n;
};

static void
utf8_sweep_one(void *ctx, const unsigned char *s, size_t len)
{
	struct sweep_ctx *c = ctx;

	hex_line(c->in, s, len);
	putc(utf8_valid(s, len) ? '1' : '0', c->want.f);
	c->n++;
}

START_TEST(test_utf8_valid_matches_python)
{
	static const char prog[] =
	    "import sys\n"
	    "out = []\n"
	    "for line in sys.stdin:\n"
	    "    try:\n"
	    "        bytes.fromhex(line.strip()).decode('utf-8', 'strict')\n"
	    "        out.append('1')\n"
	    "    except UnicodeDecodeError:\n"
	    "        out.append('0')\n"
	    "sys.stdout.write(''.join(out))\n";
	struct sweep_ctx c = { 0 };
	struct capture in;
	char *got, *want, *input;
	size_t i;

	capture_start(&in);
	capture_start(&c.want);
	c.in = in.f;
	sweep(utf8_sweep_one, &c);
	input = capture_end(&in);
	want = capture_end(&c.want);
	got = run_python(prog, input, strlen(input));
	ck_assert_uint_eq(strlen(got), c.n);
	for (i = 0; i < c.n; i++)
		ck_assert_msg(got[i] == want[i], "string %zu: python says %c, drift %c", i, got[i], want[i]);
	free(input);
	free(want);
	free(got);
}
END_TEST

/* --- json_string --- */

struct str_case {
	const char *s;
	size_t len;
	const char *want;
};

#define S(lit, w) { lit, sizeof(lit) - 1, w }

static const struct str_case str_cases[] = {
	S("", "\"\""),
	S("/etc/passwd", "\"/etc/passwd\""),
	S("a\"b", "\"a\\\"b\""),
	S("a\\b", "\"a\\\\b\""),
	S("\n\t\r\b\f", "\"\\n\\t\\r\\b\\f\""),
	S("\0", "\"\\u0000\""),
	S("\x01\x1b\x1f", "\"\\u0001\\u001b\\u001f\""),
	S("\x7f", "\"\\u007f\""),		/* DEL */
	S(" ~", "\" ~\""),
	S("\xc3\xa9", "\"\xc3\xa9\""),		/* valid UTF-8 passes through */
	S("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\""),
	S("\xff", "\"\\ufffd\""),
	S("a\xc3", "\"a\\ufffd\""),
	S("\xe2\x82" "a", "\"\\ufffd\\ufffda\""),	/* one U+FFFD per bad byte */
	S("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""),
	S("\xc0\x80", "\"\\ufffd\\ufffd\""),
	S("/a\x80/\xe2\x82\xac", "\"/a\\ufffd/\xe2\x82\xac\""),
};

START_TEST(test_json_string_table)
{
	const struct str_case *c = &str_cases[_i];
	struct capture cap;
	char *got;

	capture_start(&cap);
	json_string(cap.f, c->s, c->len);
	got = capture_end(&cap);
	ck_assert_str_eq(got, c->want);
	free(got);
}
END_TEST

START_TEST(test_json_cstr_null)
{
	struct capture cap;
	char *got;

	capture_start(&cap);
	json_cstr(cap.f, NULL);
	fputc(' ', cap.f);
	json_cstr(cap.f, "x\"");
	got = capture_end(&cap);
	ck_assert_str_eq(got, "null \"x\\\"\"");
	free(got);
}
END_TEST

static void
string_sweep_one(void *ctx, const unsigned char *s, size_t len)
{
	struct sweep_ctx *c = ctx;

	size_t i;

	/* "<hex> <json>": the JSON literal must not contain a raw newline */
	for (i = 0; i < len; i++)
		fprintf(c->in, "%02x", s[i]);
	putc(' ', c->in);
	json_string(c->in, s, len);
	putc('\n', c->in);
	c->n++;
}

/*
 * Python's json module (strict: raw control characters refused) must read
 * each literal back as the input decoded with one U+FFFD per byte that is
 * not part of valid UTF-8.
 */
static const char json_string_prog[] =
    "import codecs, json, sys\n"
    "codecs.register_error('perbyte', lambda e: ('\\ufffd', e.start + 1))\n"
    "out = []\n"
    "for line in sys.stdin.buffer:\n"
    "    hx, lit = line.rstrip(b'\\n').split(b' ', 1)\n"
    "    want = bytes.fromhex(hx.decode()).decode('utf-8', 'perbyte')\n"
    "    got = json.loads(lit.decode('utf-8'))\n"
    "    out.append('1' if got == want else '0')\n"
    "sys.stdout.write(''.join(out))\n";

START_TEST(test_json_string_matches_python)
{
	struct sweep_ctx c = { 0 };
	struct capture in;
	char *got, *input;
	size_t i;
	unsigned seed = 12345;

	capture_start(&in);
	c.in = in.f;
	sweep(string_sweep_one, &c);
	/* longer random strings: every byte value, runs of control characters */
	for (i = 0; i < 2000; i++) {
		unsigned char s[40];
		size_t len = (size_t)(rand_r(&seed) % (int)sizeof(s)), k;

		for (k = 0; k < len; k++)
			s[k] = (unsigned char)rand_r(&seed);
		string_sweep_one(&c, s, len);
	}
	input = capture_end(&in);
	got = run_python(json_string_prog, input, strlen(input));
	ck_assert_uint_eq(strlen(got), c.n);
	for (i = 0; i < c.n; i++)
		ck_assert_msg(got[i] == '1', "string %zu: python reads something else back", i);
	free(input);
	free(got);
}
END_TEST

/* --- json_base64 --- */

struct b64_case {
	const char *s;
	const char *want;
};

/* RFC 4648, section 10. */
static const struct b64_case b64_cases[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

START_TEST(test_base64_rfc4648)
{
	const struct b64_case *c = &b64_cases[_i];
	struct capture cap;
	char *got;

	capture_start(&cap);
	json_base64(cap.f, c->s, strlen(c->s));
	got = capture_end(&cap);
	ck_assert_str_eq(got, c->want);
	free(got);
}
END_TEST

START_TEST(test_base64_matches_python)
{
	static const char prog[] =
	    "import base64, sys\n"
	    "for line in sys.stdin:\n"
	    "    print(base64.b64encode(bytes.fromhex(line.strip())).decode())\n";
	struct capture in, want;
	unsigned char s[300];
	unsigned seed = 777;
	char *input, *w, *got;
	size_t len, k;

	capture_start(&in);
	capture_start(&want);
	/* every length 0..299 so each padding case appears many times, every byte value */
	for (len = 0; len < sizeof(s); len++) {
		for (k = 0; k < len; k++)
			s[k] = (unsigned char)(len == 256 ? k : (size_t)rand_r(&seed));
		hex_line(in.f, s, len);
		json_base64(want.f, s, len);
		putc('\n', want.f);
	}
	input = capture_end(&in);
	w = capture_end(&want);
	got = run_python(prog, input, strlen(input));
	ck_assert_str_eq(got, w);
	free(input);
	free(w);
	free(got);
}
END_TEST

/* --- json_bytes_field --- */

START_TEST(test_bytes_field_utf8_has_no_b64)
{
	struct capture cap;
	char *got;

	capture_start(&cap);
	json_bytes_field(cap.f, "path", "/etc/caf\xc3\xa9\n", 11);
	got = capture_end(&cap);
	/* control characters are escaped exactly, so no copy in base64 */
	ck_assert_str_eq(got, "\"path\": \"/etc/caf\xc3\xa9\\n\"");
	free(got);
}
END_TEST

START_TEST(test_bytes_field_invalid_has_b64)
{
	struct capture cap;
	char *got;

	capture_start(&cap);
	json_bytes_field(cap.f, "target", "/a\xff" "b", 4);
	got = capture_end(&cap);
	ck_assert_str_eq(got, "\"target\": \"/a\\ufffdb\", \"target_b64\": \"L2H/Yg==\"");
	free(got);
}
END_TEST

START_TEST(test_bytes_field_python_recovers_bytes)
{
	static const char prog[] =
	    "import base64, json, sys\n"
	    "for line in sys.stdin:\n"
	    "    hx, obj = line.rstrip('\\n').split(' ', 1)\n"
	    "    o = json.loads(obj)\n"
	    "    want = bytes.fromhex(hx)\n"
	    "    if 'path_b64' in o:\n"
	    "        ok = base64.b64decode(o['path_b64'], validate=True) == want\n"
	    "    else:\n"
	    "        ok = o['path'].encode('utf-8') == want\n"
	    "    try:\n"
	    "        want.decode('utf-8'); isvalid = True\n"
	    "    except UnicodeDecodeError:\n"
	    "        isvalid = False\n"
	    "    ok = ok and (('path_b64' in o) != isvalid) and len(o) == (1 if isvalid else 2)\n"
	    "    sys.stdout.write('1' if ok else '0')\n";
	struct capture in;
	unsigned seed = 99;
	char *input, *got;
	size_t i, n = 3000;

	capture_start(&in);
	for (i = 0; i < n; i++) {
		unsigned char s[24];
		size_t len = 1 + (size_t)(rand_r(&seed) % 23), k;

		s[0] = '/';
		for (k = 1; k < len; k++) {
			int r = rand_r(&seed);

			/* mostly UTF-8 text, sometimes a stray byte */
			if (r % 7 == 0)
				s[k] = (unsigned char)(r >> 8);
			else if (r % 7 == 1 && k + 1 < len) {
				s[k++] = 0xc3;
				s[k] = 0xa9;
			} else
				s[k] = (unsigned char)(0x20 + (r >> 8) % 0x5f);
		}
		for (k = 0; k < len; k++)
			fprintf(in.f, "%02x", s[k]);
		fputs(" {", in.f);
		json_bytes_field(in.f, "path", s, len);
		fputs("}\n", in.f);
	}
	input = capture_end(&in);
	got = run_python(prog, input, strlen(input));
	ck_assert_uint_eq(strlen(got), n);
	for (i = 0; i < n; i++)
		ck_assert_msg(got[i] == '1', "line %zu: python could not recover the exact bytes", i);
	free(input);
	free(got);
}
END_TEST

Suite *make_json_suite(void);

Suite *
make_json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");
	TCase *oracle = tcase_create("python");

	tcase_add_loop_test(tc, test_utf8_valid_table, 0,
	    (int)(sizeof(utf8_cases) / sizeof(utf8_cases[0])));
	tcase_add_loop_test(tc, test_json_string_table, 0,
	    (int)(sizeof(str_cases) / sizeof(str_cases[0])));
	tcase_add_test(tc, test_json_cstr_null);
	tcase_add_loop_test(tc, test_base64_rfc4648, 0,
	    (int)(sizeof(b64_cases) / sizeof(b64_cases[0])));
	tcase_add_test(tc, test_bytes_field_utf8_has_no_b64);
	tcase_add_test(tc, test_bytes_field_invalid_has_b64);
	suite_add_tcase(s, tc);

	tcase_set_timeout(oracle, 60);
	tcase_add_test(oracle, test_utf8_valid_matches_python);
	tcase_add_test(oracle, test_json_string_matches_python);
	tcase_add_test(oracle, test_base64_matches_python);
	tcase_add_test(oracle, test_bytes_field_python_recovers_bytes);
	suite_add_tcase(s, oracle);
	return s;
}
