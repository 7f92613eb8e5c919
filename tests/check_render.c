/* SPDX-License-Identifier: MIT */
/* check_render.c - JSON output read back by Python against the contract; ls-style permissions. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baseline.h"
#include "diff.h"
#include "digest.h"
#include "drift.pb-c.h"
#include "render.h"

/* --- helpers --- */

/* What a shell command printed, given `in` on its standard input (free it). */
static char *
run(const char *cmd, const char *in, size_t inlen)
{
	char infile[] = "/tmp/drift-check-render-in-XXXXXX", full[4096], *out = NULL, blk[4096];
	size_t len = 0, n;
	FILE *o, *p;
	int fd, status;

	ck_assert_int_ge(fd = mkstemp(infile), 0);
	ck_assert_int_eq(write(fd, in, inlen), (ssize_t)inlen);
	close(fd);
	snprintf(full, sizeof(full), "(%s) < %s", cmd, infile);
	ck_assert_ptr_nonnull(o = open_memstream(&out, &len));
	ck_assert_ptr_nonnull(p = popen(full, "r"));
	while ((n = fread(blk, 1, sizeof(blk), p)) > 0)
		fwrite(blk, 1, n, o);
	status = pclose(p);
	fclose(o);
	unlink(infile);
	ck_assert_msg(status == 0, "'%s' failed (%d): %s\ninput:\n%.*s", cmd, status, out, (int)inlen, in);
	return out;
}

/* Run a Python program (no single quotes in it) on in. */
static char *
python(const char *prog, const char *in, size_t inlen)
{
	char *cmd, *out;
	size_t n = strlen(prog) + 32;

	ck_assert_ptr_nonnull(cmd = malloc(n));
	ck_assert_ptr_null(strchr(prog, '\''));
	snprintf(cmd, n, "python3 -c '%s'", prog);
	out = run(cmd, in, inlen);
	free(cmd);
	return out;
}

static void
set_bytes(ProtobufCBinaryData *b, const void *data, size_t len)
{
	b->data = (uint8_t *)data;
	b->len = len;
}

/* Pack pb and read it back, so the renderers see what a reader would. */
static struct baseline *
load(const Drift__Baseline *pb)
{
	size_t n = drift__baseline__get_packed_size(pb);
	uint8_t *data = malloc(n);
	struct drift_error err = { 0 };
	struct baseline *b = NULL;

	ck_assert_ptr_nonnull(data);
	drift__baseline__pack(pb, data);
	ck_assert_msg(baseline_read_memory("mem", data, n, NULL, &b, &err) == 0, "%s", err.msg);
	free(data);
	return b;
}

static char *
render_show(const struct render_ops *ops, const struct baseline *b, size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ops->show(f, b), 0);
	ck_assert_int_eq(fclose(f), 0);
	return out;
}

/* --- drift show --format json --- */

static const char hosts_text[] = "127.0.0.1 localhost\n::1 localhost\n";

/*
 * Files sorted by path bytes: a char device, a directory, a regular file
 * whose name is not UTF-8, one with a control character, a symlink whose
 * target is not UTF-8, an unreadable file with no owner name.
 */
