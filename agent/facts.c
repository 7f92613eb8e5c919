/* SPDX-License-Identifier: MIT */
/* facts.c - what a host says about itself: names, OS release, kernel. */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "buf.h"
#include "facts.h"

/* First line of a small file, trimmed; NULL when absent. */
static char *
read_line(const char *root, const char *rel)
{
	struct buf b = BUF_INIT(64 * 1024);
	char path[4096];
	size_t n;
	int fd;

	snprintf(path, sizeof(path), "%s%s", strcmp(root, "/") == 0 ? "" : root, rel);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) < 0)
		return NULL;
	if (buf_read_fd(&b, fd) < 0 || b.data == NULL) {
		close(fd);
		buf_release(&b);
		return NULL;
	}
	close(fd);
	n = strcspn(b.data, "\n");
	while (n > 0 && isspace((unsigned char)b.data[n - 1]))
		n--;
	b.data[n] = '\0';
	return buf_detach(&b, NULL);
}

/* Value of KEY= in os-release, unquoted. */
static char *
os_release_value(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p != NULL && *p != '\0') {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			const char *v = p + klen + 1;
			size_t vlen = len - klen - 1;
			char *out, *o;
			size_t i;

			if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') && v[vlen - 1] == v[0]) {
				v++;
				vlen -= 2;
			}
			if ((out = malloc(vlen + 1)) == NULL)
				return NULL;
			for (i = 0, o = out; i < vlen; i++) {
				if (v[i] == '\\' && i + 1 < vlen)
					i++;
				*o++ = v[i];
			}
			*o = '\0';
			return out;
		}
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

static char *
or_empty(char *s)
{
	return s != NULL ? s : strdup("");
}

int
facts_collect(const char *root, Drift__HostFacts *h)
{
	bool live = strcmp(root, "/") == 0;
	struct buf osr = BUF_INIT(256 * 1024);
	struct utsname u;
	char path[4096];
	int fd;

	drift__host_facts__init(h);
	/* init points strings at a shared static "": start from NULL so every
	 * field ends up owned (or_empty below) and facts_release can free it. */
	h->hostname = h->machine_id = h->os_id = h->os_version = NULL;
	h->os_pretty = h->kernel = h->arch = h->agent_version = NULL;
	if (live) {
		char name[256];

		if (gethostname(name, sizeof(name)) == 0) {
			name[sizeof(name) - 1] = '\0';
			h->hostname = strdup(name);
		}
	} else {
		h->hostname = read_line(root, "/etc/hostname");
	}
	h->machine_id = read_line(root, "/etc/machine-id");
	snprintf(path, sizeof(path), "%s/etc/os-release", live ? "" : root);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		snprintf(path, sizeof(path), "%s/usr/lib/os-release", live ? "" : root);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	}
	if (fd >= 0) {
		if (buf_read_fd(&osr, fd) == 0 && osr.data != NULL) {
			h->os_id = os_release_value(osr.data, "ID");
			h->os_version = os_release_value(osr.data, "VERSION_ID");
			h->os_pretty = os_release_value(osr.data, "PRETTY_NAME");
		}
		close(fd);
	}
	buf_release(&osr);
	if (live && uname(&u) == 0) {
		h->kernel = strdup(u.release);
		h->arch = strdup(u.machine);
	}
	h->agent_version = strdup(PACKAGE_VERSION);
	h->hostname = or_empty(h->hostname);
	h->machine_id = or_empty(h->machine_id);
	h->os_id = or_empty(h->os_id);
	h->os_version = or_empty(h->os_version);
	h->os_pretty = or_empty(h->os_pretty);
	h->kernel = or_empty(h->kernel);
	h->arch = or_empty(h->arch);
	if (!h->hostname || !h->machine_id || !h->os_id || !h->os_version || !h->os_pretty ||
	    !h->kernel || !h->arch || !h->agent_version) {
		facts_release(h);
		return DRIFT_ENOMEM;
	}
	return 0;
}

void
facts_release(Drift__HostFacts *h)
{
	free(h->hostname);
	free(h->machine_id);
	free(h->os_id);
	free(h->os_version);
	free(h->os_pretty);
	free(h->kernel);
	free(h->arch);
	free(h->agent_version);
	h->hostname = h->machine_id = h->os_id = h->os_version = NULL;
	h->os_pretty = h->kernel = h->arch = h->agent_version = NULL;
}
