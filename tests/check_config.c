/* SPDX-License-Identifier: MIT */
/* check_config.c - the agent configuration, the YAML loader under it and its typed readers. */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent_config.h"
#include "buf.h"
#include "error.h"
#include "glob.h"
#include "ynode.h"

/* ------------------------------------------------------------- helpers */

/* Write len bytes of text to a new temporary file named into path. */
static void
write_temp(char path[static 64], const char *text, size_t len)
{
	int fd;

	strcpy(path, "/tmp/drift-config-XXXXXX.yaml");
	fd = mkstemps(path, 5);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
}

/* agent_config_load on a temporary file holding text; its name into path. */
static int
load_text(struct agent_config *cfg, const char *text, char path[static 64],
    struct drift_error *err)
{
	int r;

	write_temp(path, text, strlen(text));
	r = agent_config_load(cfg, path, err);
	unlink(path);
	return r;
}

static bool
str_same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool
list_same(const struct strlist *a, const struct strlist *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return false;
	return true;
}

static bool
config_same(const struct agent_config *a, const struct agent_config *b)
{
	return str_same(a->host_id, b->host_id) && str_same(a->collector, b->collector) &&
	    str_same(a->tls_ca, b->tls_ca) && str_same(a->tls_cert, b->tls_cert) &&
	    str_same(a->tls_key, b->tls_key) && list_same(&a->paths, &b->paths) &&
	    list_same(&a->exclude, &b->exclude) && list_same(&a->capture, &b->capture) &&
	    list_same(&a->never_capture, &b->never_capture) &&
	    list_same(&a->package_managers, &b->package_managers) &&
	    a->capture_max == b->capture_max && a->cross_mounts == b->cross_mounts &&
	    str_same(a->spool_dir, b->spool_dir) && a->spool_max == b->spool_max &&
	    str_same(a->source, b->source);
}

