/* SPDX-License-Identifier: MIT */
/* loadgen.c - replay prepared bundles against a collector: one keep-alive TLS connection per host, all at once. */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"

/*
 * The manifest has one line per host: "CERT KEY BUNDLE..." (paths without
 * blanks), its bundles in the order the host sends them. Every bundle is
 * read into memory before the clock starts, so only the collector and the
 * network are measured. Each host is one curl easy handle that keeps its
 * connection (and TLS session) across its uploads, as an agent flushing a
 * spool does; the hosts run concurrently on one curl multi handle.
 */

#define MANIFEST_MAX	((size_t)16 << 20)
#define BUNDLE_MAX	((size_t)1 << 30)
#define RESPONSE_MAX	((size_t)64 << 10)

struct host {
	char *cert, *key;
	struct buf *bodies;
	size_t nbodies, next;
	CURL *h;
	struct curl_slist *hdrs;
	struct buf resp;
	double started;
	char errbuf[CURL_ERROR_SIZE];
};

struct totals {
	size_t sent, stored, unchanged, failed;
	long connects;
	double *lat;		/* seconds per upload */
	size_t nlat;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
read_file(const char *path, size_t max, struct buf *out, struct drift_error *err)
{
	struct buf b = BUF_INIT(max);
	int fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return drift_error_errno(err, errno, "'%s'", path);
	r = buf_read_fd(&b, fd);
	if (r == DRIFT_EIO)
		r = drift_error_errno(err, errno, "'%s'", path);
	else if (r < 0)
		r = drift_error_set(err, r, "'%s': %s", path, drift_strerror(r));
	close(fd);
	if (r < 0) {
		buf_release(&b);
		return r;
	}
	if (b.data == NULL && (r = buf_add(&b, "", 0)) < 0) {
		buf_release(&b);
		return drift_error_set(err, r, "'%s': %s", path, drift_strerror(r));
	}
	*out = b;
	return 0;
}

static void
hosts_free(struct host *v, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < v[i].nbodies; j++)
			buf_release(&v[i].bodies[j]);
		free(v[i].bodies);
		free(v[i].cert);
		free(v[i].key);
		if (v[i].h != NULL)
			curl_easy_cleanup(v[i].h);
		curl_slist_free_all(v[i].hdrs);
		buf_release(&v[i].resp);
	}
	free(v);
}

/* One manifest line into h; the line is modified (split at blanks). */
static int
parse_line(char *line, struct host *h, size_t lineno, struct drift_error *err)
{
	char *tok[2], *save = NULL, *t;
	struct buf *nb;
	size_t ntok = 0;
	int r;

	memset(h, 0, sizeof(*h));
	for (t = strtok_r(line, " \t", &save); t != NULL; t = strtok_r(NULL, " \t", &save)) {
		if (ntok < 2) {
			tok[ntok++] = t;
			continue;
		}
		if ((nb = realloc(h->bodies, (h->nbodies + 1) * sizeof(*nb))) == NULL)
			return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		h->bodies = nb;
		if ((r = read_file(t, BUNDLE_MAX, &h->bodies[h->nbodies], err)) < 0)
			return r;
		h->nbodies++;
	}
	if (h->nbodies == 0)
		return drift_error_set(err, DRIFT_EFORMAT,
		    "manifest line %zu: expected CERT KEY BUNDLE...", lineno);
	if ((h->cert = strdup(tok[0])) == NULL || (h->key = strdup(tok[1])) == NULL)
		return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
	buf_init(&h->resp, RESPONSE_MAX);
	return 0;
}

