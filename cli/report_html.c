/* SPDX-License-Identifier: MIT */
/* report_html.c - drift report --format html: summary, hosts, timeline and every change on one page. */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "buf.h"
#include "error.h"
#include "json.h"
#include "quote.h"
#include "report.h"

struct host_stat {
	char *name;
	size_t events, changes;
	size_t uevents, pevents;	/* unplanned and planned events */
	size_t unplanned, planned;	/* their changes */
	size_t critical, warning;	/* new failed findings */
};

/* A row of the timeline, sorted by time once every event is in. */
struct tl_entry {
	int64_t to_ns, to_id;
	size_t host, seq;	/* seq: arrival order, so equal times keep it */
	size_t nchanges, critical;
	bool planned;
	char *reason;
	int64_t window_id;
};

/* The detail of the unplanned or of the planned changes, grouped by host. */
struct part {
	FILE *f;		/* an open_memstream */
	char *buf;
	size_t len;
	size_t last_host;	/* SIZE_MAX: no group open */
};

struct report_html {
	struct host_stat *hosts;
	size_t nhosts, hosts_cap;
	struct tl_entry *tl;
	size_t ntl, tl_cap;
	struct part part[2];	/* unplanned, planned */
};

static const char *const part_name[2] = { "unplanned", "planned" };

static const char style[] =
    "body{font:14px/1.45 sans-serif;margin:2em;color:#111}"
    "h1{font-size:1.5em}h2{font-size:1.25em;border-bottom:1px solid #999;margin-top:2em}"
    "h3{font-size:1.05em;margin:.3em 0}h3.host{font-size:1.15em;margin-top:1.5em}"
    "table{border-collapse:collapse;margin:.5em 0}"
    "th,td{border:1px solid #bbb;padding:.2em .5em;text-align:left;vertical-align:top}"
    "td.n{text-align:right}th{background:#eee}"
    "pre{background:#f6f6f6;border:1px solid #ddd;padding:.6em;white-space:pre-wrap;overflow-wrap:anywhere}"
    "code{overflow-wrap:anywhere}"
    "article{margin:1em 0 1.5em;padding-left:.8em;border-left:6px solid #999}"
    "article.unplanned{border-left-color:#c62828}article.planned{border-left-color:#2e7d32}"
    ".tag{font-weight:bold;padding:0 .3em;border:1px solid;border-radius:.2em}"
    ".unplanned .tag,.unplanned.tag{color:#c62828}.planned .tag,.planned.tag{color:#2e7d32}"
    ".critical{color:#c62828;font-weight:bold}.warning{color:#a15c00;font-weight:bold}"
    ".meta{color:#444;margin:.2em 0}"
    "@media print{body{margin:0;font-size:10pt}a{color:inherit;text-decoration:none}"
    "h2,h3{break-after:avoid}tr{break-inside:avoid}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/* --- escaping --- */

/* The length of the valid UTF-8 sequence at p, or 0. */
static size_t
utf8_len(const unsigned char *p, size_t len)
{
	size_t k = p[0] < 0x80 ? 1 : p[0] >= 0xc2 && p[0] <= 0xdf ? 2 :
	    p[0] >= 0xe0 && p[0] <= 0xef ? 3 : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : 0;

	return k != 0 && k <= len && utf8_valid(p, k) ? k : 0;
}

/* Text or an attribute value: markup escaped, control bytes and bytes that are not UTF-8 as \xHH. */
static void
esc_n(FILE *f, const void *s, size_t len)
{
	const unsigned char *p = s;
	size_t i = 0, k;

	while (i < len) {
		switch (p[i]) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		case '\n': case '\t': putc(p[i], f); break;
		default:
			if (p[i] < 0x20 || p[i] == 0x7f || (k = utf8_len(p + i, len - i)) == 0)
				fprintf(f, "\\x%02x", p[i]);
			else {
				fwrite(p + i, 1, k, f);
				i += k;
				continue;
			}
		}
		i++;
	}
}

static void
esc(FILE *f, const char *s)
{
	if (s != NULL)
		esc_n(f, s, strlen(s));
}