static struct baseline *
show_fixture(void)
{
	static Drift__Baseline pb;
	static Drift__HostFacts host;
	static Drift__FileEntry f[6];
	static Drift__FileEntry *fp[6];
	static Drift__PackageEntry p;
	static Drift__PackageEntry *pp[1];
	static uint8_t sha[DIGEST_LEN];
	static const char *const paths[6] = {
		"/dev/null", "/etc", "/etc/b\xff" "ad", "/etc/new\nline", "/etc/resolv.conf", "/etc/shadow",
	};
	size_t i;

	drift__baseline__init(&pb);
	drift__host_facts__init(&host);
	host.hostname = "web-01.example";
	host.os_id = "debian";
	host.os_version = "12";
	host.os_pretty = "Debian GNU/Linux 12 (bookworm)";
	host.arch = "x86_64";
	pb.format_version = 1;
	pb.host_id = "web-01";
	pb.host = &host;
	pb.taken_at_ns = INT64_C(1795507200400614504);
	ck_assert_int_eq(digest_sha256(hosts_text, strlen(hosts_text), sha), 0);
	for (i = 0; i < 6; i++) {
		drift__file_entry__init(&f[i]);
		set_bytes(&f[i].path, paths[i], strlen(paths[i]));
		f[i].type = DRIFT__FILE_TYPE__FILE_TYPE_REGULAR;
		f[i].mode = 0644;
		f[i].owner = "root";
		f[i].group = "root";
		f[i].mtime_ns = INT64_C(1795506912000000000);
		fp[i] = &f[i];
	}
	f[0].type = DRIFT__FILE_TYPE__FILE_TYPE_CHAR;
	f[0].mode = 0666;
	f[0].rdev = 0x103;
	f[1].type = DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY;
	f[1].mode = 0755;
	set_bytes(&f[2].sha256, sha, DIGEST_LEN);
	f[2].size = strlen(hosts_text);
	f[2].content_captured = true;
	f[2].mode = 04755;
	f[2].uid = 33;
	f[2].owner = "www-data";
	f[2].gid = 4;
	f[2].group = "adm";
	f[4].type = DRIFT__FILE_TYPE__FILE_TYPE_SYMLINK;
	f[4].mode = 0777;
	set_bytes(&f[4].target, "../run/\xfe", 8);
	f[5].mode = 0640;
	f[5].uid = 4242;
	f[5].owner = "";
	f[5].gid = 42;
	f[5].group = "shadow";
	f[5].error = "open: Permission denied";
	pb.files = fp;
	pb.n_files = 6;
	drift__package_entry__init(&p);
	p.manager = "dpkg";
	p.name = "nginx";
	p.version = "1.22.1-9+deb12u1";
	p.arch = "amd64";
	p.status = "installed";
	pp[0] = &p;
	pb.packages = pp;
	pb.n_packages = 1;
	return load(&pb);
}

/*
 * Checks the contract's field names and prints what a reader gets: for
 * paths and targets the exact bytes (from *_b64 when present) in hex.
 */
static const char show_prog[] =
    "import base64, json, sys\n"
    "o = json.load(sys.stdin)\n"
    "assert set(o) == {\"host\", \"taken_at\", \"files\", \"packages\"}, sorted(o)\n"
    "assert set(o[\"host\"]) == {\"host_id\", \"hostname\", \"os\", \"os_pretty\", \"machine_id\",\n"
    "    \"kernel\", \"arch\", \"agent_version\"}, sorted(o[\"host\"])\n"
    "FILE = {\"path\", \"type\", \"mode\", \"uid\", \"gid\", \"owner\", \"group\", \"size\", \"mtime\",\n"
    "    \"sha256\", \"target\", \"content_captured\", \"error\"}\n"
    "def exact(obj, key):\n"
    "    if obj[key] is None:\n"
    "        assert key + \"_b64\" not in obj\n"
    "        return None\n"
    "    if key + \"_b64\" in obj:\n"
    "        raw = base64.b64decode(obj[key + \"_b64\"], validate=True)\n"
    "        assert obj[key] == raw.decode(\"utf-8\", \"replace\"), obj[key]\n"
    "        return raw.hex()\n"
    "    return obj[key].encode(\"utf-8\").hex()\n"
    "for f in o[\"files\"]:\n"
    "    keys = set(f)\n"
    "    assert FILE <= keys, sorted(FILE - keys)\n"
    "    assert keys - FILE <= {\"path_b64\", \"target_b64\", \"rdev\"}, sorted(keys - FILE)\n"
    "    assert (\"rdev\" in f) == (f[\"type\"] in (\"char\", \"block\"))\n"
    "    print(exact(f, \"path\"), f[\"type\"], f[\"mode\"], f[\"uid\"], f[\"gid\"], f[\"owner\"],\n"
    "        f[\"group\"], f[\"size\"], f[\"mtime\"], f[\"sha256\"], exact(f, \"target\"), f.get(\"rdev\"),\n"
    "        f[\"content_captured\"], f[\"error\"])\n"
    "for p in o[\"packages\"]:\n"
    "    assert set(p) == {\"manager\", \"name\", \"version\", \"arch\", \"status\"}, sorted(p)\n"
    "    print(p[\"manager\"], p[\"name\"], p[\"version\"], p[\"arch\"], p[\"status\"])\n"
    "h = o[\"host\"]\n"
    "print(h[\"host_id\"], h[\"hostname\"], h[\"os\"], h[\"os_pretty\"], repr(h[\"kernel\"]), o[\"taken_at\"])\n";

