/* SPDX-License-Identifier: MIT */
/* send.c - uploading a bundle to the collector over mutual TLS, and what its answer means. */
#include "config.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "buf.h"
#include "json.h"
#include "send.h"

struct send {
	CURL *curl;
	struct curl_slist *headers;
	char *url, *ca, *cert, *key;
	char errbuf[CURL_ERROR_SIZE];
	/* the upload in progress */
	int fd;
	uint64_t size, sent;
	int read_errno;		/* set when reading the bundle failed */
	bool short_file;	/* the file ended before size bytes */
	struct buf answer;
	bool answer_cut;
};

/* --- the answer: one JSON object, parsed minimally but strictly --- */

#define JSON_DEPTH_MAX 16

struct jp {
	const char *p, *end;
};

static void
skip_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int
hex4(struct jp *j, unsigned *out)
{
	unsigned v = 0;
	int i;

	if (j->end - j->p < 4)
		return DRIFT_EFORMAT;
	for (i = 0; i < 4; i++) {
		char c = *j->p++;

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return DRIFT_EFORMAT;
	}
	*out = v;
	return 0;
}

/* Append c to dst (size cap) if it fits; control characters become '?'. */
static void
put_byte(char *dst, size_t cap, size_t *n, unsigned char c)
{
	if (dst == NULL || *n + 1 >= cap)
		return;
	dst[(*n)++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	dst[*n] = '\0';
}

static void
put_utf8(char *dst, size_t cap, size_t *n, unsigned cp)
{
	if (cp < 0x80) {
		put_byte(dst, cap, n, (unsigned char)cp);
	} else if (cp < 0x800) {
		if (*n + 3 >= cap)
			return;
		put_byte(dst, cap, n, (unsigned char)(0xc0 | (cp >> 6)));
		put_byte(dst, cap, n, (unsigned char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		if (*n + 4 >= cap)
			return;
		put_byte(dst, cap, n, (unsigned char)(0xe0 | (cp >> 12)));
		put_byte(dst, cap, n, (unsigned char)(0x80 | ((cp >> 6) & 0x3f)));
		put_byte(dst, cap, n, (unsigned char)(0x80 | (cp & 0x3f)));
	} else {
		if (*n + 5 >= cap)
			return;
		put_byte(dst, cap, n, (unsigned char)(0xf0 | (cp >> 18)));
		put_byte(dst, cap, n, (unsigned char)(0x80 | ((cp >> 12) & 0x3f)));
		put_byte(dst, cap, n, (unsigned char)(0x80 | ((cp >> 6) & 0x3f)));
		put_byte(dst, cap, n, (unsigned char)(0x80 | (cp & 0x3f)));
	}
}

/*
 * A string literal at j->p ('"'); its decoded text goes to dst (may be
 * NULL), truncated to cap. A multi-byte character is never cut in half.
 */
static int
parse_string(struct jp *j, char *dst, size_t cap)
{
	size_t n = 0;
	unsigned cp, lo;

	if (dst != NULL && cap > 0)
		dst[0] = '\0';
	if (j->p >= j->end || *j->p != '"')
		return DRIFT_EFORMAT;
	j->p++;
	while (j->p < j->end) {
		unsigned char c = (unsigned char)*j->p++;

		if (c == '"')
			return 0;
		if (c < 0x20)
			return DRIFT_EFORMAT;
		if (c != '\\') {
			/* whole UTF-8 sequences only (the body was validated) */
			size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;

			if (n + len >= cap)
				dst = NULL;	/* full: keep parsing, stop copying */
			put_byte(dst, cap, &n, c);
			for (; len > 1 && j->p < j->end; len--)
				put_byte(dst, cap, &n, (unsigned char)*j->p++);
			continue;
		}
		if (j->p >= j->end)
			return DRIFT_EFORMAT;
		switch (*j->p++) {
		case '"': put_byte(dst, cap, &n, '"'); break;
		case '\\': put_byte(dst, cap, &n, '\\'); break;
		case '/': put_byte(dst, cap, &n, '/'); break;
		case 'b': case 'f': case 'n': case 'r': case 't':
			put_byte(dst, cap, &n, ' ');
			break;
		case 'u':
			if (hex4(j, &cp) < 0)
				return DRIFT_EFORMAT;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return DRIFT_EFORMAT;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u')
					return DRIFT_EFORMAT;
				j->p += 2;
				if (hex4(j, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
					return DRIFT_EFORMAT;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			put_utf8(dst, cap, &n, cp);
			break;
		default:
			return DRIFT_EFORMAT;
		}
	}
	return DRIFT_EFORMAT;
}

/* A number per RFC 8259; its text goes to dst when it fits. */
static int
parse_number(struct jp *j, char *dst, size_t cap)
{
	const char *start = j->p;
	bool digits;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0') {
		j->p++;
	} else {
		for (digits = false; j->p < j->end && *j->p >= '0' && *j->p <= '9'; j->p++)
			digits = true;
		if (!digits)
			return DRIFT_EFORMAT;
	}
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		for (digits = false; j->p < j->end && *j->p >= '0' && *j->p <= '9'; j->p++)
			digits = true;
		if (!digits)
			return DRIFT_EFORMAT;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		for (digits = false; j->p < j->end && *j->p >= '0' && *j->p <= '9'; j->p++)
			digits = true;
		if (!digits)
			return DRIFT_EFORMAT;
	}
	if (dst != NULL && (size_t)(j->p - start) < cap) {
		memcpy(dst, start, (size_t)(j->p - start));
		dst[j->p - start] = '\0';
	}
	return 0;
}

static int parse_value(struct jp *j, int depth, struct send_result *top);

static int
literal(struct jp *j, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
		return DRIFT_EFORMAT;
	j->p += n;
	return 0;
}

/* An object; when top is not NULL its known members are copied there. */
static int
parse_object(struct jp *j, int depth, struct send_result *top)
{
	char key[32];
	int r;

	j->p++;	/* '{' */
	skip_ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		return 0;
	}
	for (;;) {
		char *dst = NULL;
		size_t cap = 0;

		skip_ws(j);
		if ((r = parse_string(j, key, sizeof(key))) < 0)
			return r;
		skip_ws(j);
		if (j->p >= j->end || *j->p++ != ':')
			return DRIFT_EFORMAT;
		skip_ws(j);
		if (top != NULL) {
			if (strcmp(key, "status") == 0)
				dst = top->status, cap = sizeof(top->status);
			else if (strcmp(key, "host") == 0)
				dst = top->host, cap = sizeof(top->host);
			else if (strcmp(key, "baseline") == 0)
				dst = top->baseline, cap = sizeof(top->baseline);
			else if (strcmp(key, "error") == 0)
				dst = top->reason, cap = sizeof(top->reason);
		}
		if (dst != NULL && j->p < j->end && *j->p == '"')
			r = parse_string(j, dst, cap);
		else if (dst != NULL && j->p < j->end && (*j->p == '-' || (*j->p >= '0' && *j->p <= '9')))
			r = parse_number(j, dst, cap);
		else
			r = parse_value(j, depth + 1, NULL);
		if (r < 0)
			return r;
		skip_ws(j);
		if (j->p >= j->end)
			return DRIFT_EFORMAT;
		if (*j->p == '}') {
			j->p++;
			return 0;
		}
		if (*j->p++ != ',')
			return DRIFT_EFORMAT;
	}
}

static int
parse_value(struct jp *j, int depth, struct send_result *top)
{
	int r;

	if (depth > JSON_DEPTH_MAX)
		return DRIFT_EFORMAT;
	skip_ws(j);
	if (j->p >= j->end)
		return DRIFT_EFORMAT;
	switch (*j->p) {
	case '{':
		return parse_object(j, depth, top);
	case '[':
		j->p++;
		skip_ws(j);
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			return 0;
		}
		for (;;) {
			if ((r = parse_value(j, depth + 1, NULL)) < 0)
				return r;
			skip_ws(j);
			if (j->p >= j->end)
				return DRIFT_EFORMAT;
			if (*j->p == ']') {
				j->p++;
				return 0;
			}
			if (*j->p++ != ',')
				return DRIFT_EFORMAT;
		}
	case '"':
		return parse_string(j, NULL, 0);
	case 't':
		return literal(j, "true");
	case 'f':
		return literal(j, "false");
	case 'n':
		return literal(j, "null");
	default:
		return parse_number(j, NULL, 0);
	}
}

int
send_parse_answer(const char *body, size_t len, struct send_result *res)
{
	struct send_result tmp;
	struct jp j = { body, body + len };
	int r;

	memset(&tmp, 0, sizeof(tmp));
	if (body == NULL || !utf8_valid(body, len))
		return DRIFT_EFORMAT;
	skip_ws(&j);
	if (j.p >= j.end || *j.p != '{')
		return DRIFT_EFORMAT;
	if ((r = parse_value(&j, 0, &tmp)) < 0)
		return r;
	skip_ws(&j);
	if (j.p != j.end)
		return DRIFT_EFORMAT;
	memcpy(res->status, tmp.status, sizeof(res->status));
	memcpy(res->host, tmp.host, sizeof(res->host));
	memcpy(res->baseline, tmp.baseline, sizeof(res->baseline));
	memcpy(res->reason, tmp.reason, sizeof(res->reason));
	return 0;
}

/* --- the transfer --- */

static size_t
read_cb(char *dst, size_t size, size_t nmemb, void *ctx)
{
	struct send *s = ctx;
	size_t want = size * nmemb;
	ssize_t n;

	if (want > s->size - s->sent)
		want = (size_t)(s->size - s->sent);
	if (want == 0)
		return 0;
	do
		n = read(s->fd, dst, want);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		s->read_errno = errno;
		return CURL_READFUNC_ABORT;
	}
	if (n == 0) {
		s->short_file = true;
		return CURL_READFUNC_ABORT;
	}
	s->sent += (uint64_t)n;
	return (size_t)n;
}