/* A path as the text report shows it (quote_path), escaped. */
static int
esc_path(FILE *f, const void *path, size_t len)
{
	char *q = NULL;
	size_t qlen = 0;
	FILE *m;

	if ((m = open_memstream(&q, &qlen)) == NULL)
		return DRIFT_ENOMEM;
	quote_path(m, path, len);
	if (fclose(m) != 0) {
		free(q);
		return DRIFT_ENOMEM;
	}
	esc_n(f, q, qlen);
	free(q);
	return 0;
}

/*
 * The id of a host's group in a part, or of its row (prefix "host"). Store
 * host ids are [A-Za-z0-9._-], fine in an id and a URL fragment as they are;
 * anything else gets its number after '~', which no host id contains.
 */
static void
put_host_id(FILE *f, const char *prefix, const struct report_html *h, size_t i)
{
	if (store_host_id_valid(h->hosts[i].name))
		fprintf(f, "%s-%s", prefix, h->hosts[i].name);
	else
		fprintf(f, "%s~%zu", prefix, i);
}

static void
link_host(FILE *f, const char *prefix, const struct report_html *h, size_t i, const char *text)
{
	fputs("<a href=\"#", f);
	put_host_id(f, prefix, h, i);
	fputs("\">", f);
	esc(f, text);
	fputs("</a>", f);
}

/* --- the new findings: a JSON array of objects, as lib/store.c writes them --- */

enum { F_RULE, F_CHECK, F_SEVERITY, F_STATUS, F_SUBJECT, F_SUBJECT_B64, F_MESSAGE, F_REMEDY,
	F_STANDARD, NFIELDS };
static const char *const field_name[NFIELDS] = { "rule", "check", "severity", "status", "subject",
	"subject_b64", "message", "remedy", "standard" };

struct jp {
	const char *p, *end;
};

static void
jp_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

/* Skip blanks; then true, past it, when c is next. */
static bool
jp_eat(struct jp *j, char c)
{
	jp_ws(j);
	if (j->p < j->end && *j->p == c) {
		j->p++;
		return true;
	}
	return false;
}

static int
jp_hex4(struct jp *j, unsigned *v)
{
	int i;

	if (j->end - j->p < 4)
		return DRIFT_EFORMAT;
	for (*v = 0, i = 0; i < 4; i++, j->p++) {
		if (!isxdigit((unsigned char)*j->p))
			return DRIFT_EFORMAT;
		*v = *v * 16 + (unsigned)(isdigit((unsigned char)*j->p) ? *j->p - '0' :
		    tolower((unsigned char)*j->p) - 'a' + 10);
	}
	return 0;
}

static int
put_utf8(struct buf *b, unsigned cp)
{
	unsigned char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | cp >> 6);
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | cp >> 12);
		u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | cp >> 18);
		u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_add(b, u, n);
}

/* A string at j->p (after blanks), decoded into out (NULL: skipped). */
static int
jp_string(struct jp *j, struct buf *out)
{
	const char *s;
	unsigned cp, lo;
	int r;

	if (!jp_eat(j, '"'))
		return DRIFT_EFORMAT;
	for (;;) {
		for (s = j->p; j->p < j->end && *j->p != '"' && *j->p != '\\'; j->p++)
			;
		if (out != NULL && (r = buf_add(out, s, (size_t)(j->p - s))) < 0)
			return r;
		if (j->p >= j->end)
			return DRIFT_EFORMAT;
		if (*j->p++ == '"')
			return 0;
		if (j->p >= j->end)
			return DRIFT_EFORMAT;
		switch (*j->p++) {
		case '"': cp = '"'; break;
		case '\\': cp = '\\'; break;
		case '/': cp = '/'; break;
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			if ((r = jp_hex4(j, &cp)) < 0)
				return r;
			if (cp >= 0xd800 && cp <= 0xdbff && j->end - j->p >= 6 && j->p[0] == '\\' &&
			    j->p[1] == 'u') {
				j->p += 2;
				if ((r = jp_hex4(j, &lo)) < 0)
					return r;
				if (lo >= 0xdc00 && lo <= 0xdfff)
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				else
					j->p -= 6;	/* not a pair: read lo on its own */
			}
			if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;
			break;
		default:
			return DRIFT_EFORMAT;
		}
		if (out != NULL && (r = put_utf8(out, cp)) < 0)
			return r;
	}
}