START_TEST(test_json_show_contract)
{
	struct baseline *b = show_fixture();
	char *out, *got, sha[DIGEST_HEX_LEN + 1];
	char want[4096];
	size_t len;

	digest_hex(b->pb->files[2]->sha256.data, DIGEST_LEN, sha);
	out = render_show(&render_json_ops, b, &len);
	got = python(show_prog, out, len);
	snprintf(want, sizeof(want),
	    /* hex of "/dev/null" ... as the bytes were stored */
	    "2f6465762f6e756c6c char 0666 0 0 root root 0 2026-11-24T07:55:12Z None None 259 False None\n"
	    "2f657463 directory 0755 0 0 root root 0 2026-11-24T07:55:12Z None None None False None\n"
	    "2f6574632f62ff6164 regular 4755 33 4 www-data adm %zu 2026-11-24T07:55:12Z %s None None True None\n"
	    "2f6574632f6e65770a6c696e65 regular 0644 0 0 root root 0 2026-11-24T07:55:12Z None None None False None\n"
	    "2f6574632f7265736f6c762e636f6e66 symlink 0777 0 0 root root 0 2026-11-24T07:55:12Z None "
	    "2e2e2f72756e2ffe None False None\n"
	    "2f6574632f736861646f77 regular 0640 4242 42 None shadow 0 2026-11-24T07:55:12Z None None None "
	    "False open: Permission denied\n"
	    "dpkg nginx 1.22.1-9+deb12u1 amd64 installed\n"
	    "web-01 web-01.example debian-12 Debian GNU/Linux 12 (bookworm) '' 2026-11-24T08:00:00.400614504Z\n",
	    strlen(hosts_text), sha);
	ck_assert_str_eq(got, want);
	/* the exact spelling the manual shows for the odd path */
	ck_assert_ptr_nonnull(strstr(out, "\"path\": \"/etc/b\\ufffdad\", \"path_b64\": \"L2V0Yy9i/2Fk\""));
	/* valid UTF-8 with a control character: escaped exactly, no base64 copy */
	ck_assert_ptr_nonnull(strstr(out, "\"path\": \"/etc/new\\nline\", \"type\""));
	free(got);
	free(out);
	baseline_free(b);
}
END_TEST

START_TEST(test_json_show_empty)
{
	Drift__Baseline pb = DRIFT__BASELINE__INIT;
	struct baseline *b;
	char *out, *got;
	size_t len;

	pb.format_version = 1;
	b = load(&pb);
	out = render_show(&render_json_ops, b, &len);
	got = python("import json, sys; o = json.load(sys.stdin); print(sorted(o), o[\"host\"], o[\"files\"], o[\"packages\"], o[\"taken_at\"])",
	    out, len);
	ck_assert_str_eq(got, "['files', 'host', 'packages', 'taken_at'] {'host_id': ''} [] [] 1970-01-01T00:00:00Z\n");
	free(got);
	free(out);
	baseline_free(b);
}
END_TEST

/* --- drift diff --format json --- */

static const char sshd_old[] = "Port 22\nPermitRootLogin no\nPasswordAuthentication no\nUsePAM yes\n";
static const char sshd_new[] = "Port 22\nPermitRootLogin yes\nPasswordAuthentication no\nUsePAM yes\n";

