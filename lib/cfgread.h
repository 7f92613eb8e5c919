/* SPDX-License-Identifier: MIT */
/* cfgread.h - setting readers shared by the agent's and the collector's configuration files. */
#ifndef DRIFT_CFGREAD_H
#define DRIFT_CFGREAD_H

#include <stddef.h>

#include "error.h"
#include "ynode.h"

/*
 * Built on the typed readers of ynode.h, with the same contract: `what`
 * names the setting in messages, a bad value fails with DRIFT_EINVAL and
 * "FILE:LINE:COL: WHAT: ...", and outputs are written only on success.
 */

/*
 * Flag for the path readers: also rewrite each path without repeated or
 * trailing slashes, and refuse "." and ".." components (the agent matches
 * rules against walked paths, which never hold them). Without it a path
 * need only be absolute.
 */
#define CFGREAD_NORMALIZE	0x1

/* The node of item i of a list read by ynode_strlist (a scalar is its only item). */
const struct ynode *cfgread_list_item(const struct ynode *list, size_t i);

/*
 * An absolute path ("WHAT: '/x' is not an absolute path (start it with
 * '/')"). On success the old *dst is freed and replaced by a malloc'd copy.
 */
int cfgread_path(const struct ydoc *doc, const struct ynode *n, const char *what,
    unsigned flags, char **dst, struct drift_error *err);

/*
 * A list of absolute paths as by ynode_strlist, each checked as by
 * cfgread_path and reported at its own item. *out is NULL-terminated, of
 * *count strings; free it with ynode_strv_free.
 */
int cfgread_paths(const struct ydoc *doc, const struct ynode *n, const char *what,
    unsigned flags, char ***out, size_t *count, struct drift_error *err);

/*
 * The "tls" mapping: keys ca, cert and key only, each an absolute path
 * read as by cfgread_path into *ca, *cert, *key ("tls.ca", ...). A key
 * that is absent leaves its output as it was. On failure some of the
 * three may already be replaced.
 */
int cfgread_tls(const struct ydoc *doc, const struct ynode *n, unsigned flags,
    char **ca, char **cert, char **key, struct drift_error *err);

/*
 * The result of loading the configuration file path, r being 0 or the
 * code of the step that failed: whatever the file says wrong
 * (DRIFT_EFORMAT, DRIFT_EINVAL) becomes DRIFT_ECONFIG, in err->code too,
 * and an out-of-memory failure that left no message gets "'PATH': out of
 * memory". Returns the final code.
 */
int cfgread_status(int r, const char *path, struct drift_error *err);

#endif
