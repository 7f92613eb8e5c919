/* SPDX-License-Identifier: MIT */
/* cfgread.c - setting readers shared by the agent's and the collector's configuration files. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cfgread.h"
#include "error.h"
#include "ynode.h"

static const char *const tls_keys[] = { "ca", "cert", "key", NULL };

const struct ynode *
cfgread_list_item(const struct ynode *list, size_t i)
{
	return list->type == YNODE_SEQ ? list->items[i] : list;
}

/* Check path, and with CFGREAD_NORMALIZE rewrite it in place. */
static int
check_path(const struct ydoc *doc, const struct ynode *n, const char *what,
    unsigned flags, char *path, struct drift_error *err)
{
	char *in, *out;

	if (path[0] != '/')
		return ynode_error(doc, n, err, DRIFT_EINVAL,
		    "%s: '%s' is not an absolute path (start it with '/')", what, path);
	if (!(flags & CFGREAD_NORMALIZE))
		return 0;
	for (in = path; *in != '\0'; ) {
		size_t len;

		while (*in == '/')
			in++;
		len = strcspn(in, "/");
		if ((len == 1 && in[0] == '.') || (len == 2 && in[0] == '.' && in[1] == '.'))
			return ynode_error(doc, n, err, DRIFT_EINVAL,
			    "%s: '%s' contains a '.' or '..' component: write the path "
			    "it stands for", what, path);
		in += len;
	}
	for (in = out = path; *in != '\0'; in++)
		if (*in != '/' || out == path || out[-1] != '/')
			*out++ = *in;
	if (out - path > 1 && out[-1] == '/')
		out--;
	*out = '\0';
	return 0;
}

int
cfgread_path(const struct ydoc *doc, const struct ynode *n, const char *what,
    unsigned flags, char **dst, struct drift_error *err)
{
	char *s;
	int r;

	if ((r = ynode_string(doc, n, what, &s, err)) < 0)
		return r;
	if ((r = check_path(doc, n, what, flags, s, err)) < 0) {
		free(s);
		return r;
	}
	free(*dst);
	*dst = s;
	return 0;
}

int
cfgread_paths(const struct ydoc *doc, const struct ynode *n, const char *what,
    unsigned flags, char ***out, size_t *count, struct drift_error *err)
{
	char **v;
	size_t i, k;
	int r;

	if ((r = ynode_strlist(doc, n, what, &v, &k, err)) < 0)
		return r;
	for (i = 0; i < k; i++)
		if ((r = check_path(doc, cfgread_list_item(n, i), what, flags, v[i],
		    err)) < 0) {
			ynode_strv_free(v);
			return r;
		}
	*out = v;
	*count = k;
	return 0;
}

int
cfgread_tls(const struct ydoc *doc, const struct ynode *n, unsigned flags,
    char **ca, char **cert, char **key, struct drift_error *err)
{
	const struct ynode *v;
	int r;

	if ((r = ynode_check_keys(doc, n, "tls", tls_keys, err)) < 0)
		return r;
	if ((v = ynode_get(n, "ca")) != NULL &&
	    (r = cfgread_path(doc, v, "tls.ca", flags, ca, err)) < 0)
		return r;
	if ((v = ynode_get(n, "cert")) != NULL &&
	    (r = cfgread_path(doc, v, "tls.cert", flags, cert, err)) < 0)
		return r;
	if ((v = ynode_get(n, "key")) != NULL &&
	    (r = cfgread_path(doc, v, "tls.key", flags, key, err)) < 0)
		return r;
	return 0;
}

int
cfgread_status(int r, const char *path, struct drift_error *err)
{
	/* One code for "the file says something wrong", whatever the detail. */
	if (r == DRIFT_EFORMAT || r == DRIFT_EINVAL) {
		r = DRIFT_ECONFIG;
		if (err != NULL)
			err->code = r;
	} else if (r == DRIFT_ENOMEM && err != NULL && err->code != r)
		drift_error_set(err, r, "'%s': out of memory", path);
	return r;
}
