/* SPDX-License-Identifier: MIT */
/* agent_config.c - the agent's configuration: documented defaults, and agent.yaml read over them. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "agent_config.h"
#include "baseline.h"
#include "cfgread.h"
#include "error.h"
#include "ynode.h"

/*
 * The defaults, mirrored key for key in packaging/agent.yaml (a unit test
 * loads that file and compares).
 */

/* Where configuration usually lives, plus what a package manager does not track. */
static const char *const default_paths[] = {
	"/etc",
	"/usr/local/etc",
	"/usr/local/bin",
	"/usr/local/sbin",
	"/boot",
	"/root/.ssh",
	"/var/spool/cron",
	NULL
};

/* Files the system rewrites on its own: recording them is only noise. */
static const char *const default_exclude[] = {
	"/etc/mtab",
	"/etc/ld.so.cache",
	"/etc/adjtime",
	"/etc/.pwd.lock",
	"/boot/grub/grubenv",
	"/boot/grub2/grubenv",
	NULL
};

static const char *const default_capture[] = {
	"/etc/**",
	NULL
};

/*
 * Secrets: their metadata and hash are recorded, their content never
 * leaves the host. Public material (.pem certificates, .pub keys) is not
 * listed so its changes can still be shown.
 */
static const char *const default_never_capture[] = {
	"/etc/shadow*",
	"/etc/gshadow*",
	"/etc/security/opasswd",
	"/etc/ssh/ssh_host_*_key",
	"**/private/**",
	"**/*.key",
	"**/privkey*.pem",
	"**/*.p12",
	"**/*.pfx",
	"**/*.keytab",
	"**secret**",
	"/etc/letsencrypt/keys/**",
	"/etc/wireguard/**",
	"/etc/NetworkManager/system-connections/**",
	"/etc/wpa_supplicant/**",
	"/etc/mysql/debian.cnf",
	"/etc/postfix/sasl_passwd*",
	NULL
};

/* The agent skips a manager whose database is absent on the host. */
static const char *const package_managers[] = { "dpkg", "rpm", NULL };
/* The default reads only what this build can read: rpm needs librpm. */
static const char *const default_package_managers[] = {
	"dpkg",
#ifdef HAVE_RPM
	"rpm",
#endif
	NULL,
};

#define DEFAULT_CAPTURE_MAX	(256ULL * 1024)
#define DEFAULT_SPOOL_DIR	LOCALSTATEDIR "/lib/drift/spool"
#define DEFAULT_SPOOL_MAX	(256ULL * 1024 * 1024)
#define MAX_JOBS		1024
#define MAX_HOST_ID		DRIFT_HOST_ID_MAX

static const char *const top_keys[] = {
	"host_id", "collector", "tls", "paths", "exclude", "capture",
	"never_capture", "capture_max", "cross_mounts", "package_managers",
	"spool", "jobs", NULL
};
static const char *const spool_keys[] = { "dir", "max", NULL };

/* ------------------------------------------------------------- strlist */

int
strlist_push(struct strlist *l, const char *s)
{
	char **v, *copy;

	if ((copy = strdup(s)) == NULL)
		return DRIFT_ENOMEM;
	if ((v = realloc(l->v, (l->n + 2) * sizeof(*v))) == NULL) {
		free(copy);
		return DRIFT_ENOMEM;
	}
	v[l->n++] = copy;
	v[l->n] = NULL;
	l->v = v;
	return 0;
}

void
strlist_clear(struct strlist *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int
strlist_set(struct strlist *l, const char *const *v)
{
	int r;

	for (; *v != NULL; v++)
		if ((r = strlist_push(l, *v)) < 0)
			return r;
	return 0;
}

static int
strlist_copy(struct strlist *dst, const struct strlist *src)
{
	size_t i;
	int r;

	for (i = 0; i < src->n; i++)
		if ((r = strlist_push(dst, src->v[i])) < 0)
			return r;
	return 0;
}

/* Take over v (NULL-terminated, n strings) as the new content of l. */
static void
strlist_adopt(struct strlist *l, char **v, size_t n)
{
	strlist_clear(l);
	l->v = v;
	l->n = n;
}

/* -------------------------------------------------------------- config */

void
agent_config_release(struct agent_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->host_id);
	free(cfg->collector);
	free(cfg->tls_ca);
	free(cfg->tls_cert);
	free(cfg->tls_key);
	strlist_clear(&cfg->paths);
	strlist_clear(&cfg->exclude);
	strlist_clear(&cfg->capture);
	strlist_clear(&cfg->never_capture);
	strlist_clear(&cfg->package_managers);
	free(cfg->spool_dir);
	free(cfg->source);
	memset(cfg, 0, sizeof(*cfg));
}