static int
seek_cb(void *ctx, curl_off_t offset, int origin)
{
	struct send *s = ctx;

	if (origin != SEEK_SET || offset < 0 || (uint64_t)offset > s->size)
		return CURL_SEEKFUNC_CANTSEEK;
	if (lseek(s->fd, (off_t)offset, SEEK_SET) < 0)
		return CURL_SEEKFUNC_FAIL;
	s->sent = (uint64_t)offset;
	return CURL_SEEKFUNC_OK;
}

/* The answer is bounded: what passes SEND_ANSWER_MAX is dropped, not an error. */
static size_t
write_cb(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct send *s = ctx;
	size_t n = size * nmemb;

	if (!s->answer_cut && buf_add(&s->answer, data, n) < 0)
		s->answer_cut = true;
	return n;
}

static char *
dup_or_null(const char *s, bool *oom)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*oom = true;
	return d;
}

#define CERT_MAX_BYTES	(256 * 1024)
#define HOST_ID_MAX	255

int
send_cert_name(const char *path, char **cn, struct drift_error *err)
{
	struct buf pem = BUF_INIT(CERT_MAX_BYTES);
	X509 *x = NULL;
	BIO *bio = NULL;
	X509_NAME *subj;
	char name[HOST_ID_MAX + 2], *dup;
	size_t i, len;
	int fd = -1, idx, n, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		r = drift_error_errno(err, errno, "cannot read '%s'", path);
		goto out;
	}
	if ((r = buf_read_fd(&pem, fd)) < 0) {
		if (r == DRIFT_ETOOBIG)
			r = drift_error_set(err, r, "'%s': larger than %d KiB; not a certificate",
			    path, CERT_MAX_BYTES / 1024);
		else
			r = drift_error_errno(err, errno, "cannot read '%s'", path);
		goto out;
	}
	if (pem.len == 0 || (bio = BIO_new_mem_buf(pem.data, (int)pem.len)) == NULL ||
	    (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL) {
		r = drift_error_set(err, DRIFT_EFORMAT, "'%s': not a PEM certificate", path);
		goto out;
	}
	subj = X509_get_subject_name(x);
	if ((idx = X509_NAME_get_index_by_NID(subj, NID_commonName, -1)) < 0) {
		r = drift_error_set(err, DRIFT_ENOTFOUND, "'%s': the certificate has no common name (CN)", path);
		goto out;
	}
	/* the raw text, checked below: it becomes a file-name-safe host id */
	n = X509_NAME_get_text_by_NID(subj, NID_commonName, name, sizeof(name));
	len = n > 0 ? strlen(name) : 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && (i == 0 || strchr(".-_", name[i]) == NULL))
			break;
	if (n <= 0 || (size_t)n != len || len > HOST_ID_MAX || i < len) {
		r = drift_error_set(err, DRIFT_EFORMAT, "'%s': the certificate's common name is not a valid "
		    "host id (1 to %d letters, digits, '.', '-' or '_'); set host_id in the configuration",
		    path, HOST_ID_MAX);
		goto out;
	}
	if ((dup = strdup(name)) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto out;
	}
	*cn = dup;
	r = 0;