/* Any value (a number, true, false, null, a string, an array or object). */
static int
jp_skip(struct jp *j, int depth)
{
	char close;
	int r;

	if (depth > 32)
		return DRIFT_EFORMAT;
	if (jp_eat(j, '{'))
		close = '}';
	else if (jp_eat(j, '['))
		close = ']';
	else if (j->p < j->end && *j->p == '"')
		return jp_string(j, NULL);
	else if (j->p < j->end && *j->p != '\0' && strchr("-0123456789tfn", *j->p) != NULL) {
		while (j->p < j->end && (isalnum((unsigned char)*j->p) || *j->p == '+' ||
		    *j->p == '-' || *j->p == '.'))
			j->p++;
		return 0;
	} else
		return DRIFT_EFORMAT;
	if (jp_eat(j, close))
		return 0;
	do {
		if (close == '}') {
			if ((r = jp_string(j, NULL)) < 0)
				return r;
			if (!jp_eat(j, ':'))
				return DRIFT_EFORMAT;
		}
		if ((r = jp_skip(j, depth + 1)) < 0)
			return r;
	} while (jp_eat(j, ','));
	return jp_eat(j, close) ? 0 : DRIFT_EFORMAT;
}

static const char *
bstr(const struct buf *b)
{
	return b->data != NULL ? b->data : "";
}

static int
b64_decode(const char *s, struct buf *out)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned v = 0, bits = 0;
	const char *q;
	int r;

	for (; *s != '\0' && *s != '='; s++) {
		if ((q = strchr(tbl, *s)) == NULL)
			return DRIFT_EFORMAT;
		v = (v << 6 | (unsigned)(q - tbl)) & 0xffffff;
		if ((bits += 6) >= 8) {
			bits -= 8;
			if ((r = buf_addch(out, (int)(v >> bits & 0xff))) < 0)
				return r;
		}
	}
	return 0;
}

/* One finding as a table row; counts its failure in *critical / *warning. */
static int
finding_row(FILE *f, struct buf *v, size_t *critical, size_t *warning)
{
	const char *sev = bstr(&v[F_SEVERITY]), *msg = bstr(&v[F_MESSAGE]), *req;
	bool failed = strcmp(bstr(&v[F_STATUS]), "unevaluated") != 0;
	struct buf raw = BUF_INIT(STORE_EVENT_MAX);
	size_t i;
	int r = 0;

	if (failed && strcmp(sev, "critical") == 0)
		++*critical;
	else if (failed && strcmp(sev, "warning") == 0)
		++*warning;
	fprintf(f, "<tr><td class=\"%s\">", strcmp(sev, "critical") == 0 ? "critical" :
	    strcmp(sev, "warning") == 0 ? "warning" : "info");
	for (i = 0; sev[i] != '\0'; i++) {
		char u = (char)toupper((unsigned char)sev[i]);

		esc_n(f, &u, 1);
	}
	fputs(failed ? "" : " <small>(could not be checked)</small>", f);
	fputs("</td><td>", f);
	esc(f, bstr(&v[F_RULE]));
	fputs("<br><small>", f);
	esc(f, bstr(&v[F_STANDARD]));
	fputs("</small></td><td><code>", f);
	if (v[F_SUBJECT_B64].len > 0 && (r = b64_decode(bstr(&v[F_SUBJECT_B64]), &raw)) < 0)
		goto out;
	if (raw.len > 0)
		r = esc_path(f, raw.data, raw.len);
	else
		r = esc_path(f, bstr(&v[F_SUBJECT]), v[F_SUBJECT].len);
	if (r < 0)
		goto out;
	/* "mode is 0644; the standard requires 0600": what was found, what is required */
	fputs("</code></td><td>", f);
	if ((req = strstr(msg, "; the standard ")) != NULL) {
		esc_n(f, msg, (size_t)(req - msg));
		req += strlen("; the standard ");
		if (strncmp(req, "requires ", 9) == 0 && strcmp(req + 9, "it") != 0 &&
		    strcmp(req + 9, "one") != 0 && strncmp(req + 9, "it ", 3) != 0)
			req += 9;
		fputs("</td><td>", f);
		esc(f, req);
	} else {
		esc(f, msg);
		fputs("</td><td><small>check: ", f);
		esc(f, bstr(&v[F_CHECK]));
		fputs("</small>", f);
	}
	fputs("</td><td><code>", f);
	esc(f, bstr(&v[F_REMEDY]));
	fputs("</code></td></tr>\n", f);
out:
	buf_release(&raw);
	return r;
}