int
agent_config_defaults(struct agent_config *cfg)
{
	struct agent_config c;
	int r;

	memset(&c, 0, sizeof(c));
	c.capture_max = DEFAULT_CAPTURE_MAX;
	c.cross_mounts = false;
	c.spool_max = DEFAULT_SPOOL_MAX;
	if ((r = strlist_set(&c.paths, default_paths)) < 0 ||
	    (r = strlist_set(&c.exclude, default_exclude)) < 0 ||
	    (r = strlist_set(&c.capture, default_capture)) < 0 ||
	    (r = strlist_set(&c.never_capture, default_never_capture)) < 0 ||
	    (r = strlist_set(&c.package_managers, default_package_managers)) < 0)
		goto out;
	if ((c.spool_dir = strdup(DEFAULT_SPOOL_DIR)) == NULL) {
		r = DRIFT_ENOMEM;
		goto out;
	}
	*cfg = c;
	memset(&c, 0, sizeof(c));	/* owned by cfg */
	r = 0;
out:
	agent_config_release(&c);
	return r;
}

static int
dup_or_null(char **dst, const char *s)
{
	*dst = NULL;
	if (s != NULL && (*dst = strdup(s)) == NULL)
		return DRIFT_ENOMEM;
	return 0;
}

static int
config_copy(struct agent_config *dst, const struct agent_config *src)
{
	int r;

	memset(dst, 0, sizeof(*dst));
	dst->capture_max = src->capture_max;
	dst->cross_mounts = src->cross_mounts;
	dst->spool_max = src->spool_max;
	if ((r = dup_or_null(&dst->host_id, src->host_id)) < 0 ||
	    (r = dup_or_null(&dst->collector, src->collector)) < 0 ||
	    (r = dup_or_null(&dst->tls_ca, src->tls_ca)) < 0 ||
	    (r = dup_or_null(&dst->tls_cert, src->tls_cert)) < 0 ||
	    (r = dup_or_null(&dst->tls_key, src->tls_key)) < 0 ||
	    (r = dup_or_null(&dst->spool_dir, src->spool_dir)) < 0 ||
	    (r = dup_or_null(&dst->source, src->source)) < 0 ||
	    (r = strlist_copy(&dst->paths, &src->paths)) < 0 ||
	    (r = strlist_copy(&dst->exclude, &src->exclude)) < 0 ||
	    (r = strlist_copy(&dst->capture, &src->capture)) < 0 ||
	    (r = strlist_copy(&dst->never_capture, &src->never_capture)) < 0 ||
	    (r = strlist_copy(&dst->package_managers, &src->package_managers)) < 0)
		agent_config_release(dst);
	return r;
}

/* ------------------------------------------------------------- readers */

static void
replace(char **dst, char *s)
{
	free(*dst);
	*dst = s;
}

static int
read_paths(const struct ydoc *doc, const struct ynode *n, const char *what,
    struct strlist *dst, struct drift_error *err)
{
	char **v;
	size_t k;
	int r;

	if ((r = cfgread_paths(doc, n, what, CFGREAD_NORMALIZE, &v, &k, err)) < 0)
		return r;
	strlist_adopt(dst, v, k);
	return 0;
}

/*
 * Globs are matched against absolute paths, and nothing but a literal '/'
 * or '**' can match a leading '/': anything else is a rule that never
 * fires, almost certainly a mistake worth stopping for.
 */
static int
read_globs(const struct ydoc *doc, const struct ynode *n, const char *what,
    struct strlist *dst, struct drift_error *err)
{
	char **v;
	size_t i, k;
	int r;