out:
	X509_free(x);
	BIO_free(bio);
	buf_release(&pem);
	if (fd >= 0)
		close(fd);
	return r;
}

#define SETOPT(opt, val) do { \
	if ((cc = curl_easy_setopt(s->curl, opt, val)) != CURLE_OK) { \
		r = drift_error_set(err, DRIFT_EUNSUPPORTED, "libcurl: setting " #opt ": %s", \
		    curl_easy_strerror(cc)); \
		goto fail; \
	} \
} while (0)

int
send_new(struct send **out, const struct send_options *o, struct drift_error *err)
{
	struct send *s;
	struct curl_slist *h;
	bool oom = false;
	size_t n;
	CURLcode cc;
	int r;

	if (o->collector == NULL || strncmp(o->collector, "https://", 8) != 0)
		return drift_error_set(err, DRIFT_EINVAL, "collector '%s': not an https:// URL",
		    o->collector != NULL ? o->collector : "");
	if (o->ca == NULL || o->cert == NULL || o->key == NULL)
		return drift_error_set(err, DRIFT_EINVAL, "tls.ca, tls.cert and tls.key are all required");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return drift_error_set(err, DRIFT_EINTERNAL, "libcurl cannot be initialised");
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		curl_global_cleanup();
		return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
	}
	s->fd = -1;
	buf_init(&s->answer, SEND_ANSWER_MAX);
	n = strlen(o->collector);
	while (n > 8 && o->collector[n - 1] == '/')
		n--;
	if ((s->url = malloc(n + sizeof(SEND_PATH))) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto fail;
	}
	memcpy(s->url, o->collector, n);
	memcpy(s->url + n, SEND_PATH, sizeof(SEND_PATH));
	s->ca = dup_or_null(o->ca, &oom);
	s->cert = dup_or_null(o->cert, &oom);
	s->key = dup_or_null(o->key, &oom);
	if (oom || (s->curl = curl_easy_init()) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto fail;
	}
	if ((h = curl_slist_append(NULL, "Content-Type: application/octet-stream")) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto fail;
	}
	s->headers = h;
	/* no "Expect: 100-continue" (curl's habit for large posts): a round trip per upload */
	if ((h = curl_slist_append(s->headers, "Accept: application/json")) == NULL ||
	    (h = curl_slist_append(s->headers, "Expect:")) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto fail;
	}
	SETOPT(CURLOPT_URL, s->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	SETOPT(CURLOPT_PROTOCOLS_STR, "https");
	SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else
	SETOPT(CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
	SETOPT(CURLOPT_REDIR_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	SETOPT(CURLOPT_USERAGENT, "drift-agent/" PACKAGE_VERSION);
	SETOPT(CURLOPT_ERRORBUFFER, s->errbuf);
	SETOPT(CURLOPT_CONNECTTIMEOUT, o->connect_timeout > 0 ? o->connect_timeout : (long)SEND_CONNECT_TIMEOUT);
	SETOPT(CURLOPT_TIMEOUT, o->timeout > 0 ? o->timeout : (long)SEND_TIMEOUT);
	/* only tls.ca vouches for the collector: no system store, no CA directory */
	SETOPT(CURLOPT_CAINFO, s->ca);
	SETOPT(CURLOPT_CAPATH, (char *)NULL);
	SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
	SETOPT(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	SETOPT(CURLOPT_SSLCERTTYPE, "PEM");
	SETOPT(CURLOPT_SSLCERT, s->cert);
	SETOPT(CURLOPT_SSLKEYTYPE, "PEM");
	SETOPT(CURLOPT_SSLKEY, s->key);
	SETOPT(CURLOPT_POST, 1L);
	SETOPT(CURLOPT_HTTPHEADER, s->headers);
	SETOPT(CURLOPT_READFUNCTION, read_cb);
	SETOPT(CURLOPT_READDATA, s);
	SETOPT(CURLOPT_SEEKFUNCTION, seek_cb);
	SETOPT(CURLOPT_SEEKDATA, s);
	SETOPT(CURLOPT_WRITEFUNCTION, write_cb);
	SETOPT(CURLOPT_WRITEDATA, s);
	*out = s;
	return 0;
fail:
	send_free(s);
	return r;
}

void
send_free(struct send *s)
{
	if (s == NULL)
		return;
	if (s->curl != NULL)
		curl_easy_cleanup(s->curl);
	curl_slist_free_all(s->headers);
	buf_release(&s->answer);
	free(s->url);
	free(s->ca);
	free(s->cert);
	free(s->key);
	free(s);
	curl_global_cleanup();
}

/* Problems on this host that waiting will not fix: the operator must act. */
static bool
local_problem(CURLcode cc)
{
	switch (cc) {
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_CIPHER:
	case CURLE_READ_ERROR:
	case CURLE_ABORTED_BY_CALLBACK:
	case CURLE_OUT_OF_MEMORY:
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_FAILED_INIT:
	case CURLE_NOT_BUILT_IN:
	case CURLE_BAD_FUNCTION_ARGUMENT:
	case CURLE_UNKNOWN_OPTION:
		return true;
	default:
		return false;
	}
}

static void
transport_reason(struct send *s, CURLcode cc, struct send_result *res)
{
	const char *detail = s->errbuf[0] != '\0' ? s->errbuf : curl_easy_strerror(cc);
	char *nl;

	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		snprintf(res->reason, sizeof(res->reason), "cannot resolve the collector's host name (%s)", detail);
		break;
	case CURLE_COULDNT_CONNECT:
		snprintf(res->reason, sizeof(res->reason), "cannot connect to the collector (%s)", detail);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(res->reason, sizeof(res->reason), "the collector did not answer in time (%s)", detail);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		snprintf(res->reason, sizeof(res->reason),
		    "the collector's certificate is not verified by tls.ca '%s', so nothing was sent (%s)",
		    s->ca, detail);
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		/* with TLS 1.3 a collector refusing tls.cert often shows only as a broken connection */
		snprintf(res->reason, sizeof(res->reason), "the connection to the collector broke: %s (%s); "
		    "if this repeats, check that the collector trusts tls.cert '%s'",
		    curl_easy_strerror(cc), detail, s->cert);
		break;
	default:
		if (s->errbuf[0] != '\0')
			snprintf(res->reason, sizeof(res->reason), "talking to the collector failed: %s (%s)",
			    curl_easy_strerror(cc), s->errbuf);
		else
			snprintf(res->reason, sizeof(res->reason), "talking to the collector failed: %s",
			    curl_easy_strerror(cc));
		break;
	}
	while ((nl = strpbrk(res->reason, "\r\n")) != NULL)
		*nl = ' ';
}

int
send_bundle(struct send *s, int fd, uint64_t size, struct send_result *res,
    struct drift_error *err)
{
	struct send_result rr;
	CURLcode cc;
	long status = 0;
	bool parsed;

	memset(&rr, 0, sizeof(rr));
	if (lseek(fd, 0, SEEK_SET) < 0)
		return drift_error_errno(err, errno, "cannot read the bundle");
	s->fd = fd;
	s->size = size;
	s->sent = 0;
	s->read_errno = 0;
	s->short_file = false;
	s->errbuf[0] = '\0';
	buf_reset(&s->answer);
	s->answer_cut = false;
	if ((cc = curl_easy_setopt(s->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)size)) != CURLE_OK)
		return drift_error_set(err, DRIFT_EINTERNAL, "libcurl: %s", curl_easy_strerror(cc));
	cc = curl_easy_perform(s->curl);
	s->fd = -1;
	if (s->read_errno != 0)
		return drift_error_errno(err, s->read_errno, "cannot read the bundle");
	if (s->short_file)
		return drift_error_set(err, DRIFT_EIO, "the bundle became shorter while it was sent");
	if (cc != CURLE_OK) {
		if (local_problem(cc)) {
			const char *detail = s->errbuf[0] != '\0' ? s->errbuf : curl_easy_strerror(cc);

			if (cc == CURLE_SSL_CERTPROBLEM)
				return drift_error_set(err, DRIFT_ECONFIG, "tls.cert '%s' / tls.key '%s' cannot be used: %s",
				    s->cert, s->key, detail);
			if (cc == CURLE_SSL_CACERT_BADFILE)
				return drift_error_set(err, DRIFT_ECONFIG, "tls.ca '%s' cannot be used: %s", s->ca, detail);
			return drift_error_set(err, cc == CURLE_OUT_OF_MEMORY ? DRIFT_ENOMEM : DRIFT_EIO,
			    "sending to the collector: %s", detail);
		}
		rr.outcome = SEND_TRANSIENT;
		transport_reason(s, cc, &rr);
		*res = rr;
		return 0;
	}
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
	rr.http_status = status;
	parsed = s->answer.data != NULL && !s->answer_cut &&
	    send_parse_answer(s->answer.data, s->answer.len, &rr) == 0;
	if (status == 200) {
		if (parsed && (strcmp(rr.status, "stored") == 0 || strcmp(rr.status, "unchanged") == 0)) {
			rr.outcome = SEND_ACKNOWLEDGED;
			rr.reason[0] = '\0';
		} else {
			rr.outcome = SEND_TRANSIENT;
			snprintf(rr.reason, sizeof(rr.reason), "the collector answered 200 without a receipt "
			    "(expected {\"status\": \"stored\"|\"unchanged\"}); is '%s' a drift collector?", s->url);
		}
	} else if (status >= 400 && status < 500 && status != 408 && status != 429) {
		rr.outcome = SEND_REFUSED;
		if (!parsed || rr.reason[0] == '\0')
			snprintf(rr.reason, sizeof(rr.reason), "HTTP %ld, no explanation given", status);
	} else {
		rr.outcome = SEND_TRANSIENT;
		if (!parsed || rr.reason[0] == '\0')
			snprintf(rr.reason, sizeof(rr.reason), "the collector answered HTTP %ld", status);
	}
	if (rr.outcome != SEND_ACKNOWLEDGED)
		rr.status[0] = rr.host[0] = rr.baseline[0] = '\0';
	*res = rr;
	return 0;
}
