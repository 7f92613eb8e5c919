/* SPDX-License-Identifier: MIT */
/* fileio.c - small file-system steps shared by the agent and the library. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "fileio.h"

int
fileio_mkdirs(const char *dir, mode_t mode, struct drift_error *err)
{
	char *p, *s;
	int r = 0;

	if ((p = strdup(dir)) == NULL)
		return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
	/* p + 1: the root needs no making, and "" must not be read past */
	for (s = *p != '\0' ? p + 1 : p; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			r = drift_error_errno(err, errno, "'%s': cannot create the directory", p);
			goto out;
		}
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		r = drift_error_errno(err, errno, "'%s': cannot create the directory", p);
out:
	free(p);
	return r;
}