struct diff_side {
	Drift__Baseline pb;
	Drift__HostFacts host;
	Drift__FileEntry f[3];
	Drift__FileEntry *fp[3];
	Drift__PackageEntry p[2];
	Drift__PackageEntry *pp[2];
	uint8_t sha[DIGEST_LEN];
};

static void
diff_side_init(struct diff_side *s, int64_t taken, const char *sshd)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	drift__baseline__init(&s->pb);
	drift__host_facts__init(&s->host);
	s->pb.format_version = 1;
	s->pb.host_id = "web-01";
	s->pb.host = &s->host;
	s->pb.taken_at_ns = taken;
	s->pb.files = s->fp;
	s->pb.packages = s->pp;
	ck_assert_int_eq(digest_sha256(sshd, strlen(sshd), s->sha), 0);
	for (i = 0; i < 3; i++) {
		drift__file_entry__init(&s->f[i]);
		s->f[i].type = DRIFT__FILE_TYPE__FILE_TYPE_REGULAR;
		s->f[i].mode = 0644;
		s->f[i].owner = "root";
		s->f[i].group = "root";
		s->fp[i] = &s->f[i];
	}
	for (i = 0; i < 2; i++)
		drift__package_entry__init(&s->p[i]);
	set_bytes(&s->f[0].sha256, s->sha, DIGEST_LEN);
	s->f[0].size = strlen(sshd);
	s->f[0].content_captured = true;
}

static Drift__PackageEntry *
diff_pkg(struct diff_side *s, const char *name, const char *version)
{
	Drift__PackageEntry *p = &s->p[s->pb.n_packages];

	p->manager = "dpkg";
	p->name = (char *)name;
	p->arch = "amd64";
	p->version = (char *)version;
	p->status = "installed";
	s->pp[s->pb.n_packages++] = p;
	return p;
}

static const char diff_prog[] =
    "import base64, json, sys\n"
    "o = json.load(sys.stdin)\n"
    "assert set(o) == {\"old\", \"new\", \"summary\", \"changes\"}, sorted(o)\n"
    "for side in (\"old\", \"new\"):\n"
    "    assert set(o[side]) == {\"host\", \"taken_at\"}, sorted(o[side])\n"
    "print(o[\"summary\"])\n"
    "print(o[\"old\"][\"taken_at\"], o[\"new\"][\"taken_at\"], o[\"new\"][\"host\"][\"host_id\"])\n"
    "PKG = {\"type\", \"manager\", \"name\", \"arch\", \"change\", \"old_version\", \"new_version\",\n"
    "    \"old_status\", \"new_status\"}\n"
    "for c in o[\"changes\"]:\n"
    "    if c[\"type\"] == \"package\":\n"
    "        assert set(c) == PKG, sorted(c)\n"
    "        print(\"package\", c[\"change\"], c[\"manager\"], c[\"name\"], c[\"arch\"], c[\"old_version\"],\n"
    "            c[\"new_version\"], c[\"old_status\"], c[\"new_status\"])\n"
    "        continue\n"
    "    assert c[\"type\"] == \"file\"\n"
    "    want = {\"type\", \"path\", \"change\"}\n"
    "    if c[\"change\"] == \"modified\": want |= {\"attributes\"}\n"
    "    if c[\"change\"] != \"added\": want |= {\"old\"}\n"
    "    if c[\"change\"] != \"removed\": want |= {\"new\"}\n"
    "    extra = set(c) - want\n"
    "    assert want <= set(c), sorted(want - set(c))\n"
    "    assert extra <= {\"path_b64\", \"diff\"}, sorted(extra)\n"
    "    raw = base64.b64decode(c[\"path_b64\"]) if \"path_b64\" in c else c[\"path\"].encode()\n"
    "    for side in (\"old\", \"new\"):\n"
    "        if side in c:\n"
    "            s = c[side]\n"
    "            sraw = base64.b64decode(s[\"path_b64\"]) if \"path_b64\" in s else s[\"path\"].encode()\n"
    "            assert sraw == raw\n"
    "            assert {\"path\", \"type\", \"mode\", \"sha256\", \"content_captured\"} <= set(s)\n"
    "    print(\"file\", c[\"change\"], raw.hex(), \",\".join(c.get(\"attributes\", [])),\n"
    "        c.get(\"old\", {}).get(\"mode\"), c.get(\"new\", {}).get(\"mode\"))\n"
    "    if \"diff\" in c:\n"
    "        sys.stdout.write(c[\"diff\"])\n";

