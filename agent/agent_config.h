/* SPDX-License-Identifier: MIT */
/* agent_config.h - the agent's configuration (/etc/drift/agent.yaml) and its defaults. */
#ifndef DRIFT_AGENT_AGENT_CONFIG_H
#define DRIFT_AGENT_AGENT_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct strlist {
	char **v;
	size_t n;
};

struct agent_config {
	char *host_id;		/* NULL: certificate CN, else hostname */
	char *collector;	/* URL, NULL when not set */
	char *tls_ca, *tls_cert, *tls_key;
	struct strlist paths;		/* absolute paths to walk */
	struct strlist exclude;		/* globs: not recorded at all */
	struct strlist capture;		/* globs: content kept */
	struct strlist never_capture;	/* globs: content never kept (wins) */
	struct strlist package_managers;	/* "dpkg", "rpm" */
	uint64_t capture_max;	/* largest file whose content is kept */
	bool cross_mounts;	/* descend into other filesystems */
	char *spool_dir;
	uint64_t spool_max;
	char *source;		/* the file it came from, NULL for defaults */
};

/* Default configuration file. */
#define AGENT_CONFIG_DEFAULT SYSCONFDIR "/drift/agent.yaml"

/* A configuration file larger than this is refused (DRIFT_ETOOBIG). */
#define AGENT_CONFIG_MAX_BYTES	(1024 * 1024)

/* Fill cfg with the documented defaults. */
int agent_config_defaults(struct agent_config *cfg);

/*
 * Load path over the defaults. A missing file is DRIFT_ENOTFOUND (callers
 * decide whether that matters); any bad key or value fails with
 * DRIFT_ECONFIG and "PATH:LINE:COL: ..." in err and leaves cfg as it was.
 * Keys in the file replace the value in cfg (lists are not merged). The
 * keys and their defaults are documented in packaging/agent.yaml.
 */
int agent_config_load(struct agent_config *cfg, const char *path, struct drift_error *err);

void agent_config_release(struct agent_config *cfg);

/* strlist helpers: push copies s; clear frees everything. v is NULL-terminated. */
int strlist_push(struct strlist *l, const char *s);
void strlist_clear(struct strlist *l);

#endif