/* The rows of every finding in json; DRIFT_EFORMAT when it is not an array of objects. */
static int
finding_rows(FILE *f, const char *json, size_t *nrows, size_t *critical, size_t *warning)
{
	struct jp j = { json, json + strlen(json) };
	struct buf v[NFIELDS], key = BUF_INIT(STORE_EVENT_MAX);
	size_t i;
	int r = DRIFT_EFORMAT;

	for (i = 0; i < NFIELDS; i++)
		buf_init(&v[i], STORE_EVENT_MAX);
	if (!jp_eat(&j, '['))
		goto out;
	if (jp_eat(&j, ']')) {
		r = 0;
		goto out;
	}
	do {
		if (!jp_eat(&j, '{')) {
			r = DRIFT_EFORMAT;
			goto out;
		}
		for (i = 0; i < NFIELDS; i++)
			buf_reset(&v[i]);
		if (!jp_eat(&j, '}')) {
			do {
				buf_reset(&key);
				if ((r = jp_string(&j, &key)) < 0)
					goto out;
				if (!jp_eat(&j, ':')) {
					r = DRIFT_EFORMAT;
					goto out;
				}
				for (i = 0; i < NFIELDS && strcmp(bstr(&key), field_name[i]) != 0; i++)
					;
				jp_ws(&j);
				if (i < NFIELDS && j.p < j.end && *j.p == '"')
					r = jp_string(&j, &v[i]);
				else
					r = jp_skip(&j, 0);
				if (r < 0)
					goto out;
			} while (jp_eat(&j, ','));
			if (!jp_eat(&j, '}')) {
				r = DRIFT_EFORMAT;
				goto out;
			}
		}
		if ((r = finding_row(f, v, critical, warning)) < 0)
			goto out;
		++*nrows;
	} while (jp_eat(&j, ','));
	r = jp_eat(&j, ']') ? 0 : DRIFT_EFORMAT;
out:
	for (i = 0; i < NFIELDS; i++)
		buf_release(&v[i]);
	buf_release(&key);
	return r;
}

/* The findings table of an event, or what is stored when it cannot be read. */
static int
put_findings(FILE *f, const char *json, size_t *critical, size_t *warning)
{
	char *rows = NULL;
	size_t len = 0, n = 0, c = 0, w = 0;
	FILE *m;
	int r;

	if ((m = open_memstream(&rows, &len)) == NULL)
		return DRIFT_ENOMEM;
	r = finding_rows(m, json, &n, &c, &w);
	if (fclose(m) != 0 && r == 0)
		r = DRIFT_ENOMEM;
	if (r == DRIFT_ENOMEM)
		goto out;
	if (r < 0) {
		fputs("<p class=\"critical\">The new findings of this change could not be read;"
		    " as stored:</p>\n<pre>", f);
		esc(f, json);
		fputs("</pre>\n", f);
	} else if (n > 0) {
		fprintf(f, "<h4>New findings (%zu)</h4>\n<table class=\"findings\"><thead><tr>"
		    "<th>severity</th><th>rule</th><th>subject</th><th>found</th><th>required</th>"
		    "<th>remedy</th></tr></thead>\n<tbody>\n", n);
		fwrite(rows, 1, len, f);
		fputs("</tbody></table>\n", f);
		*critical = c;
		*warning = w;
	}
	r = 0;
out:
	free(rows);
	return r;
}

/* --- gathering --- */

int
report_html_new(struct report_html **out)
{
	struct report_html *h;
	int i;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return DRIFT_ENOMEM;
	for (i = 0; i < 2; i++) {
		h->part[i].last_host = SIZE_MAX;
		if ((h->part[i].f = open_memstream(&h->part[i].buf, &h->part[i].len)) == NULL) {
			report_html_free(h);
			return DRIFT_ENOMEM;
		}
	}
	*out = h;
	return 0;
}

void
report_html_free(struct report_html *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->nhosts; i++)
		free(h->hosts[i].name);
	free(h->hosts);
	for (i = 0; i < h->ntl; i++)
		free(h->tl[i].reason);
	free(h->tl);
	for (i = 0; i < 2; i++) {
		if (h->part[i].f != NULL)
			fclose(h->part[i].f);
		free(h->part[i].buf);
	}
	free(h);
}

