/* SPDX-License-Identifier: MIT */
/* fuzz_standard.c - libFuzzer harness: any bytes as a standard, then evaluated against a small baseline. */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"
#include "digest.h"
#include "standard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct baseline *fixed;

/* /etc, a captured sshd_config, a symlink, a key; dpkg packages. */
static struct baseline *
make_baseline(void)
{
	static const char sshd[] = "Port 22\nPermitRootLogin no\n";
	static Drift__FileEntry f[4] = {
		DRIFT__FILE_ENTRY__INIT, DRIFT__FILE_ENTRY__INIT,
		DRIFT__FILE_ENTRY__INIT, DRIFT__FILE_ENTRY__INIT,
	};
	static Drift__FileEntry *fp[4] = { &f[0], &f[1], &f[2], &f[3] };
	static Drift__PackageEntry p[2] = { DRIFT__PACKAGE_ENTRY__INIT, DRIFT__PACKAGE_ENTRY__INIT };
	static Drift__PackageEntry *pp[2] = { &p[0], &p[1] };
	static Drift__HostFacts h = DRIFT__HOST_FACTS__INIT;
	static uint8_t sha[DIGEST_LEN];
	static const char *const paths[4] = {
		"/etc", "/etc/alternatives/editor", "/etc/ssh/ssh_host_rsa_key", "/etc/ssh/sshd_config",
	};
	Drift__Baseline pb = DRIFT__BASELINE__INIT;
	struct baseline *b;
	uint8_t *buf;
	size_t len, i;

	for (i = 0; i < 4; i++) {
		f[i].path.data = (uint8_t *)paths[i];
		f[i].path.len = strlen(paths[i]);
		f[i].type = DRIFT__FILE_TYPE__FILE_TYPE_REGULAR;
		f[i].mode = 0644;
		f[i].owner = "root";
		f[i].group = "root";
	}
	f[0].type = DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY;
	f[1].type = DRIFT__FILE_TYPE__FILE_TYPE_SYMLINK;
	f[1].target.data = (uint8_t *)"/usr/bin/nano";
	f[1].target.len = 13;
	f[2].mode = 0600;
	f[2].error = "open: permission denied";
	digest_sha256(sshd, sizeof(sshd) - 1, sha);
	f[3].sha256.data = sha;
	f[3].sha256.len = DIGEST_LEN;
	f[3].content_captured = 1;
	p[0].manager = p[1].manager = "dpkg";
	p[0].name = "openssh-server";
	p[0].version = "1:9.2p1-2+deb12u3";
	p[1].name = "telnetd";
	p[1].version = "0.17-44";
	p[0].arch = p[1].arch = "amd64";
	p[0].status = p[1].status = "installed";
	h.hostname = "web01";
	h.os_id = "debian";
	h.os_version = "12";
	pb.format_version = BASELINE_FORMAT_VERSION;
	pb.host_id = "web01";
	pb.host = &h;
	pb.files = fp;
	pb.n_files = 4;
	pb.packages = pp;
	pb.n_packages = 2;
	len = drift__baseline__get_packed_size(&pb);
	if ((buf = malloc(len)) == NULL || (b = baseline_new("fuzz")) == NULL)
		abort();
	drift__baseline__pack(&pb, buf);
	if (baseline_decode_into(b, buf, len, NULL) < 0 ||
	    baseline_add_content(b, sha, sshd, sizeof(sshd) - 1) < 0)
		abort();
	free(buf);
	return b;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct drift_error err = { 0 };
	struct standard *s = NULL;
	struct evaluation ev;
	static char dir[] = "/tmp/drift-fuzz-std-XXXXXX";
	static int empty = -1, back = -1;
	int r;

	if (fixed == NULL) {
		if (mkdtemp(dir) == NULL || (empty = open(dir, O_RDONLY | O_DIRECTORY)) < 0 ||
		    (back = open(".", O_RDONLY | O_DIRECTORY)) < 0)
			abort();
		fixed = make_baseline();
	}
	/*
	 * Relative includes look in an empty directory, not at the caller's
	 * files; only while loading, since libFuzzer writes its corpus by
	 * relative names.
	 */
	if (fchdir(empty) != 0)
		abort();
	r = standard_load_buffer("fuzz.yaml", (const char *)data, size, &s, &err);
	if (fchdir(back) != 0)
		abort();
	if (r < 0)
		return 0;
	(void)standard_applies(s, fixed->pb);
	if (standard_evaluate(s, fixed, &ev) == 0) {
		(void)evaluation_status(&ev);
		evaluation_release(&ev);
	}
	standard_free(s);
	return 0;
}