START_TEST(test_json_diff_contract)
{
	struct diff_side *o = malloc(sizeof(*o)), *n = malloc(sizeof(*n));
	struct baseline *bo, *bn;
	struct diff d;
	char *out = NULL, *got, *udiff, cmd[512], want[4096];
	char fo[] = "/tmp/drift-check-render-a-XXXXXX", fn[] = "/tmp/drift-check-render-b-XXXXXX";
	size_t len = 0;
	FILE *f;
	int fd;

	ck_assert(o && n);
	diff_side_init(o, INT64_C(1795420800184021102), sshd_old);
	diff_side_init(n, INT64_C(1795507200400614504), sshd_new);
	/* old: /etc/old.conf, /etc/ssh/sshd_config; new: /etc/n\xffew, /etc/ssh/sshd_config (mode) */
	set_bytes(&o->f[1].path, "/etc/old.conf", 13);
	set_bytes(&o->f[0].path, "/etc/ssh/sshd_config", 20);
	o->fp[0] = &o->f[1];
	o->fp[1] = &o->f[0];
	o->pb.n_files = 2;
	set_bytes(&n->f[1].path, "/etc/n\xff" "ew", 9);
	set_bytes(&n->f[0].path, "/etc/ssh/sshd_config", 20);
	n->f[0].mode = 0600;
	n->fp[0] = &n->f[1];
	n->fp[1] = &n->f[0];
	n->pb.n_files = 2;
	diff_pkg(n, "jq", "1.6-2.1");
	diff_pkg(o, "nginx", "1.22.1-9");
	diff_pkg(n, "nginx", "1.22.1-9+deb12u1");
	bo = load(&o->pb);
	bn = load(&n->pb);
	ck_assert_int_eq(baseline_add_content(bo, o->sha, sshd_old, strlen(sshd_old)), 0);
	ck_assert_int_eq(baseline_add_content(bn, n->sha, sshd_new, strlen(sshd_new)), 0);
	ck_assert_int_eq(diff_baselines(bo->pb, bn->pb, &d), 0);
	ck_assert_ptr_nonnull(f = open_memstream(&out, &len));
	ck_assert_int_eq(render_json_ops.diff(f, bo, bn, &d), 0);
	fclose(f);
	got = python(diff_prog, out, len);

	/* the content diff as GNU diff -u writes it, with the snapshot times as labels */
	ck_assert_int_ge(fd = mkstemp(fo), 0);
	ck_assert_int_eq(write(fd, sshd_old, strlen(sshd_old)), (ssize_t)strlen(sshd_old));
	close(fd);
	ck_assert_int_ge(fd = mkstemp(fn), 0);
	ck_assert_int_eq(write(fd, sshd_new, strlen(sshd_new)), (ssize_t)strlen(sshd_new));
	close(fd);
	snprintf(cmd, sizeof(cmd), "diff -u --label 2026-11-23T08:00:00.184021102Z "
	    "--label 2026-11-24T08:00:00.400614504Z %s %s; test $? = 1", fo, fn);
	udiff = run(cmd, "", 0);
	unlink(fo);
	unlink(fn);
	ck_assert_ptr_nonnull(strstr(udiff, "+PermitRootLogin yes"));

	snprintf(want, sizeof(want),
	    "1 package upgraded, 1 installed; 1 file modified, 1 added, 1 removed\n"
	    "2026-11-23T08:00:00.184021102Z 2026-11-24T08:00:00.400614504Z web-01\n"
	    "package installed dpkg jq amd64 None 1.6-2.1 None installed\n"
	    "package upgraded dpkg nginx amd64 1.22.1-9 1.22.1-9+deb12u1 installed installed\n"
	    "file added 2f6574632f6eff6577  None 0644\n"
	    "file removed 2f6574632f6f6c642e636f6e66  0644 None\n"
	    "file modified 2f6574632f7373682f737368645f636f6e666967 mode,size,sha256 0644 0600\n"
	    "%s", udiff);
	ck_assert_str_eq(got, want);
	/* the odd path keeps its exact bytes in path_b64, in the change and in its file object */
	ck_assert_ptr_nonnull(strstr(out, "{\"type\": \"file\", \"path\": \"/etc/n\\ufffdew\", \"path_b64\": \"L2V0Yy9u/2V3\""));
	free(udiff);
	free(got);
	free(out);
	diff_release(&d);
	baseline_free(bo);
	baseline_free(bn);
	free(o);
	free(n);
}
END_TEST