	if ((r = ynode_strlist(doc, n, what, &v, &k, err)) < 0)
		return r;
	for (i = 0; i < k; i++)
		if (v[i][0] != '/' && strncmp(v[i], "**", 2) != 0) {
			r = ynode_error(doc, cfgread_list_item(n, i), err, DRIFT_EINVAL,
			    "%s: '%s' can never match: paths are absolute, so start "
			    "the pattern with '/' or '**'", what, v[i]);
			ynode_strv_free(v);
			return r;
		}
	strlist_adopt(dst, v, k);
	return 0;
}

static int
read_package_managers(const struct ydoc *doc, const struct ynode *n,
    struct strlist *dst, struct drift_error *err)
{
	const char *what = "package_managers", *hint;
	char **v;
	size_t i, j, k;
	int r;

	if ((r = ynode_strlist(doc, n, what, &v, &k, err)) < 0)
		return r;
	for (i = 0; i < k; i++) {
		const struct ynode *item = cfgread_list_item(n, i);

		for (j = 0; package_managers[j] != NULL; j++)
			if (strcmp(v[i], package_managers[j]) == 0)
				break;
		if (package_managers[j] == NULL) {
			if ((hint = drift_suggest(v[i], package_managers)) != NULL)
				r = ynode_error(doc, item, err, DRIFT_EINVAL,
				    "%s: unknown package manager '%s' (did you mean '%s'?)",
				    what, v[i], hint);
			else
				r = ynode_error(doc, item, err, DRIFT_EINVAL,
				    "%s: unknown package manager '%s' (known: dpkg, rpm)",
				    what, v[i]);
			goto fail;
		}
		for (j = 0; j < i; j++)
			if (strcmp(v[i], v[j]) == 0) {
				r = ynode_error(doc, item, err, DRIFT_EINVAL,
				    "%s: '%s' is listed twice", what, v[i]);
				goto fail;
			}
	}
	strlist_adopt(dst, v, k);
	return 0;
fail:
	ynode_strv_free(v);
	return r;
}

/*
 * The host id names this host's baselines on the collector, so it is kept
 * to characters that are safe in a file name and a URL.
 */
static int
read_host_id(const struct ydoc *doc, const struct ynode *n, char **dst,
    struct drift_error *err)
{
	char *s;
	size_t i, len;
	int r;

	if ((r = ynode_string(doc, n, "host_id", &s, err)) < 0)
		return r;
	len = strlen(s);
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    (i == 0 || strchr(".-_", s[i]) == NULL))
			break;
	if (len == 0 || len > MAX_HOST_ID || i < len) {
		r = ynode_error(doc, n, err, DRIFT_EINVAL,
		    "host_id: '%.64s' is not a valid host id: use 1 to %d letters, "
		    "digits, '.', '-' or '_', starting with a letter or digit",
		    s, MAX_HOST_ID);
		free(s);
		return r;
	}
	replace(dst, s);
	return 0;
}

static int
read_collector(const struct ydoc *doc, const struct ynode *n, char **dst,
    struct drift_error *err)
{
	static const char scheme[] = "https://";
	char *s;
	int r;

	if ((r = ynode_string(doc, n, "collector", &s, err)) < 0)
		return r;
	if (strncmp(s, scheme, sizeof(scheme) - 1) != 0 || s[sizeof(scheme) - 1] == '\0' ||
	    strpbrk(s, " \t\r\n") != NULL) {
		r = ynode_error(doc, n, err, DRIFT_EINVAL,
		    "collector: '%.128s' is not an https:// URL (such as "
		    "https://drift.example.com:8443)", s);
		free(s);
		return r;
	}
	replace(dst, s);
	return 0;
}

static int
read_tls(const struct ydoc *doc, const struct ynode *n, struct agent_config *c,
    struct drift_error *err)
{
	int r;

	if ((r = cfgread_tls(doc, n, CFGREAD_NORMALIZE, &c->tls_ca, &c->tls_cert,
	    &c->tls_key, err)) < 0)
		return r;
	if ((c->tls_cert == NULL) != (c->tls_key == NULL))
		return ynode_error(doc, n, err, DRIFT_EINVAL,
		    "tls: 'cert' and 'key' go together: set both or neither");
	return 0;
}

