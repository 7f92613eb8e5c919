/* SPDX-License-Identifier: MIT */
/* check_collector_config.c - collector.yaml: defaults, the shipped example, every key, every refusal. */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "collector_config.h"
#include "error.h"

Suite *make_collector_config_suite(void);

/* collector_config_load on a temporary file holding text; its name into path. */
static int
load_text(struct collector_config *cfg, const char *text, char path[static 64],
    struct drift_error *err)
{
	size_t len = strlen(text);
	int fd, r;

	strcpy(path, "/tmp/drift-collector-XXXXXX.yaml");
	fd = mkstemps(path, 5);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
	r = collector_config_load(cfg, path, err);
	unlink(path);
	return r;
}

static bool
str_same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Everything but source. */
static bool
config_same(const struct collector_config *a, const struct collector_config *b)
{
	size_t i;

	if (a->nlisten != b->nlisten || a->nstandards != b->nstandards ||
	    a->nalerts != b->nalerts || a->upload_max != b->upload_max ||
	    memcmp(&a->limits, &b->limits, sizeof(a->limits)) != 0 ||
	    a->timeout != b->timeout || a->stale_after != b->stale_after ||
	    a->workers != b->workers || !str_same(a->tls_ca, b->tls_ca) ||
	    !str_same(a->tls_cert, b->tls_cert) || !str_same(a->tls_key, b->tls_key) ||
	    !str_same(a->store, b->store))
		return false;
	for (i = 0; i < a->nlisten; i++)
		if (!str_same(a->listen[i].text, b->listen[i].text) ||
		    !str_same(a->listen[i].host, b->listen[i].host) ||
		    !str_same(a->listen[i].port, b->listen[i].port))
			return false;
	for (i = 0; i < a->nstandards; i++)
		if (!str_same(a->standards[i], b->standards[i]))
			return false;
	for (i = 0; i < a->nalerts; i++)
		if (a->alerts[i].kind != b->alerts[i].kind || a->alerts[i].enabled != b->alerts[i].enabled ||
		    !str_same(a->alerts[i].target, b->alerts[i].target))
			return false;
	return true;
}

START_TEST(test_defaults)
{
	struct collector_config c;

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(collector_config_defaults(&c), 0);
	ck_assert_uint_eq(c.nlisten, 1);
	ck_assert_str_eq(c.listen[0].text, "0.0.0.0:8443");
	ck_assert_str_eq(c.listen[0].host, "0.0.0.0");
	ck_assert_str_eq(c.listen[0].port, "8443");
	ck_assert_str_eq(c.tls_ca, SYSCONFDIR "/drift/ca.pem");
	ck_assert_str_eq(c.tls_cert, SYSCONFDIR "/drift/collector.pem");
	ck_assert_str_eq(c.tls_key, SYSCONFDIR "/drift/collector.key");
	ck_assert_str_eq(c.store, LOCALSTATEDIR "/lib/drift/store");
	ck_assert_uint_eq(c.nstandards, 0);
	ck_assert_ptr_nonnull(c.standards);
	ck_assert_ptr_null(c.standards[0]);
	ck_assert_uint_eq(c.upload_max, 64ULL << 20);
	ck_assert_uint_eq(c.limits.pb_max, 256ULL << 20);
	ck_assert_uint_eq(c.limits.content_max, 64ULL << 20);
	ck_assert_uint_eq(c.limits.total_max, 1ULL << 30);
	ck_assert_uint_eq(c.limits.members_max, 1000001);
	ck_assert_uint_eq(c.timeout, 60);
	ck_assert_uint_eq(c.report_interval, 3600);
	ck_assert_uint_eq(c.stale_intervals, 3);
	ck_assert_uint_eq(c.stale_after, 3 * 3600);
	ck_assert_uint_eq(c.alert_check, 60);
	ck_assert_uint_eq(c.workers, 0);
	ck_assert_uint_eq(c.nalerts, 0);
	ck_assert_ptr_null(c.source);
	collector_config_release(&c);
	collector_config_release(&c);	/* released twice: a zeroed config is fine */
}
END_TEST