static bool
list_has(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

static bool
any_match(const struct strlist *globs, const char *path)
{
	size_t i;

	for (i = 0; i < globs->n; i++)
		if (glob_match(globs->v[i], path, strlen(path)))
			return true;
	return false;
}

/* err's message is "PATH" + tail, tail given in full or as its start. */
static void
assert_message(const struct drift_error *err, const char *path, const char *tail)
{
	size_t plen = strlen(path);

	ck_assert_msg(strncmp(err->msg, path, plen) == 0 &&
	    strncmp(err->msg + plen, tail, strlen(tail)) == 0,
	    "message '%s' is not '%s%s...'", err->msg, path, tail);
}

/* ------------------------------------------------------------ defaults */

START_TEST(test_config_defaults)
{
	struct agent_config c = { 0 };
	size_t i;

	ck_assert_int_eq(agent_config_defaults(&c), 0);
	ck_assert_ptr_null(c.host_id);
	ck_assert_ptr_null(c.collector);
	ck_assert_ptr_null(c.tls_ca);
	ck_assert_ptr_null(c.source);
	ck_assert(list_has(&c.paths, "/etc"));
	ck_assert(list_has(&c.paths, "/usr/local/etc"));
	for (i = 0; i < c.paths.n; i++)
		ck_assert_int_eq(c.paths.v[i][0], '/');
	ck_assert_ptr_null(c.paths.v[c.paths.n]);
	ck_assert(list_has(&c.exclude, "/etc/ld.so.cache"));
	ck_assert(list_has(&c.capture, "/etc/**"));
	ck_assert_uint_eq(c.package_managers.n, 2);
	ck_assert_str_eq(c.package_managers.v[0], "dpkg");
	ck_assert_str_eq(c.package_managers.v[1], "rpm");
	ck_assert_uint_eq(c.capture_max, 256 * 1024);
	ck_assert(!c.cross_mounts);
	ck_assert_str_eq(c.spool_dir, LOCALSTATEDIR "/lib/drift/spool");
	ck_assert_uint_eq(c.spool_max, 256 * 1024 * 1024);
	agent_config_release(&c);
	ck_assert_ptr_null(c.paths.v);
	agent_config_release(&c);	/* twice is harmless */
	agent_config_release(NULL);
}
END_TEST

/* Secrets under a captured tree are never captured; ordinary files are. */
static const struct {
	const char *path;
	bool captured;
} capture_cases[] = {
	{ "/etc/shadow", false },
	{ "/etc/shadow-", false },
	{ "/etc/gshadow", false },
	{ "/etc/security/opasswd", false },
	{ "/etc/ssh/ssh_host_ed25519_key", false },
	{ "/etc/ssh/ssh_host_rsa_key", false },
	{ "/etc/ssl/private/ssl-cert-snakeoil.key", false },
	{ "/etc/pki/tls/private/localhost.pem", false },
	{ "/etc/letsencrypt/archive/example.com/privkey1.pem", false },
	{ "/etc/letsencrypt/keys/0000_key-certbot.pem", false },
	{ "/etc/krb5.keytab", false },
	{ "/etc/ipsec.secrets", false },
	{ "/etc/ppp/chap-secrets", false },
	{ "/etc/openvpn/server/ta.key", false },
	{ "/etc/wireguard/wg0.conf", false },
	{ "/etc/NetworkManager/system-connections/home.nmconnection", false },
	{ "/etc/mysql/debian.cnf", false },
	{ "/etc/postfix/sasl_passwd.db", false },
	{ "/etc/hosts", true },
	{ "/etc/passwd", true },
	{ "/etc/group", true },
	{ "/etc/sudoers", true },
	{ "/etc/ssh/sshd_config", true },
	{ "/etc/ssh/ssh_host_ed25519_key.pub", true },
	{ "/etc/ssl/certs/ca-certificates.crt", true },
	{ "/etc/letsencrypt/live/example.com/cert.pem", true },
	{ "/usr/local/bin/tool", false },	/* not under capture at all */
};

START_TEST(test_config_defaults_capture)
{
	struct agent_config c = { 0 };
	const char *path = capture_cases[_i].path;
	bool captured;

	ck_assert_int_eq(agent_config_defaults(&c), 0);
	captured = any_match(&c.capture, path) && !any_match(&c.never_capture, path);
	ck_assert_msg(captured == capture_cases[_i].captured, "'%s' %s captured", path,
	    captured ? "is" : "is not");
	agent_config_release(&c);
}
END_TEST

/* ---------------------------------------------------------- valid files */

START_TEST(test_config_full_file)
{
	static const char text[] =
	    "# every key\n"
	    "host_id: web-01.example.com\n"
	    "collector: https://drift.example.com:8443/\n"
	    "tls:\n"
	    "  ca: /etc/drift/ca.pem\n"
	    "  cert: /etc/drift/agent.pem\n"
	    "  key: /etc/drift/agent.key\n"
	    "paths:\n"
	    "  - /etc\n"
	    "  - /srv//app/\n"
	    "  - '/srv/my files'\n"
	    "  - /\n"
	    "exclude: [\"/etc/*.bak\", \"**/cache/**\"]\n"
	    "capture: /etc/**\n"
	    "never_capture:\n"
	    "  - /etc/shadow*\n"
	    "capture_max: 1MiB\n"
	    "cross_mounts: yes\n"
	    "package_managers: rpm\n"
	    "spool:\n"
	    "  dir: /var/spool/drift/\n"
	    "  max: 10MB\n"
	    "jobs: 4\n";
	struct agent_config c = { 0 };
	struct drift_error err = { 0 };
	char path[64];

	ck_assert_int_eq(agent_config_defaults(&c), 0);
	ck_assert_msg(load_text(&c, text, path, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(c.host_id, "web-01.example.com");
	ck_assert_str_eq(c.collector, "https://drift.example.com:8443/");
	ck_assert_str_eq(c.tls_ca, "/etc/drift/ca.pem");
	ck_assert_str_eq(c.tls_cert, "/etc/drift/agent.pem");
	ck_assert_str_eq(c.tls_key, "/etc/drift/agent.key");
	ck_assert_uint_eq(c.paths.n, 4);
	ck_assert_str_eq(c.paths.v[0], "/etc");
	ck_assert_str_eq(c.paths.v[1], "/srv/app");
	ck_assert_str_eq(c.paths.v[2], "/srv/my files");
	ck_assert_str_eq(c.paths.v[3], "/");
	ck_assert_ptr_null(c.paths.v[4]);
	ck_assert_uint_eq(c.exclude.n, 2);
	ck_assert_str_eq(c.exclude.v[1], "**/cache/**");
	ck_assert_uint_eq(c.capture.n, 1);
	ck_assert_str_eq(c.capture.v[0], "/etc/**");
	ck_assert_uint_eq(c.never_capture.n, 1);
	ck_assert_uint_eq(c.capture_max, 1024 * 1024);
	ck_assert(c.cross_mounts);
	ck_assert_uint_eq(c.package_managers.n, 1);
	ck_assert_str_eq(c.package_managers.v[0], "rpm");
	ck_assert_str_eq(c.spool_dir, "/var/spool/drift");
	ck_assert_uint_eq(c.spool_max, 10 * 1000 * 1000);
	ck_assert_str_eq(c.source, path);
	agent_config_release(&c);
}
END_TEST

/* Keys in the file replace; keys not in it keep what cfg had. */
START_TEST(test_config_load_over)
{
	struct agent_config c = { 0 }, d = { 0 };
	struct drift_error err = { 0 };
	char path[64];

	ck_assert_int_eq(agent_config_defaults(&c), 0);
	ck_assert_int_eq(agent_config_defaults(&d), 0);
	ck_assert_msg(load_text(&c, "exclude: []\ncross_mounts: on\n", path, &err) == 0,
	    "%s", err.msg);
	ck_assert_uint_eq(c.exclude.n, 0);
	ck_assert(c.cross_mounts);
	ck_assert(list_same(&c.paths, &d.paths));
	ck_assert(list_same(&c.never_capture, &d.never_capture));
	ck_assert_uint_eq(c.capture_max, d.capture_max);

	/* an empty file changes nothing but the source */
	agent_config_release(&c);
	ck_assert_int_eq(agent_config_defaults(&c), 0);
	ck_assert_msg(load_text(&d, "", path, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(d.source, path);
	free(d.source);
	d.source = NULL;
	ck_assert(config_same(&c, &d));
	agent_config_release(&d);
	agent_config_release(&c);
}
END_TEST

/* The shipped example, read by the rule its header states. */
static char *
read_example(void)
{
	const char *src = getenv("DRIFT_SRC");
	struct buf path = BUF_INIT(4096), text = BUF_INIT(1 << 20);
	int fd;

	ck_assert_msg(src != NULL, "DRIFT_SRC is not set: run the tests through make check");
	ck_assert_int_eq(buf_printf(&path, "%s/packaging/agent.yaml", src), 0);
	fd = open(path.data, O_RDONLY);
	ck_assert_msg(fd >= 0, "cannot open %s", path.data);
	ck_assert_int_eq(buf_read_fd(&text, fd), 0);
	close(fd);
	buf_release(&path);
	return buf_detach(&text, NULL);
}

/*
 * Settings are commented out as "#key: value" and "#  indented"; prose as
 * "# text". Removing the '#' of the settings must give a file that sets
 * every key to exactly the built-in default.
 */
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

START_TEST(test_config_example_file)
{
	struct agent_config d = { 0 }, c = { 0 };
	struct drift_error err = { 0 };
	char *text = read_example(), *full = uncomment(text), path[64];

	ck_assert_int_eq(agent_config_defaults(&d), 0);

	/* as shipped: everything commented out, so the defaults */
	ck_assert_int_eq(agent_config_defaults(&c), 0);
	ck_assert_msg(load_text(&c, text, path, &err) == 0, "%s", err.msg);
	free(c.source);
	c.source = NULL;
	ck_assert(config_same(&c, &d));
	agent_config_release(&c);

	/* uncommented, over nothing at all: every default must be spelt out */
	ck_assert_msg(load_text(&c, full, path, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(c.host_id, "web-01.example.com");
	ck_assert_str_eq(c.collector, "https://drift.example.com:8443");
	ck_assert_str_eq(c.tls_ca, "/etc/drift/ca.pem");
	ck_assert_str_eq(c.tls_cert, "/etc/drift/agent.pem");
	ck_assert_str_eq(c.tls_key, "/etc/drift/agent.key");
	/* the example shows the packaged localstatedir, /var */
	ck_assert_str_eq(c.spool_dir, "/var/lib/drift/spool");
	ck_assert_str_eq(d.spool_dir, LOCALSTATEDIR "/lib/drift/spool");
	free(c.spool_dir);
	c.spool_dir = strdup(d.spool_dir);
	d.host_id = c.host_id;
	d.collector = c.collector;
	d.tls_ca = c.tls_ca;
	d.tls_cert = c.tls_cert;
	d.tls_key = c.tls_key;
	d.source = c.source;
	ck_assert_msg(config_same(&c, &d), "packaging/agent.yaml and the built-in defaults differ");
	d.host_id = d.collector = d.tls_ca = d.tls_cert = d.tls_key = d.source = NULL;
	agent_config_release(&c);
	agent_config_release(&d);
	free(full);
	free(text);
}
END_TEST

/* --------------------------------------------------------------- errors */

static const struct {
	const char *text;
	const char *tail;	/* the message after the file name */
} error_cases[] = {
	/* keys */
	{ "pahts:\n  - /etc\n", ":1:1: unknown key 'pahts' (did you mean 'paths'?)" },
	{ "cross-mounts: true\n", ":1:1: unknown key 'cross-mounts' (did you mean 'cross_mounts'?)" },
	{ "paths: [/etc]\nmdoe: x\n", ":2:1: unknown key 'mdoe' (known keys: host_id, collector, tls, " },
	{ "tls:\n  caa: /x\n", ":2:3: tls: unknown key 'caa' (did you mean 'ca'?)" },
	{ "spool: {dri: /x}\n", ":1:9: spool: unknown key 'dri' (did you mean 'dir'?)" },
	/* types */
	{ "[/etc]\n", ":1:1: expected a mapping of settings, got a list" },
	{ "paths: {a: b}\n", ":1:8: paths: expected a string or a list of strings, got a mapping" },
	{ "paths:\n  - /etc\n  - [/srv]\n", ":3:5: paths: expected a string, got a list" },
	{ "exclude:\n", ":1:9: exclude: expected a string or a list of strings, got nothing (write [] for an empty list)" },
	{ "collector:\n", ":1:11: collector: expected a string, got nothing" },
	{ "cross_mounts: maybe\n", ":1:15: cross_mounts: expected true or false, got 'maybe'" },
	{ "spool: /var/x\n", ":1:8: spool: expected a mapping of settings, got '/var/x'" },
	{ "tls: [a]\n", ":1:6: tls: expected a mapping of settings, got a list" },
	{ "jobs: two\n", ":1:7: jobs: expected a whole number, got 'two'" },
	{ "jobs: 5000\n", ":1:7: jobs: '5000' is too large: the most is 1024" },
	/* sizes */
	{ "capture_max: lots\n", ":1:14: capture_max: expected a size such as 256KiB, 64MiB or 10MB, got 'lots'" },
	{ "capture_max: 64M\n", ":1:14: capture_max: ambiguous unit in '64M': write MiB for powers of 1024 or MB for powers of 1000" },
	{ "capture_max: 1.5GiB\n", ":1:14: capture_max: expected a size" },
	{ "capture_max: -1\n", ":1:14: capture_max: a size cannot be negative, got '-1'" },
	{ "spool:\n  max: 99999999999TiB\n", ":2:8: spool.max: size '99999999999TiB' is too large" },
	{ "spool:\n  max: 0\n", ":2:8: spool.max: must be more than 0 bytes" },
	/* paths and patterns */
	{ "paths:\n  - /etc\n  - etc/ssh\n", ":3:5: paths: 'etc/ssh' is not an absolute path (start it with '/')" },
	{ "paths: [/etc/../root]\n", ":1:9: paths: '/etc/../root' contains a '.' or '..' component" },
	{ "paths: [/etc/./x]\n", ":1:9: paths: '/etc/./x' contains a '.' or '..' component" },
	{ "spool:\n  dir: var/spool\n", ":2:8: spool.dir: 'var/spool' is not an absolute path" },
	{ "tls:\n  ca: ca.pem\n", ":2:7: tls.ca: 'ca.pem' is not an absolute path" },
	{ "exclude: ['*.tmp']\n", ":1:11: exclude: '*.tmp' can never match: paths are absolute, so start the pattern with '/' or '**'" },
	{ "capture: etc/**\n", ":1:10: capture: 'etc/**' can never match" },
	{ "never_capture: ['']\n", ":1:17: never_capture: '' can never match" },
	/* other values */
	{ "package_managers: [dpkg, rmp]\n", ":1:26: package_managers: unknown package manager 'rmp' (did you mean 'rpm'?)" },
	{ "package_managers: [apk]\n", ":1:20: package_managers: unknown package manager 'apk' (known: dpkg, rpm)" },
	{ "package_managers: [dpkg, dpkg]\n", ":1:26: package_managers: 'dpkg' is listed twice" },
	{ "host_id: 'bad host'\n", ":1:10: host_id: 'bad host' is not a valid host id" },
	{ "host_id: ../etc\n", ":1:10: host_id: '../etc' is not a valid host id" },
	{ "collector: http://drift.example.com\n", ":1:12: collector: 'http://drift.example.com' is not an https:// URL" },
	{ "collector: https://\n", ":1:12: collector: 'https://' is not an https:// URL" },
	{ "tls:\n  cert: /a.pem\n", ":2:3: tls: 'cert' and 'key' go together: set both or neither" },
	{ "host_id: \"a\\0b\"\n", ":1:10: host_id: 'a\\x00b' contains a NUL byte" },
	/* YAML itself */
	{ "capture_max: 1\n  bad: 2\n", ":2:6: mapping values are not allowed in this context" },
	{ "paths: [/etc\ncapture_max: 1\n", ":2:12: did not find expected ',' or ']' (while parsing a flow sequence started at line 1, column 8)" },
	{ "paths:\n  - /etc\n - /srv\n", ":3:2: did not find expected key (while parsing a block mapping started at line 1, column 1)" },
	{ "host_id: \xff\n", ":1:10: invalid leading UTF-8 octet (0xff): the file must be UTF-8" },
	{ "paths: &p [/etc]\nexclude: *p\n", ":1:8: anchor '&p' refused: anchors and aliases are not supported" },
	{ "exclude: *p\n", ":1:10: alias '*p' refused: anchors and aliases are not supported" },
	{ "capture_max: !!str 5\n", ":1:14: tag 'tag:yaml.org,2002:str' refused: tags are not supported" },
	{ "paths: [/etc]\ncross_mounts: true\npaths: [/srv]\n", ":3:1: duplicate key 'paths' (first at line 1)" },
	{ "paths: [/etc]\n---\npaths: [/srv]\n", ":2:1: a second document starts here: only one is allowed per file" },
	{ "? [a]\n: b\n", ":1:3: a key must be a single value, not a list" },
};

START_TEST(test_config_errors)
{
	struct agent_config c = { 0 }, d = { 0 };
	struct drift_error err = { 0 };
	char path[64];

	ck_assert_int_eq(agent_config_defaults(&c), 0);
	ck_assert_int_eq(agent_config_defaults(&d), 0);
	ck_assert_int_eq(load_text(&c, error_cases[_i].text, path, &err), DRIFT_ECONFIG);
	ck_assert_int_eq(err.code, DRIFT_ECONFIG);
	assert_message(&err, path, error_cases[_i].tail);
	ck_assert_msg(config_same(&c, &d), "a failed load changed the configuration");
	agent_config_release(&c);
	agent_config_release(&d);
}
END_TEST

/* A failed load leaves a configuration loaded before exactly as it was. */
START_TEST(test_config_all_or_nothing)
{
	struct agent_config c = { 0 }, d = { 0 };
	struct drift_error err = { 0 };
	static const char good[] = "host_id: a\npaths: [/srv]\ncapture_max: 1KiB\n";
	static const char bad[] =
	    "host_id: b\npaths: [/opt]\nexclude: []\ncapture_max: 2KiB\njobs: -1\n";
	char path[64];

	ck_assert_int_eq(agent_config_defaults(&c), 0);
	ck_assert_int_eq(agent_config_defaults(&d), 0);
	write_temp(path, good, strlen(good));
	ck_assert_int_eq(agent_config_load(&c, path, &err), 0);
	ck_assert_int_eq(agent_config_load(&d, path, &err), 0);
	unlink(path);
	ck_assert_int_eq(agent_config_load(&d, "/nonexistent/drift.yaml", &err), DRIFT_ENOTFOUND);
	ck_assert(config_same(&c, &d));

	ck_assert_int_eq(load_text(&c, bad, path, &err), DRIFT_ECONFIG);
	assert_message(&err, path, ":5:7: jobs: expected a whole number, got '-1'");
	ck_assert_str_eq(c.host_id, "a");
	ck_assert(config_same(&c, &d));
	agent_config_release(&c);
	agent_config_release(&d);
}
END_TEST

START_TEST(test_config_missing_and_odd_files)
{
	struct agent_config c = { 0 }, d = { 0 };
	struct drift_error err = { 0 };
	char dir[] = "/tmp/drift-config-XXXXXX", fifo[64];

	ck_assert_int_eq(agent_config_defaults(&c), 0);
	ck_assert_int_eq(agent_config_defaults(&d), 0);
	ck_assert_int_eq(agent_config_load(&c, "/nonexistent/drift.yaml", &err), DRIFT_ENOTFOUND);
	ck_assert_str_eq(err.msg, "'/nonexistent/drift.yaml': no such file");

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_ne(agent_config_load(&c, dir, &err), 0);
	assert_message(&err, "'", dir);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a regular file"));
	/* a FIFO must be refused, not read (which would block forever) */
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_ne(agent_config_load(&c, fifo, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a regular file"));
	unlink(fifo);
	rmdir(dir);
	ck_assert(config_same(&c, &d));
	agent_config_release(&c);
	agent_config_release(&d);
}
END_TEST

START_TEST(test_config_too_large)
{
	struct agent_config c = { 0 }, d = { 0 };
	struct drift_error err = { 0 };
	size_t n = AGENT_CONFIG_MAX_BYTES + 1;
	char *text = malloc(n), path[64], want[128];

	ck_assert_ptr_nonnull(text);
	memset(text, '#', n);
	text[n - 1] = '\n';
	ck_assert_int_eq(agent_config_defaults(&c), 0);
	ck_assert_int_eq(agent_config_defaults(&d), 0);
	write_temp(path, text, n);
	ck_assert_int_eq(agent_config_load(&c, path, &err), DRIFT_ETOOBIG);
	snprintf(want, sizeof(want), "': larger than the limit of %zu bytes", (size_t)AGENT_CONFIG_MAX_BYTES);
	ck_assert_int_eq(err.msg[0], '\'');
	assert_message(&err, "'", path);
	ck_assert_str_eq(err.msg + 1 + strlen(path), want);
	ck_assert(config_same(&c, &d));
	unlink(path);

	/* one byte less is within the limit: comments only, so no settings */
	text[n - 2] = '\n';
	write_temp(path, text, n - 1);
	ck_assert_msg(agent_config_load(&c, path, &err) == 0, "%s", err.msg);
	unlink(path);
	free(text);
	agent_config_release(&c);
	agent_config_release(&d);
}
END_TEST

/* --------------------------------------------------------------- ynode */

static void
load_doc(struct ydoc *doc, const char *text)
{
	struct drift_error err = { 0 };

	ck_assert_msg(ydoc_load_string(doc, "t.yaml", text, strlen(text), &err) == 0,
	    "%s", err.msg);
}

START_TEST(test_ydoc_tree)
{
	static const char text[] =
	    "a:\n"
	    "  b: [x, 'y']\n"
	    "  c: |\n"
	    "    text\n"
	    "d: ~\n"
	    "e: \"\"\n";
	struct ydoc doc = { 0 };
	const struct ynode *a, *b, *c, *d, *e;

	load_doc(&doc, text);
	ck_assert_str_eq(doc.file, "t.yaml");
	ck_assert_int_eq(doc.root->type, YNODE_MAP);
	ck_assert_uint_eq(doc.root->n, 3);
	ck_assert_ptr_nonnull(a = ynode_get(doc.root, "a"));
	ck_assert_int_eq(a->type, YNODE_MAP);
	ck_assert_ptr_nonnull(b = ynode_get(a, "b"));
	ck_assert_int_eq(b->type, YNODE_SEQ);
	ck_assert_uint_eq(b->line, 2);
	ck_assert_uint_eq(b->col, 6);
	ck_assert_uint_eq(b->n, 2);
	ck_assert_str_eq(b->items[0]->scalar, "x");
	ck_assert_int_eq(b->items[0]->quoted, 0);
	ck_assert_uint_eq(b->items[1]->col, 10);
	ck_assert_int_eq(b->items[1]->quoted, 1);
	ck_assert_uint_eq(a->keys[0]->line, 2);
	ck_assert_uint_eq(a->keys[0]->col, 3);
	ck_assert_ptr_nonnull(c = ynode_get(a, "c"));
	ck_assert_str_eq(c->scalar, "text\n");
	ck_assert_uint_eq(c->len, 5);
	ck_assert_ptr_nonnull(d = ynode_get(doc.root, "d"));
	ck_assert(ynode_is_null(d));
	ck_assert_ptr_nonnull(e = ynode_get(doc.root, "e"));
	ck_assert(!ynode_is_null(e));	/* quoted: an empty string, not null */
	ck_assert_ptr_null(ynode_get(doc.root, "b"));
	ck_assert_ptr_null(ynode_get(b, "x"));
	ck_assert_ptr_null(ynode_get(NULL, "x"));
	ck_assert_str_eq(ynode_kind(a), "a mapping");
	ck_assert_str_eq(ynode_kind(b), "a list");
	ydoc_release(&doc);
	ck_assert_ptr_null(doc.root);
	ydoc_release(&doc);
}
END_TEST

START_TEST(test_ydoc_empty)
{
	static const char *const empty[] = { "", "\n", "# only a comment\n", "---\n", "--- # c\n...\n" };
	struct ydoc doc = { 0 };
	size_t i;

	for (i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		load_doc(&doc, empty[i]);
		ck_assert_msg(doc.root->type == YNODE_MAP && doc.root->n == 0, "'%s'", empty[i]);
		ydoc_release(&doc);
	}
	/* an explicit null or a quoted empty string is a value, left to the reader */
	load_doc(&doc, "~\n");
	ck_assert_int_eq(doc.root->type, YNODE_SCALAR);
	ydoc_release(&doc);
	load_doc(&doc, "''\n");
	ck_assert_int_eq(doc.root->type, YNODE_SCALAR);
	ydoc_release(&doc);
}
END_TEST

START_TEST(test_ydoc_refusals)
{
	struct ydoc doc = { 0 };
	struct drift_error err = { 0 };
	struct buf b = BUF_INIT(1024);
	static const char laughs[] = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n";
	int i;

	/* billion laughs: refused at the first anchor, nothing is expanded */
	ck_assert_int_eq(ydoc_load_string(&doc, "t.yaml", laughs, strlen(laughs), &err),
	    DRIFT_EFORMAT);
	ck_assert_str_eq(err.msg, "t.yaml:1:4: anchor '&a' refused: anchors and aliases are not supported");
	ck_assert_ptr_null(doc.root);

	/* 64 levels load, 65 do not */
	for (i = 0; i < YDOC_MAX_DEPTH; i++)
		ck_assert_int_eq(buf_addch(&b, '['), 0);
	for (i = 0; i < YDOC_MAX_DEPTH; i++)
		ck_assert_int_eq(buf_addch(&b, ']'), 0);
	ck_assert_int_eq(ydoc_load_string(&doc, "t.yaml", b.data, b.len, &err), 0);
	ydoc_release(&doc);
	buf_reset(&b);
	for (i = 0; i <= YDOC_MAX_DEPTH; i++)
		ck_assert_int_eq(buf_addstr(&b, "- "), 0);
	ck_assert_int_eq(buf_addstr(&b, "x\n"), 0);
	ck_assert_int_eq(ydoc_load_string(&doc, "t.yaml", b.data, b.len, &err), DRIFT_EFORMAT);
	ck_assert_str_eq(err.msg, "t.yaml:1:129: nested deeper than 64 levels");
	buf_release(&b);

	/* duplicates are found in big mappings too, and the first one is named */
	buf_init(&b, 1 << 20);
	for (i = 0; i < 5000; i++)
		ck_assert_int_eq(buf_printf(&b, "k%d: %d\n", i, i), 0);
	ck_assert_int_eq(buf_addstr(&b, "k4999: x\nk17: y\n"), 0);
	ck_assert_int_eq(ydoc_load_string(&doc, "t.yaml", b.data, b.len, &err), DRIFT_EFORMAT);
	ck_assert_str_eq(err.msg, "t.yaml:5001:1: duplicate key 'k4999' (first at line 5000)");
	buf_release(&b);

	ck_assert_int_eq(ydoc_load_file(&doc, "/nonexistent.yaml", 1024, &err), DRIFT_ENOTFOUND);
	ck_assert_ptr_null(doc.root);
}
END_TEST

enum reader { R_SIZE, R_DURATION, R_BOOL, R_UINT };

static const struct {
	enum reader kind;
	const char *text;	/* the value of "v: " */
	bool ok;
	uint64_t want;
	const char *error;	/* start of the message after "t.yaml:1:COL: v: " */
} reader_cases[] = {
	{ R_SIZE, "512", true, 512, NULL },
	{ R_SIZE, "512B", true, 512, NULL },
	{ R_SIZE, "512b", true, 512, NULL },
	{ R_SIZE, "256KiB", true, 256ULL << 10, NULL },
	{ R_SIZE, "64MiB", true, 64ULL << 20, NULL },
	{ R_SIZE, "64mib", true, 64ULL << 20, NULL },
	{ R_SIZE, "1GiB", true, 1ULL << 30, NULL },
	{ R_SIZE, "2 TiB", true, 2ULL << 40, NULL },
	{ R_SIZE, "10MB", true, 10ULL * 1000 * 1000, NULL },
	{ R_SIZE, "1kB", true, 1000, NULL },
	{ R_SIZE, "3GB", true, 3ULL * 1000 * 1000 * 1000, NULL },
	{ R_SIZE, "1TB", true, 1000ULL * 1000 * 1000 * 1000, NULL },
	{ R_SIZE, "'4KiB'", true, 4096, NULL },
	{ R_SIZE, "0", true, 0, NULL },
	{ R_SIZE, "18446744073709551615", true, UINT64_MAX, NULL },
	{ R_SIZE, "16777215TiB", true, 16777215ULL << 40, NULL },
	{ R_SIZE, "18446744073709551616", false, 0, "size '18446744073709551616' is too large" },
	{ R_SIZE, "16777216TiB", false, 0, "size '16777216TiB' is too large" },
	{ R_SIZE, "lots", false, 0, "expected a size such as 256KiB, 64MiB or 10MB, got 'lots'" },
	{ R_SIZE, "", false, 0, "expected a size such as 256KiB, 64MiB or 10MB, got nothing" },
	{ R_SIZE, "1.5GiB", false, 0, "expected a size" },
	{ R_SIZE, "64M", false, 0, "ambiguous unit in '64M'" },
	{ R_SIZE, "64 k", false, 0, "ambiguous unit in '64 k': write KiB" },
	{ R_SIZE, "-1", false, 0, "a size cannot be negative" },
	{ R_SIZE, "+5", false, 0, "expected a size" },
	{ R_SIZE, "1  MiB", false, 0, "expected a size" },
	{ R_SIZE, "0x10", false, 0, "expected a size" },
	{ R_SIZE, "1_000", false, 0, "expected a size" },
	{ R_SIZE, "5 MiB extra", false, 0, "expected a size" },
	{ R_SIZE, "[1]", false, 0, "expected a size such as 256KiB, 64MiB or 10MB, got a list" },
	{ R_DURATION, "90s", true, 90, NULL },
	{ R_DURATION, "15m", true, 900, NULL },
	{ R_DURATION, "2h", true, 7200, NULL },
	{ R_DURATION, "1d", true, 86400, NULL },
	{ R_DURATION, "1w", true, 7 * 86400, NULL },
	{ R_DURATION, "1h30m", true, 5400, NULL },
	{ R_DURATION, "1d2h3m4s", true, 86400 + 7200 + 180 + 4, NULL },
	{ R_DURATION, "42", true, 42, NULL },
	{ R_DURATION, "0", true, 0, NULL },
	{ R_DURATION, "1x", false, 0, "expected a duration such as 90s, 15m, 2h, 1d or 1h30m, got '1x'" },
	{ R_DURATION, "h", false, 0, "expected a duration" },
	{ R_DURATION, "1h30", false, 0, "expected a duration" },
	{ R_DURATION, "-5s", false, 0, "expected a duration" },
	{ R_DURATION, "1.5h", false, 0, "expected a duration" },
	{ R_DURATION, "1H", false, 0, "expected a duration" },
	{ R_DURATION, "", false, 0, "expected a duration such as 90s, 15m, 2h, 1d or 1h30m, got nothing" },
	{ R_DURATION, "99999999999999999999", false, 0, "duration '99999999999999999999' is too large" },
	{ R_DURATION, "30600000000000w", false, 0, "duration '30600000000000w' is too large" },
	{ R_DURATION, "18446744073709551615s1s", false, 0, "duration '18446744073709551615s1s' is too large" },
	{ R_BOOL, "true", true, 1, NULL },
	{ R_BOOL, "false", true, 0, NULL },
	{ R_BOOL, "yes", true, 1, NULL },
	{ R_BOOL, "no", true, 0, NULL },
	{ R_BOOL, "on", true, 1, NULL },
	{ R_BOOL, "off", true, 0, NULL },
	{ R_BOOL, "TRUE", true, 1, NULL },
	{ R_BOOL, "No", true, 0, NULL },
	{ R_BOOL, "'true'", true, 1, NULL },
	{ R_BOOL, "1", false, 0, "expected true or false, got '1'" },
	{ R_BOOL, "y", false, 0, "expected true or false, got 'y'" },
	{ R_BOOL, "", false, 0, "expected true or false, got nothing" },
	{ R_BOOL, "{a: b}", false, 0, "expected true or false, got a mapping" },
	{ R_UINT, "0", true, 0, NULL },
	{ R_UINT, "1024", true, 1024, NULL },
	{ R_UINT, "007", true, 7, NULL },
	{ R_UINT, "1025", false, 0, "'1025' is too large: the most is 1024" },
	{ R_UINT, "18446744073709551616", false, 0, "'18446744073709551616' is too large" },
	{ R_UINT, "+1", false, 0, "expected a whole number, got '+1'" },
	{ R_UINT, "-1", false, 0, "expected a whole number" },
	{ R_UINT, "1e3", false, 0, "expected a whole number" },
	{ R_UINT, "1.0", false, 0, "expected a whole number" },
	{ R_UINT, "", false, 0, "expected a whole number, got nothing" },
};

START_TEST(test_ynode_readers)
{
	struct ydoc doc = { 0 };
	struct drift_error err = { 0 };
	struct buf text = BUF_INIT(256);
	const struct ynode *v;
	uint64_t got = 12345;
	bool flag = false;
	int r = 0;

	ck_assert_int_eq(buf_printf(&text, "v: %s\n", reader_cases[_i].text), 0);
	load_doc(&doc, text.data);
	v = ynode_get(doc.root, "v");
	switch (reader_cases[_i].kind) {
	case R_SIZE:
		r = ynode_size(&doc, v, "v", &got, &err);
		break;
	case R_DURATION:
		r = ynode_duration(&doc, v, "v", &got, &err);
		break;
	case R_BOOL:
		if ((r = ynode_bool(&doc, v, "v", &flag, &err)) == 0)
			got = flag;
		break;
	case R_UINT:
		r = ynode_uint(&doc, v, "v", &got, 1024, &err);
		break;
	}
	if (reader_cases[_i].ok) {
		ck_assert_msg(r == 0, "'%s': %s", reader_cases[_i].text, err.msg);
		ck_assert_uint_eq(got, reader_cases[_i].want);
	} else {
		ck_assert_int_eq(r, DRIFT_EINVAL);
		ck_assert_uint_eq(got, 12345);	/* untouched */
		/* libyaml places an empty value just after the ':' */
		assert_message(&err, reader_cases[_i].text[0] != '\0' ? "t.yaml:1:4: v: " :
		    "t.yaml:1:3: v: ", reader_cases[_i].error);
	}
	ydoc_release(&doc);
	buf_release(&text);
}
END_TEST

START_TEST(test_ynode_strings)
{
	struct ydoc doc = { 0 };
	struct drift_error err = { 0 };
	char **v = NULL, *s = NULL;
	size_t n = 99;

	load_doc(&doc, "one: /etc\nmany: [a, 'b c', \"\"]\nnone: []\nnull:\n"
	    "nested: [a, [b]]\nmap: [a, {b: c}]\nnul: \"x\\0y\"\nyes: yes\n"
	    "long: \"\\x01\\e" "0123456789012345678901234567890123456789012345678901234567890\"\n");
	ck_assert_int_eq(ynode_strlist(&doc, ynode_get(doc.root, "one"), "one", &v, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0], "/etc");
	ck_assert_ptr_null(v[1]);
	ynode_strv_free(v);
	ck_assert_int_eq(ynode_strlist(&doc, ynode_get(doc.root, "many"), "many", &v, &n, &err), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(v[1], "b c");
	ck_assert_str_eq(v[2], "");
	ck_assert_ptr_null(v[3]);
	ynode_strv_free(v);
	ck_assert_int_eq(ynode_strlist(&doc, ynode_get(doc.root, "none"), "none", &v, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(v[0]);
	ynode_strv_free(v);
	v = NULL;
	n = 99;
	ck_assert_int_eq(ynode_strlist(&doc, ynode_get(doc.root, "null"), "null", &v, &n, &err), DRIFT_EINVAL);
	ck_assert_str_eq(err.msg, "t.yaml:4:6: null: expected a string or a list of strings, got nothing (write [] for an empty list)");
	ck_assert_int_eq(ynode_strlist(&doc, ynode_get(doc.root, "nested"), "nested", &v, &n, &err), DRIFT_EINVAL);
	ck_assert_str_eq(err.msg, "t.yaml:5:13: nested: expected a string, got a list");
	ck_assert_int_eq(ynode_strlist(&doc, ynode_get(doc.root, "map"), "map", &v, &n, &err), DRIFT_EINVAL);
	ck_assert_str_eq(err.msg, "t.yaml:6:10: map: expected a string, got a mapping");
	ck_assert_int_eq(ynode_strlist(&doc, ynode_get(doc.root, "nul"), "nul", &v, &n, &err), DRIFT_EINVAL);
	ck_assert_str_eq(err.msg, "t.yaml:7:6: nul: 'x\\x00y' contains a NUL byte");
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(n, 99);
	ck_assert_int_eq(ynode_strlist(&doc, NULL, "absent", &v, &n, &err), DRIFT_EINVAL);
	ck_assert_str_eq(err.msg, "t.yaml: absent: expected a string or a list of strings, got nothing (write [] for an empty list)");

	ck_assert_int_eq(ynode_string(&doc, ynode_get(doc.root, "yes"), "yes", &s, &err), 0);
	ck_assert_str_eq(s, "yes");	/* a string where a string is wanted */
	free(s);
	s = NULL;
	ck_assert_int_eq(ynode_string(&doc, ynode_get(doc.root, "many"), "many", &s, &err), DRIFT_EINVAL);
	ck_assert_str_eq(err.msg, "t.yaml:2:7: many: expected a string, got a list");
	ck_assert_int_eq(ynode_string(&doc, ynode_get(doc.root, "null"), "null", &s, &err), DRIFT_EINVAL);
	ck_assert_str_eq(err.msg, "t.yaml:4:6: null: expected a string, got nothing");
	ck_assert_ptr_null(s);
	/* values are quoted back with control bytes escaped and cut short */
	ck_assert_int_eq(ynode_bool(&doc, ynode_get(doc.root, "long"), "long", &(bool){ 0 }, &err), DRIFT_EINVAL);
	ck_assert_str_eq(err.msg, "t.yaml:9:7: long: expected true or false, got "
	    "'\\x01\\x1b0123456789012345678901234567890123456789012345...'");
	ydoc_release(&doc);
}
END_TEST

START_TEST(test_ynode_check_keys)
{
	static const char *const known[] = { "mode", "path", "owner", NULL };
	static const char *const none[] = { NULL };
	struct ydoc doc = { 0 };
	struct drift_error err = { 0 };

	load_doc(&doc, "mode: 1\npath: /x\nsub: {owner: x, Owner: y}\n");
	ck_assert_int_eq(ynode_check_keys(&doc, doc.root, NULL, known, &err), DRIFT_EINVAL);
	ck_assert_str_eq(err.msg, "t.yaml:3:1: unknown key 'sub' (known keys: mode, path, owner)");
	ck_assert_int_eq(ynode_check_keys(&doc, ynode_get(doc.root, "sub"), "sub", known, &err), DRIFT_EINVAL);
	ck_assert_str_eq(err.msg, "t.yaml:3:17: sub: unknown key 'Owner' (did you mean 'owner'?)");
	ck_assert_int_eq(ynode_check_keys(&doc, ynode_get(doc.root, "mode"), "mode", known, &err), DRIFT_EINVAL);
	ck_assert_str_eq(err.msg, "t.yaml:1:7: mode: expected a mapping of settings, got '1'");
	ck_assert_int_eq(ynode_check_keys(&doc, doc.root, NULL, none, &err), DRIFT_EINVAL);
	ck_assert_str_eq(err.msg, "t.yaml:1:1: unknown key 'mode' (known keys: none)");
	ydoc_release(&doc);
	load_doc(&doc, "path: /x\nmode: 2\n");
	ck_assert_int_eq(ynode_check_keys(&doc, doc.root, NULL, known, &err), 0);
	ydoc_release(&doc);
}
END_TEST

static const struct {
	const char *word;
	const char *want;
} suggest_cases[] = {
	{ "mdoe", "mode" },		/* transposition: one edit */
	{ "mode", "mode" },
	{ "Mode", "mode" },
	{ "mod", "mode" },
	{ "pahts", "paths" },
	{ "cross-mounts", "cross_mounts" },
	{ "capturemax", "capture_max" },
	{ "never_captur", "never_capture" },
	{ "nevr_captre", "never_capture" },	/* two edits in a long word */
	{ "md", NULL },		/* two edits in a short word is a different word */
	{ "zzzzzz", NULL },
	{ "", NULL },
	{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", NULL },
};

START_TEST(test_drift_suggest)
{
	static const char *const words[] = {
		"mode", "paths", "cross_mounts", "capture_max", "never_capture", "capture", NULL
	};
	const char *got = drift_suggest(suggest_cases[_i].word, words);

	if (suggest_cases[_i].want == NULL)
		ck_assert_msg(got == NULL, "'%s' -> '%s'", suggest_cases[_i].word, got);
	else
		ck_assert_msg(got != NULL && strcmp(got, suggest_cases[_i].want) == 0,
		    "'%s' -> '%s'", suggest_cases[_i].word, got ? got : "(none)");
}
END_TEST

Suite *make_config_suite(void);

Suite *
make_config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *agent = tcase_create("agent");
	TCase *yaml = tcase_create("ynode");

	tcase_add_test(agent, test_config_defaults);
	tcase_add_loop_test(agent, test_config_defaults_capture, 0,
	    (int)(sizeof(capture_cases) / sizeof(capture_cases[0])));
	tcase_add_test(agent, test_config_full_file);
	tcase_add_test(agent, test_config_load_over);
	tcase_add_test(agent, test_config_example_file);
	tcase_add_loop_test(agent, test_config_errors, 0,
	    (int)(sizeof(error_cases) / sizeof(error_cases[0])));
	tcase_add_test(agent, test_config_all_or_nothing);
	tcase_add_test(agent, test_config_missing_and_odd_files);
	tcase_add_test(agent, test_config_too_large);
	suite_add_tcase(s, agent);

	tcase_add_test(yaml, test_ydoc_tree);
	tcase_add_test(yaml, test_ydoc_empty);
	tcase_add_test(yaml, test_ydoc_refusals);
	tcase_add_loop_test(yaml, test_ynode_readers, 0,
	    (int)(sizeof(reader_cases) / sizeof(reader_cases[0])));
	tcase_add_test(yaml, test_ynode_strings);
	tcase_add_test(yaml, test_ynode_check_keys);
	tcase_add_loop_test(yaml, test_drift_suggest, 0,
	    (int)(sizeof(suggest_cases) / sizeof(suggest_cases[0])));
	suite_add_tcase(s, yaml);
	return s;
}