static void *
grow(void *v, size_t n, size_t *cap, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 16;
	void *nv;

	if (n < *cap)
		return v;
	if (ncap > SIZE_MAX / size || (nv = realloc(v, ncap * size)) == NULL)
		return NULL;
	*cap = ncap;
	return nv;
}

/* The index of ev's host: events come per host, so it is the last one or a new one. */
static int
host_index(struct report_html *h, const char *name, size_t *i)
{
	struct host_stat *v;

	if (h->nhosts > 0 && strcmp(h->hosts[h->nhosts - 1].name, name) == 0) {
		*i = h->nhosts - 1;
		return 0;
	}
	if ((v = grow(h->hosts, h->nhosts, &h->hosts_cap, sizeof(*v))) == NULL)
		return DRIFT_ENOMEM;
	h->hosts = v;
	memset(&v[h->nhosts], 0, sizeof(*v));
	if ((v[h->nhosts].name = strdup(name)) == NULL)
		return DRIFT_ENOMEM;
	*i = h->nhosts++;
	return 0;
}

/* A change's text ends with its new findings (lib/store.c); the table shows those instead. */
static size_t
diff_len(const char *text, bool has_findings)
{
	const char *p = has_findings ? strstr(text, "\n\nnew findings\n") : NULL;

	return p != NULL ? (size_t)(p - text) + 1 : strlen(text);
}

int
report_html_add(struct report_html *h, const struct store_event *ev)
{
	struct part *pt = &h->part[ev->planned ? 1 : 0];
	const char *kind = part_name[ev->planned ? 1 : 0];
	FILE *f = pt->f;
	struct host_stat *hs;
	struct tl_entry *t;
	char from[48], to[48];
	size_t hi, crit = 0, warn = 0;
	int r;

	if ((r = host_index(h, ev->host, &hi)) < 0)
		return r;
	if ((t = grow(h->tl, h->ntl, &h->tl_cap, sizeof(*t))) == NULL)
		return DRIFT_ENOMEM;
	h->tl = t;
	t = &h->tl[h->ntl];
	memset(t, 0, sizeof(*t));
	if (ev->planned && ev->reason != NULL && (t->reason = strdup(ev->reason)) == NULL)
		return DRIFT_ENOMEM;
	h->ntl++;

	if (pt->last_host != hi) {
		if (pt->last_host != SIZE_MAX)
			fputs("</section>\n", f);
		fputs("<section class=\"host\" id=\"", f);
		put_host_id(f, kind, h, hi);
		fputs("\">\n<h3 class=\"host\">", f);
		esc(f, ev->host);
		fprintf(f, " <small>(%s changes)</small></h3>\n", kind);
		pt->last_host = hi;
	}
	format_time_ns(ev->from_taken_ns, from, sizeof(from));
	format_time_ns(ev->to_taken_ns, to, sizeof(to));
	fprintf(f, "<article class=\"event %s\" id=\"ev-%lld\">\n<h3 class=\"%s\">", kind,
	    (long long)ev->to_id, kind);
	esc(f, ev->host);
	fprintf(f, ": %s &rarr; %s ", from, to);
	if (ev->planned) {
		fputs("<span class=\"tag\">planned: ", f);
		esc(f, ev->reason);
		fprintf(f, "</span> <small>(window %lld)</small>", (long long)ev->window_id);
	} else {
		fputs("<span class=\"tag\">UNPLANNED</span>", f);
	}
	fprintf(f, "</h3>\n<p class=\"meta\">%zu change%s between baselines #%lld and #%lld",
	    ev->nchanges, ev->nchanges == 1 ? "" : "s", (long long)ev->from_id, (long long)ev->to_id);
	if (ev->truncated > 0)
		fprintf(f, " (%zu not shown: too large to keep)", ev->truncated);
	if (ev->clock_skew)
		fputs("; <strong>the host's clock went backwards</strong>", f);
	fputs(" &middot; <a href=\"#timeline\">timeline</a></p>\n<pre>", f);
	esc_n(f, ev->text, diff_len(ev->text, strcmp(ev->findings_json, "[]") != 0));
	fputs("</pre>\n", f);
	if ((r = put_findings(f, ev->findings_json, &crit, &warn)) < 0)
		return r;
	fputs("</article>\n", f);

	hs = &h->hosts[hi];
	hs->events++;
	hs->changes += ev->nchanges;
	if (ev->planned) {
		hs->pevents++;
		hs->planned += ev->nchanges;
	} else {
		hs->uevents++;
		hs->unplanned += ev->nchanges;
	}
	hs->critical += crit;
	hs->warning += warn;
	t->to_ns = ev->to_taken_ns;
	t->to_id = ev->to_id;
	t->host = hi;
	t->seq = h->ntl - 1;
	t->nchanges = ev->nchanges;
	t->critical = crit;
	t->planned = ev->planned;
	t->window_id = ev->window_id;
	return ferror(f) ? DRIFT_ENOMEM : 0;
}