/* --- permissions as ls -l writes them --- */

START_TEST(test_perms_literal)
{
	char buf[16];

	ck_assert_str_eq(render_perms(DRIFT__FILE_TYPE__FILE_TYPE_REGULAR, 04755, buf, sizeof(buf)), "-rwsr-xr-x");
	ck_assert_str_eq(render_perms(DRIFT__FILE_TYPE__FILE_TYPE_REGULAR, 04600, buf, sizeof(buf)), "-rwS------");
	ck_assert_str_eq(render_perms(DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY, 01777, buf, sizeof(buf)), "drwxrwxrwt");
	ck_assert_str_eq(render_perms(DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY, 01770, buf, sizeof(buf)), "drwxrwx--T");
	ck_assert_str_eq(render_perms(DRIFT__FILE_TYPE__FILE_TYPE_REGULAR, 02755, buf, sizeof(buf)), "-rwxr-sr-x");
	ck_assert_str_eq(render_perms(DRIFT__FILE_TYPE__FILE_TYPE_REGULAR, 02745, buf, sizeof(buf)), "-rwxr-Sr-x");
	ck_assert_str_eq(render_perms(DRIFT__FILE_TYPE__FILE_TYPE_SYMLINK, 0777, buf, sizeof(buf)), "lrwxrwxrwx");
	ck_assert_str_eq(render_perms(DRIFT__FILE_TYPE__FILE_TYPE_CHAR, 0620, buf, sizeof(buf)), "crw--w----");
	ck_assert_str_eq(render_perms(DRIFT__FILE_TYPE__FILE_TYPE_BLOCK, 0660, buf, sizeof(buf)), "brw-rw----");
	ck_assert_str_eq(render_perms(DRIFT__FILE_TYPE__FILE_TYPE_SOCKET, 0777, buf, sizeof(buf)), "srwxrwxrwx");
	ck_assert_str_eq(render_perms(DRIFT__FILE_TYPE__FILE_TYPE_UNKNOWN, 0, buf, sizeof(buf)), "?---------");
	ck_assert_str_eq(render_perms(DRIFT__FILE_TYPE__FILE_TYPE_REGULAR, 07777, buf, sizeof(buf)), "-rwsrwsrwt");
	ck_assert_str_eq(render_perms(DRIFT__FILE_TYPE__FILE_TYPE_REGULAR, 07000, buf, sizeof(buf)), "---S--S--T");
	/* a short buffer is cut, never overrun */
	ck_assert_str_eq(render_perms(DRIFT__FILE_TYPE__FILE_TYPE_REGULAR, 0755, buf, 4), "-rw");
}
END_TEST

static const unsigned perm_modes[] = {
	0, 0644, 0755, 0600, 04755, 04644, 04600, 02755, 02644, 02600, 01777, 01776, 01666,
	06755, 07777, 07000, 0111, 0222, 0444,
};