static int
read_manifest(const char *path, struct host **out, size_t *nout, struct drift_error *err)
{
	struct buf m;
	struct host *v = NULL;
	size_t n = 0, lineno = 0;
	char *line, *save = NULL;
	int r;

	if ((r = read_file(path, MANIFEST_MAX, &m, err)) < 0)
		return r;
	for (line = strtok_r(m.data, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		struct host *nv;

		lineno++;
		if (line[0] == '#' || line[strspn(line, " \t")] == '\0')
			continue;
		if ((nv = realloc(v, (n + 1) * sizeof(*v))) == NULL) {
			r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
			goto out;
		}
		v = nv;
		r = parse_line(line, &v[n], lineno, err);
		n++;
		if (r < 0)
			goto out;
	}
	if (n == 0) {
		r = drift_error_set(err, DRIFT_EFORMAT, "'%s': no hosts", path);
		goto out;
	}
	*out = v;
	*nout = n;
	v = NULL;
	n = 0;
	r = 0;
out:
	hosts_free(v, n);
	buf_release(&m);
	return r;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct host *h = ctx;

	if (buf_add(&h->resp, data, size * nmemb) < 0)
		return 0;
	return size * nmemb;
}

static int
host_setup(struct host *h, const char *url, const char *cacert, struct drift_error *err)
{
	if ((h->h = curl_easy_init()) == NULL)
		return drift_error_set(err, DRIFT_ENOMEM, "curl_easy_init failed");
	/* no 100-continue round trip; the body is small next to the work it causes */
	if ((h->hdrs = curl_slist_append(NULL, "Expect:")) == NULL ||
	    curl_slist_append(h->hdrs, "Content-Type: application/octet-stream") == NULL)
		return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
	curl_easy_setopt(h->h, CURLOPT_URL, url);
	curl_easy_setopt(h->h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(h->h, CURLOPT_CAINFO, cacert);
	curl_easy_setopt(h->h, CURLOPT_SSLCERT, h->cert);
	curl_easy_setopt(h->h, CURLOPT_SSLKEY, h->key);
	curl_easy_setopt(h->h, CURLOPT_HTTPHEADER, h->hdrs);
	curl_easy_setopt(h->h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h->h, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(h->h, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(h->h, CURLOPT_TIMEOUT, 300L);
	curl_easy_setopt(h->h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h->h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(h->h, CURLOPT_POST, 1L);
	curl_easy_setopt(h->h, CURLOPT_PRIVATE, (void *)h);
	return 0;
}

/* Queue the host's next upload. */
static int
host_start(CURLM *m, struct host *h)
{
	struct buf *b = &h->bodies[h->next];

	buf_reset(&h->resp);
	h->errbuf[0] = '\0';
	curl_easy_setopt(h->h, CURLOPT_POSTFIELDS, b->data);
	curl_easy_setopt(h->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)b->len);
	h->started = now_s();
	return curl_multi_add_handle(m, h->h) == CURLM_OK ? 0 : DRIFT_EINTERNAL;
}

/* A finished upload: count it; a failure is printed with what the collector said. */
static void
host_done(struct host *h, CURLcode res, struct totals *t)
{
	long code = 0, connects = 0;
	const char *body = h->resp.data != NULL ? h->resp.data : "";

	t->lat[t->nlat++] = now_s() - h->started;
	t->sent++;
	curl_easy_getinfo(h->h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(h->h, CURLINFO_NUM_CONNECTS, &connects);
	t->connects += connects;
	if (res == CURLE_OK && code == 200 && strstr(body, "\"status\": \"stored\"") != NULL) {
		t->stored++;
	} else if (res == CURLE_OK && code == 200 && strstr(body, "\"status\": \"unchanged\"") != NULL) {
		t->unchanged++;
	} else {
		t->failed++;
		fprintf(stderr, "loadgen: '%s' upload %zu: %s (HTTP %ld) %s\n", h->cert, h->next + 1,
		    res != CURLE_OK ? (h->errbuf[0] ? h->errbuf : curl_easy_strerror(res)) : "refused",
		    code, body);
	}
	h->next++;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: loadgen --url URL --cacert FILE MANIFEST\n"
	    "\n"
	    "Replay the bundles of MANIFEST (one line per host: CERT KEY BUNDLE...)\n"
	    "to a drift collector, every host at once on its own keep-alive TLS\n"
	    "connection, each host's bundles in order. Prints one line:\n"
	    "  uploads N stored N unchanged N failed N connections N seconds S\n"
	    "  per_second R p50_ms X p99_ms Y max_ms Z\n"
	    "Exit status: 0 every upload acknowledged, 1 some failed, 2 usage or setup error.\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "cacert", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct drift_error err = { 0 };
	struct totals t = { 0 };
	struct host *hosts = NULL;
	const char *url = NULL, *cacert = NULL;
	size_t nhosts = 0, total = 0, i, running;
	CURLM *m = NULL;
	double t0, secs;
	int c, rc = 2, still;

	while ((c = getopt_long(argc, argv, "u:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'u': url = optarg; break;
		case 'c': cacert = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (url == NULL || cacert == NULL || optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "loadgen: curl_global_init failed\n");
		return 2;
	}
	if (read_manifest(argv[optind], &hosts, &nhosts, &err) < 0) {
		fprintf(stderr, "loadgen: %s\n", drift_error_message(&err));
		goto out;
	}
	for (i = 0; i < nhosts; i++) {
		total += hosts[i].nbodies;
		if (host_setup(&hosts[i], url, cacert, &err) < 0) {
			fprintf(stderr, "loadgen: %s\n", drift_error_message(&err));
			goto out;
		}
	}
	if ((t.lat = calloc(total, sizeof(*t.lat))) == NULL || (m = curl_multi_init()) == NULL) {
		fprintf(stderr, "loadgen: out of memory\n");
		goto out;
	}
	/* room for every host's idle connection while its handle is between uploads */
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)(nhosts * 2));

	t0 = now_s();
	for (i = 0; i < nhosts; i++) {
		if (host_start(m, &hosts[i]) < 0) {
			fprintf(stderr, "loadgen: curl_multi_add_handle failed\n");
			goto out;
		}
	}
	running = nhosts;
	while (running > 0) {
		CURLMsg *msg;
		int left;

		if (curl_multi_perform(m, &still) != CURLM_OK) {
			fprintf(stderr, "loadgen: the curl multi loop failed\n");
			goto out;
		}
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			struct host *h = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&h);
			curl_multi_remove_handle(m, h->h);
			host_done(h, msg->data.result, &t);
			if (h->next < h->nbodies) {
				if (host_start(m, h) < 0) {
					fprintf(stderr, "loadgen: curl_multi_add_handle failed\n");
					goto out;
				}
			} else {
				running--;
			}
		}
		/* after reading what finished: a finished transfer is no socket event to wait for */
		if (running > 0 && curl_multi_poll(m, NULL, 0, 1000, NULL) != CURLM_OK) {
			fprintf(stderr, "loadgen: the curl multi loop failed\n");
			goto out;
		}
	}
	secs = now_s() - t0;
	qsort(t.lat, t.nlat, sizeof(*t.lat), cmp_double);
	printf("uploads %zu stored %zu unchanged %zu failed %zu connections %ld seconds %.3f "
	    "per_second %.1f p50_ms %.1f p99_ms %.1f max_ms %.1f\n",
	    t.sent, t.stored, t.unchanged, t.failed, t.connects, secs, (double)t.sent / secs,
	    t.lat[t.nlat / 2] * 1e3, t.lat[(t.nlat * 99) / 100 < t.nlat ? (t.nlat * 99) / 100 : t.nlat - 1] * 1e3,
	    t.lat[t.nlat - 1] * 1e3);
	rc = t.failed > 0 ? 1 : 0;
out:
	if (m != NULL) {
		for (i = 0; i < nhosts; i++)
			if (hosts[i].h != NULL)
				curl_multi_remove_handle(m, hosts[i].h);
		curl_multi_cleanup(m);
	}
	hosts_free(hosts, nhosts);
	free(t.lat);
	curl_global_cleanup();
	return rc;
}