/* --- the page --- */

static int
tl_cmp(const void *a, const void *b)
{
	const struct tl_entry *x = a, *y = b;

	if (x->to_ns != y->to_ns)
		return x->to_ns < y->to_ns ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
put_summary(const struct report_html *h, FILE *f, const char *since, const char *until,
    const char *host_glob)
{
	size_t i, n = 0, changes = 0, events = 0, u = 0, p = 0, ue = 0, pe = 0, crit_hosts = 0;

	for (i = 0; i < h->nhosts; i++) {
		changes += h->hosts[i].changes;
		events += h->hosts[i].events;
		u += h->hosts[i].unplanned;
		p += h->hosts[i].planned;
		ue += h->hosts[i].uevents;
		pe += h->hosts[i].pevents;
		crit_hosts += h->hosts[i].critical > 0;
	}
	fprintf(f, "<h2 id=\"summary\">Summary</h2>\n<table class=\"summary\">\n"
	    "<tr><th>Period (UTC)</th><td><span id=\"sum-since\">%s</span> to <span id=\"sum-until\">%s</span>",
	    since, until);
	if (host_glob != NULL) {
		fputs(", hosts matching <code>", f);
		esc(f, host_glob);
		fputs("</code>", f);
	}
	fprintf(f, "</td></tr>\n"
	    "<tr><th>Hosts with changes</th><td><span id=\"sum-hosts\">%zu</span></td></tr>\n"
	    "<tr><th>Changes</th><td><span id=\"sum-changes\">%zu</span> in "
	    "<span id=\"sum-events\">%zu</span> event%s</td></tr>\n"
	    "<tr><th>Unplanned</th><td><span class=\"unplanned tag\" id=\"sum-unplanned\">%zu</span> "
	    "change%s in <span id=\"sum-unplanned-events\">%zu</span> event%s</td></tr>\n"
	    "<tr><th>Planned (in a maintenance window)</th><td><span id=\"sum-planned\">%zu</span> "
	    "change%s in <span id=\"sum-planned-events\">%zu</span> event%s</td></tr>\n"
	    "<tr><th>Hosts with new critical findings</th><td><span id=\"sum-critical-hosts\">%zu</span>",
	    h->nhosts, changes, events, events == 1 ? "" : "s", u, u == 1 ? "" : "s", ue,
	    ue == 1 ? "" : "s", p, p == 1 ? "" : "s", pe, pe == 1 ? "" : "s", crit_hosts);
	for (i = 0, n = 0; i < h->nhosts; i++) {
		if (h->hosts[i].critical == 0)
			continue;
		fputs(n++ ? ", " : ": ", f);
		fputs("<span class=\"critical\">", f);
		link_host(f, "host", h, i, h->hosts[i].name);
		fputs("</span>", f);
	}
	fputs("</td></tr>\n</table>\n", f);
}

static void
put_count(FILE *f, const char *cls, size_t n, const char *link_prefix, const struct report_html *h,
    size_t i)
{
	char num[32];

	snprintf(num, sizeof(num), "%zu", n);
	fprintf(f, "<td class=\"n %s\">", cls);
	if (link_prefix != NULL && n > 0)
		link_host(f, link_prefix, h, i, num);
	else
		fputs(num, f);
	fputs("</td>", f);
}

static void
put_hosts(const struct report_html *h, FILE *f)
{
	size_t i;

	fputs("<h2 id=\"hosts\">Hosts</h2>\n<table class=\"hosts\"><thead><tr><th>host</th>"
	    "<th>changes</th><th>unplanned</th><th>planned</th><th>new critical</th>"
	    "<th>new warning</th></tr></thead>\n<tbody>\n", f);
	for (i = 0; i < h->nhosts; i++) {
		const struct host_stat *s = &h->hosts[i];

		fputs("<tr id=\"", f);
		put_host_id(f, "host", h, i);
		fputs("\"><td class=\"host\">", f);
		link_host(f, s->uevents > 0 ? "unplanned" : "planned", h, i, s->name);
		fputs("</td>", f);
		put_count(f, "changes", s->changes, NULL, h, i);
		put_count(f, "unplanned", s->unplanned, s->uevents > 0 ? "unplanned" : NULL, h, i);
		put_count(f, "planned", s->planned, s->pevents > 0 ? "planned" : NULL, h, i);
		put_count(f, s->critical > 0 ? "new-critical critical" : "new-critical", s->critical, NULL, h, i);
		put_count(f, "new-warning", s->warning, NULL, h, i);
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

static void
put_timeline(const struct report_html *h, FILE *f)
{
	char when[48];
	size_t i;

	fputs("<h2 id=\"timeline\">Timeline</h2>\n<table class=\"timeline\"><thead><tr>"
	    "<th>time (UTC)</th><th>host</th><th>planned?</th><th>changes</th><th>new critical</th>"
	    "<th>detail</th></tr></thead>\n<tbody>\n", f);
	for (i = 0; i < h->ntl; i++) {
		const struct tl_entry *t = &h->tl[i];

		format_time_ns(t->to_ns, when, sizeof(when));
		fprintf(f, "<tr class=\"%s\"><td class=\"time\">%s</td><td class=\"host\">",
		    part_name[t->planned], when);
		esc(f, h->hosts[t->host].name);
		if (t->planned) {
			fputs("</td><td class=\"kind\"><span class=\"tag\">planned</span> ", f);
			esc(f, t->reason);
			fprintf(f, " <small>(window %lld)</small>", (long long)t->window_id);
		} else {
			fputs("</td><td class=\"kind\"><span class=\"tag\">UNPLANNED</span>", f);
		}
		fprintf(f, "</td><td class=\"n changes\">%zu</td><td class=\"n%s\">%zu</td>"
		    "<td><a href=\"#ev-%lld\">#%lld</a></td></tr>\n", t->nchanges,
		    t->critical ? " critical" : "", t->critical, (long long)t->to_id, (long long)t->to_id);
	}
	fputs("</tbody></table>\n", f);
}

int
report_html_write(struct report_html *h, FILE *f, int64_t since_ns, int64_t until_ns,
    const char *host_glob)
{
	char since[48], until[48];
	int i;

	for (i = 0; i < 2; i++) {
		if (h->part[i].last_host != SIZE_MAX) {
			fputs("</section>\n", h->part[i].f);
			h->part[i].last_host = SIZE_MAX;
		}
		if (fflush(h->part[i].f) != 0 || ferror(h->part[i].f))
			return DRIFT_ENOMEM;
	}
	if (h->ntl > 1)
		qsort(h->tl, h->ntl, sizeof(*h->tl), tl_cmp);
	format_time_ns(since_ns, since, sizeof(since));
	format_time_ns(until_ns, until, sizeof(until));
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<title>drift report %s to %s</title>\n<style>%s</style>\n</head>\n<body>\n"
	    "<h1>What changed from %s to %s", since, until, style, since, until);
	if (host_glob != NULL) {
		fputs(" on hosts matching ", f);
		esc(f, host_glob);
	}
	fputs("</h1>\n", f);
	put_summary(h, f, since, until, host_glob);
	if (h->nhosts == 0) {
		fputs("<p>No host changed in this window.</p>\n", f);
	} else {
		put_hosts(h, f);
		put_timeline(h, f);
		fputs("<h2 id=\"unplanned\">Unplanned changes</h2>\n", f);
		if (h->part[0].len == 0)
			fputs("<p>None: every change was made inside a maintenance window.</p>\n", f);
		fwrite(h->part[0].buf, 1, h->part[0].len, f);
		fputs("<h2 id=\"planned\">Planned changes (inside a maintenance window)</h2>\n", f);
		if (h->part[1].len == 0)
			fputs("<p>None.</p>\n", f);
		fwrite(h->part[1].buf, 1, h->part[1].len, f);
	}
	fprintf(f, "<p class=\"meta\">drift %s</p>\n</body>\n</html>\n", PACKAGE_VERSION);
	return fflush(f) != 0 || ferror(f) ? DRIFT_EIO : 0;
}