/* Every mode on a real file, directory and fifo, against `ls -ld`. */
START_TEST(test_perms_match_ls)
{
	char dir[] = "/tmp/drift-check-render-XXXXXX", path[64], cmd[256], buf[16], *out;
	static const struct { const char *name; Drift__FileType type; } kinds[] = {
		{ "file", DRIFT__FILE_TYPE__FILE_TYPE_REGULAR },
		{ "dir", DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY },
		{ "fifo", DRIFT__FILE_TYPE__FILE_TYPE_FIFO },
	};
	size_t k, i;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		snprintf(path, sizeof(path), "%s/%s", dir, kinds[k].name);
		if (kinds[k].type == DRIFT__FILE_TYPE__FILE_TYPE_REGULAR) {
			ck_assert_ptr_nonnull(f = fopen(path, "w"));
			fclose(f);
		} else if (kinds[k].type == DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY) {
			ck_assert_int_eq(mkdir(path, 0700), 0);
		} else {
			ck_assert_int_eq(mkfifo(path, 0600), 0);
		}
		for (i = 0; i < sizeof(perm_modes) / sizeof(perm_modes[0]); i++) {
			struct stat st;

			ck_assert_int_eq(chmod(path, perm_modes[i]), 0);
			ck_assert_int_eq(stat(path, &st), 0);
			if ((st.st_mode & 07777) != perm_modes[i])
				continue;	/* not settable here (no privilege) */
			snprintf(cmd, sizeof(cmd), "ls -ld '%s' | cut -c1-10", path);
			out = run(cmd, "", 0);
			render_perms(kinds[k].type, perm_modes[i], buf, sizeof(buf));
			ck_assert_msg(strncmp(out, buf, 10) == 0 && out[10] == '\n',
			    "%s %04o: ls says %.10s, drift %s", kinds[k].name, perm_modes[i], out, buf);
			free(out);
		}
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_mode_and_find)
{
	char buf[8];

	ck_assert_str_eq(render_mode(0644, buf, sizeof(buf)), "0644");
	ck_assert_str_eq(render_mode(0, buf, sizeof(buf)), "0000");
	ck_assert_str_eq(render_mode(07777, buf, sizeof(buf)), "7777");
	ck_assert_str_eq(render_mode(0100644, buf, sizeof(buf)), "0644");	/* type bits dropped */
	ck_assert_ptr_eq(render_find("json"), &render_json_ops);
	ck_assert_ptr_eq(render_find("text"), &render_text_ops);
	ck_assert_ptr_null(render_find("yaml"));
	ck_assert_ptr_null(render_find(""));
}
END_TEST

START_TEST(test_host_name)
{
	Drift__Baseline pb = DRIFT__BASELINE__INIT;
	Drift__HostFacts h = DRIFT__HOST_FACTS__INIT;

	ck_assert_str_eq(render_host_name(&pb), "unknown host");
	pb.host = &h;
	ck_assert_str_eq(render_host_name(&pb), "unknown host");
	h.hostname = "db-2";
	ck_assert_str_eq(render_host_name(&pb), "db-2");
	pb.host_id = "db-2.prod";
	ck_assert_str_eq(render_host_name(&pb), "db-2.prod");
}
END_TEST

START_TEST(test_write_error_reported)
{
	struct baseline *b = show_fixture();
	FILE *f = fopen("/dev/full", "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(render_json_ops.show(f, b), DRIFT_EIO);
	fclose(f);
	baseline_free(b);
}
END_TEST

Suite *make_render_suite(void);

Suite *
make_render_suite(void)
{
	Suite *s = suite_create("render");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_json_show_contract);
	tcase_add_test(tc, test_json_show_empty);
	tcase_add_test(tc, test_json_diff_contract);
	tcase_add_test(tc, test_perms_literal);
	tcase_add_test(tc, test_perms_match_ls);
	tcase_add_test(tc, test_mode_and_find);
	tcase_add_test(tc, test_host_name);
	tcase_add_test(tc, test_write_error_reported);
	suite_add_tcase(s, tc);
	return s;
}