static int
read_spool(const struct ydoc *doc, const struct ynode *n, struct agent_config *c,
    struct drift_error *err)
{
	const struct ynode *v;
	uint64_t max;
	int r;

	if ((r = ynode_check_keys(doc, n, "spool", spool_keys, err)) < 0)
		return r;
	if ((v = ynode_get(n, "dir")) != NULL &&
	    (r = cfgread_path(doc, v, "spool.dir", CFGREAD_NORMALIZE, &c->spool_dir,
	    err)) < 0)
		return r;
	if ((v = ynode_get(n, "max")) != NULL) {
		if ((r = ynode_size(doc, v, "spool.max", &max, err)) < 0)
			return r;
		if (max == 0)
			return ynode_error(doc, v, err, DRIFT_EINVAL,
			    "spool.max: must be more than 0 bytes");
		c->spool_max = max;
	}
	return 0;
}

/* Apply every key of doc to c; c may be half-changed on failure. */
static int
config_apply(const struct ydoc *doc, struct agent_config *c, struct drift_error *err)
{
	const struct ynode *root = doc->root, *n;
	uint64_t jobs;
	int r;

	if ((r = ynode_check_keys(doc, root, NULL, top_keys, err)) < 0)
		return r;
	if ((n = ynode_get(root, "host_id")) != NULL &&
	    (r = read_host_id(doc, n, &c->host_id, err)) < 0)
		return r;
	if ((n = ynode_get(root, "collector")) != NULL &&
	    (r = read_collector(doc, n, &c->collector, err)) < 0)
		return r;
	if ((n = ynode_get(root, "tls")) != NULL && (r = read_tls(doc, n, c, err)) < 0)
		return r;
	if ((n = ynode_get(root, "paths")) != NULL &&
	    (r = read_paths(doc, n, "paths", &c->paths, err)) < 0)
		return r;
	if ((n = ynode_get(root, "exclude")) != NULL &&
	    (r = read_globs(doc, n, "exclude", &c->exclude, err)) < 0)
		return r;
	if ((n = ynode_get(root, "capture")) != NULL &&
	    (r = read_globs(doc, n, "capture", &c->capture, err)) < 0)
		return r;
	if ((n = ynode_get(root, "never_capture")) != NULL &&
	    (r = read_globs(doc, n, "never_capture", &c->never_capture, err)) < 0)
		return r;
	if ((n = ynode_get(root, "capture_max")) != NULL &&
	    (r = ynode_size(doc, n, "capture_max", &c->capture_max, err)) < 0)
		return r;
	if ((n = ynode_get(root, "cross_mounts")) != NULL &&
	    (r = ynode_bool(doc, n, "cross_mounts", &c->cross_mounts, err)) < 0)
		return r;
	if ((n = ynode_get(root, "package_managers")) != NULL &&
	    (r = read_package_managers(doc, n, &c->package_managers, err)) < 0)
		return r;
	if ((n = ynode_get(root, "spool")) != NULL && (r = read_spool(doc, n, c, err)) < 0)
		return r;
	/* Reserved: checked now so a file written for later versions fails early. */
	if ((n = ynode_get(root, "jobs")) != NULL &&
	    (r = ynode_uint(doc, n, "jobs", &jobs, MAX_JOBS, err)) < 0)
		return r;
	return 0;
}

int
agent_config_load(struct agent_config *cfg, const char *path, struct drift_error *err)
{
	struct agent_config work;
	struct ydoc doc = { NULL, NULL };
	int r;

	memset(&work, 0, sizeof(work));
	if ((r = ydoc_load_file(&doc, path, AGENT_CONFIG_MAX_BYTES, err)) < 0)
		goto out;
	if ((r = config_copy(&work, cfg)) < 0)
		goto out;
	if ((r = config_apply(&doc, &work, err)) < 0)
		goto out;
	free(work.source);
	if ((work.source = strdup(path)) == NULL) {
		r = DRIFT_ENOMEM;
		goto out;
	}
	agent_config_release(cfg);
	*cfg = work;
	memset(&work, 0, sizeof(work));	/* owned by cfg */
	r = 0;
out:
	r = cfgread_status(r, path, err);
	agent_config_release(&work);
	ydoc_release(&doc);
	return r;
}