START_TEST(test_every_key)
{
	static const char text[] =
	    "listen: ['127.0.0.1:8443', '[::1]:9443', 'collector.example.com:443']\n"
	    "tls: {ca: /pki/ca.pem, cert: /pki/c.pem, key: /pki/c.key}\n"
	    "store: /srv/drift\n"
	    "standards: /usr/share/drift/policies/base.yaml\n"
	    "limits:\n"
	    "  upload_max: 1KiB\n"
	    "  baseline_max: 2MB\n"
	    "  content_max: 3KiB\n"
	    "  unpacked_max: 4MiB\n"
	    "  contents_max: 10\n"
	    "  timeout: 1m30s\n"
	    "report_interval: 2h\n"
	    "stale_intervals: 5\n"
	    "stale_after: 1d\n"
	    "alert_check: 30s\n"
	    "workers: 3\n"
	    "alerts:\n"
	    "  - webhook: https://hooks.example.com/x\n"
	    "  - exec: /usr/local/bin/page\n"
	    "  - syslog: false\n";
	struct collector_config c;
	struct drift_error err = { 0 };
	char path[64];

	memset(&c, 0, sizeof(c));
	ck_assert_msg(load_text(&c, text, path, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(c.nlisten, 3);
	ck_assert_str_eq(c.listen[0].host, "127.0.0.1");
	ck_assert_str_eq(c.listen[0].port, "8443");
	ck_assert_str_eq(c.listen[1].host, "::1");
	ck_assert_str_eq(c.listen[1].port, "9443");
	ck_assert_str_eq(c.listen[1].text, "[::1]:9443");
	ck_assert_str_eq(c.listen[2].host, "collector.example.com");
	ck_assert_str_eq(c.tls_ca, "/pki/ca.pem");
	ck_assert_str_eq(c.tls_cert, "/pki/c.pem");
	ck_assert_str_eq(c.tls_key, "/pki/c.key");
	ck_assert_str_eq(c.store, "/srv/drift");
	ck_assert_uint_eq(c.nstandards, 1);
	ck_assert_str_eq(c.standards[0], "/usr/share/drift/policies/base.yaml");
	ck_assert_uint_eq(c.upload_max, 1024);
	ck_assert_uint_eq(c.limits.pb_max, 2000000);
	ck_assert_uint_eq(c.limits.content_max, 3072);
	ck_assert_uint_eq(c.limits.total_max, 4 << 20);
	ck_assert_uint_eq(c.limits.members_max, 11);
	ck_assert_uint_eq(c.timeout, 90);
	ck_assert_uint_eq(c.report_interval, 7200);
	ck_assert_uint_eq(c.stale_intervals, 5);
	ck_assert_uint_eq(c.stale_after, 86400);	/* given outright: it wins */
	ck_assert_uint_eq(c.alert_check, 30);
	ck_assert_uint_eq(c.workers, 3);
	ck_assert_uint_eq(c.nalerts, 3);
	ck_assert_int_eq(c.alerts[0].kind, COLLECTOR_ALERT_WEBHOOK);
	ck_assert_str_eq(c.alerts[0].target, "https://hooks.example.com/x");
	ck_assert_int_eq(c.alerts[1].kind, COLLECTOR_ALERT_EXEC);
	ck_assert_str_eq(c.alerts[1].target, "/usr/local/bin/page");
	ck_assert_int_eq(c.alerts[2].kind, COLLECTOR_ALERT_SYSLOG);
	ck_assert(!c.alerts[2].enabled);
	ck_assert_ptr_null(c.alerts[2].target);
	ck_assert_str_eq(collector_alert_kind_name(c.alerts[1].kind), "exec");
	ck_assert_str_eq(c.source, path);
	collector_config_release(&c);
}
END_TEST

/* Without stale_after, a host is stale after stale_intervals missed reports. */
START_TEST(test_stale_intervals)
{
	struct collector_config c;
	struct drift_error err = { 0 };
	char path[64];

	memset(&c, 0, sizeof(c));
	ck_assert_msg(load_text(&c, "report_interval: 10m\nstale_intervals: 4\n", path, &err) == 0,
	    "%s", err.msg);
	ck_assert_uint_eq(c.stale_after, 4 * 600);
	ck_assert_msg(load_text(&c, "stale_intervals: 2\n", path, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(c.stale_after, 2 * 3600);
	collector_config_release(&c);
}
END_TEST

/* A failed load leaves the earlier configuration whole. */
START_TEST(test_all_or_nothing)
{
	struct collector_config c, d;
	struct drift_error err = { 0 };
	char path[64];

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(collector_config_defaults(&c), 0);
	ck_assert_int_eq(collector_config_defaults(&d), 0);
	ck_assert_int_eq(load_text(&c, "store: /elsewhere\nworkers: 2\nstale_after: 0\n", path, &err),
	    DRIFT_ECONFIG);
	ck_assert_int_eq(err.code, DRIFT_ECONFIG);
	ck_assert(config_same(&c, &d));
	ck_assert_int_eq(collector_config_load(&c, "/nonexistent/collector.yaml", &err), DRIFT_ENOTFOUND);
	ck_assert(config_same(&c, &d));
	collector_config_release(&c);
	collector_config_release(&d);
}
END_TEST

/* ------------------------------------------------------- shipped example */

static char *
read_example(void)
{
	const char *src = getenv("DRIFT_SRC");
	struct buf path = BUF_INIT(4096), text = BUF_INIT(1 << 20);
	int fd;

	ck_assert_msg(src != NULL, "DRIFT_SRC is not set: run the tests through make check");
	ck_assert_int_eq(buf_printf(&path, "%s/packaging/collector.yaml", src), 0);
	fd = open(path.data, O_RDONLY);
	ck_assert_msg(fd >= 0, "cannot open %s", path.data);
	ck_assert_int_eq(buf_read_fd(&text, fd), 0);
	close(fd);
	buf_release(&path);
	return buf_detach(&text, NULL);
}

/* Remove the '#' of "#key: value" and "#  indented" lines; prose is "# text". */
static char *
uncomment(const char *text)
{
	struct buf out = BUF_INIT(1 << 20);
	const char *line, *nl;

	for (line = text; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		ck_assert_ptr_nonnull(nl);
		if (line[0] == '#' && ((line[1] != ' ' && line[1] != '\n' && line[1] != '#') ||
		    strncmp(line, "#  ", 3) == 0))
			line++;
		ck_assert_int_eq(buf_add(&out, line, (size_t)(nl + 1 - line)), 0);
	}
	return buf_detach(&out, NULL);
}

START_TEST(test_example_file)
{
	struct collector_config d, c;
	struct drift_error err = { 0 };
	char *text = read_example(), *full = uncomment(text), path[64];

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(collector_config_defaults(&d), 0);

	/* as shipped: everything commented out, so the defaults */
	ck_assert_msg(load_text(&c, text, path, &err) == 0, "%s", err.msg);
	ck_assert(config_same(&c, &d));

	/* uncommented: every default spelt out, plus the examples of settings without one */
	ck_assert_msg(load_text(&c, full, path, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(c.nstandards, 1);
	ck_assert_uint_eq(c.workers, 4);
	ck_assert_uint_eq(c.nalerts, 3);
	/* the example shows the packaged sysconfdir and localstatedir */
	ck_assert_str_eq(c.tls_ca, "/etc/drift/ca.pem");
	ck_assert_str_eq(c.tls_cert, "/etc/drift/collector.pem");
	ck_assert_str_eq(c.tls_key, "/etc/drift/collector.key");
	ck_assert_str_eq(c.store, "/var/lib/drift/store");
	free(c.tls_ca);
	free(c.tls_cert);
	free(c.tls_key);
	free(c.store);
	c.tls_ca = strdup(d.tls_ca);
	c.tls_cert = strdup(d.tls_cert);
	c.tls_key = strdup(d.tls_key);
	c.store = strdup(d.store);
	ck_assert_str_eq(c.standards[0], "/usr/share/drift/policies/debian12-base.yaml");
	free(c.standards[0]);
	c.standards[0] = NULL;
	c.nstandards = 0;
	c.workers = 0;
	ck_assert_int_eq(c.alerts[0].kind, COLLECTOR_ALERT_WEBHOOK);
	ck_assert_int_eq(c.alerts[1].kind, COLLECTOR_ALERT_EXEC);
	ck_assert_int_eq(c.alerts[2].kind, COLLECTOR_ALERT_SYSLOG);
	c.nalerts = 0;	/* the three are still freed: release frees by the array */
	ck_assert_msg(config_same(&c, &d), "packaging/collector.yaml and the built-in defaults differ");
	c.nalerts = 3;
	collector_config_release(&c);
	collector_config_release(&d);
	free(full);
	free(text);
}
END_TEST

/* ---------------------------------------------------------------- errors */

static const struct {
	const char *text;
	const char *tail;	/* the message after the file name */
} error_cases[] = {
	/* keys */
	{ "wrokers: 2\n", ":1:1: unknown key 'wrokers' (did you mean 'workers'?)" },
	{ "stale-after: 3h\n", ":1:1: unknown key 'stale-after' (did you mean 'stale_after'?)" },
	{ "tls:\n  cretificate: /x\n", ":2:3: tls: unknown key 'cretificate'" },
	{ "limits: {upload_mx: 1KiB}\n", ":1:10: limits: unknown key 'upload_mx' (did you mean 'upload_max'?)" },
	{ "alerts:\n  - webhok: https://x.example\n", ":2:5: alerts: unknown key 'webhok' (did you mean 'webhook'?)" },
	/* listen */
	{ "listen: []\n", ":1:9: listen: give at least one HOST:PORT to listen on" },
	{ "listen: 8443\n", ":1:9: listen: '8443' has no port: write HOST:PORT" },
	{ "listen: ':8443'\n", ":1:9: listen: ':8443' has no address" },
	{ "listen: '::1:8443'\n", ":1:9: listen: '::1:8443': an IPv6 address goes in brackets, as in [::1]:8443" },
	{ "listen: '[::1]8443'\n", ":1:9: listen: '[::1]8443' is not [ADDRESS]:PORT" },
	{ "listen: '[nope]:8443'\n", ":1:9: listen: '[nope]:8443': the part in brackets is not an IPv6 address" },
	{ "listen: ['0.0.0.0:0']\n", ":1:10: listen: '0.0.0.0:0': the port must be a number from 1 to 65535" },
	{ "listen: ['0.0.0.0:65536']\n", ":1:10: listen: '0.0.0.0:65536': the port must be a number" },
	{ "listen: ['0.0.0.0:+1']\n", ":1:10: listen: '0.0.0.0:+1': the port must be a number" },
	{ "listen: ['a b:1']\n", ":1:10: listen: 'a b:1': 'a b' is neither an address nor a host name" },
	{ "listen: ['0.0.0.0:1', '0.0.0.0:1']\n", ":1:23: listen: '0.0.0.0:1' is listed twice" },
	/* paths */
	{ "store: var/lib/drift\n", ":1:8: store: 'var/lib/drift' is not an absolute path" },
	{ "tls: {key: k.pem}\n", ":1:12: tls.key: 'k.pem' is not an absolute path" },
	{ "standards: [/a.yaml, b.yaml]\n", ":1:22: standards: 'b.yaml' is not an absolute path" },
	{ "standards:\n", ":1:11: standards: expected a string or a list of strings, got nothing" },
	/* limits and durations */
	{ "limits: {upload_max: 0}\n", ":1:22: limits.upload_max: must be more than 0 bytes" },
	{ "limits: {upload_max: 64M}\n", ":1:22: limits.upload_max: ambiguous unit" },
	{ "limits: {content_max: lots}\n", ":1:23: limits.content_max: expected a size" },
	{ "limits: {contents_max: 1KiB}\n", ":1:24: limits.contents_max: expected a whole number" },
	{ "limits: {timeout: 0}\n", ":1:19: limits.timeout: must be from 1 second to 1 day" },
	{ "limits: {timeout: 2d}\n", ":1:19: limits.timeout: must be from 1 second to 1 day" },
	{ "limits: 5\n", ":1:9: limits: expected a mapping of settings" },
	{ "stale_after: soon\n", ":1:14: stale_after: expected a duration" },
	{ "stale_after: 0\n", ":1:14: stale_after: must be longer than 0 seconds" },
	{ "report_interval: 0\n", ":1:18: report_interval: must be longer than 0 seconds" },
	{ "report_interval: 3651d\n", ":1:18: report_interval: must be at most 10 years" },
	{ "stale_intervals: 0\n", ":1:18: stale_intervals: must be from 2 to 1000" },
	{ "stale_intervals: 1\n", ":1:18: stale_intervals: must be from 2 to 1000" },
	{ "alerts:\n  - syslog: true\n  - exec: /x\n  - syslog: false\n", ":4:5: alerts: this syslog entry is listed twice" },
	{ "alerts: [{webhook: 'https://a.example/x'}, {webhook: 'https://a.example/x'}]\n", ":1:44: alerts: this webhook entry is listed twice" },
	{ "stale_intervals: 2h\n", ":1:18: stale_intervals: expected a whole number" },
	{ "report_interval: 365d\nstale_intervals: 11\n", ":1:1: report_interval x stale_intervals: must be at most 10 years" },
	{ "alert_check: 0\n", ":1:14: alert_check: must be longer than 0 seconds" },
	{ "workers: 0\n", ":1:10: workers: must be from 1 to 256 (leave it out for one per core)" },
	{ "workers: 257\n", ":1:10: workers: '257' is too large: the most is 256" },
	/* alerts */
	{ "alerts: {syslog: true}\n", ":1:9: alerts: expected a list, got a mapping" },
	{ "alerts: [syslog]\n", ":1:10: alerts: each entry is one of {webhook: URL}, {exec: PROGRAM} or {syslog: true}, got a value" },
	{ "alerts:\n  - {syslog: true, exec: /x}\n", ":2:5: alerts: each entry is one of {webhook: URL}, {exec: PROGRAM} or {syslog: true}, got a mapping with several keys" },
	{ "alerts: [{webhook: ftp://x.example}]\n", ":1:20: alerts.webhook: 'ftp://x.example' is not an http:// or https:// URL" },
	{ "alerts: [{webhook: 'https://a b'}]\n", ":1:20: alerts.webhook: 'https://a b' is not an http:// or https:// URL" },
	{ "alerts: [{exec: page-oncall}]\n", ":1:17: alerts.exec: 'page-oncall' is not an absolute path" },
	{ "alerts: [{syslog: loud}]\n", ":1:19: alerts.syslog: expected true or false, got 'loud'" },
	/* YAML itself */
	{ "[a]\n", ":1:1: expected a mapping of settings, got a list" },
	{ "store: /a\nstore: /b\n", ":2:1: duplicate key 'store'" },
};

START_TEST(test_errors)
{
	struct collector_config c, d;
	struct drift_error err = { 0 };
	char path[64], want[512];

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(collector_config_defaults(&c), 0);
	ck_assert_int_eq(collector_config_defaults(&d), 0);
	ck_assert_int_eq(load_text(&c, error_cases[_i].text, path, &err), DRIFT_ECONFIG);
	snprintf(want, sizeof(want), "%s%s", path, error_cases[_i].tail);
	ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0,
	    "case %d:\n got  '%s'\n want '%s...'", _i, err.msg, want);
	ck_assert_msg(config_same(&c, &d), "case %d changed the configuration", _i);
	collector_config_release(&c);
	collector_config_release(&d);
}
END_TEST

Suite *
make_collector_config_suite(void)
{
	Suite *s = suite_create("collector_config");
	TCase *tc = tcase_create("collector_config");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_every_key);
	tcase_add_test(tc, test_stale_intervals);
	tcase_add_test(tc, test_all_or_nothing);
	tcase_add_test(tc, test_example_file);
	tcase_add_loop_test(tc, test_errors, 0, (int)(sizeof(error_cases) / sizeof(error_cases[0])));
	suite_add_tcase(s, tc);
	return s;
}
