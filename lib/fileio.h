/* SPDX-License-Identifier: MIT */
/* fileio.h - small file-system steps shared by the agent and the library. */
#ifndef DRIFT_FILEIO_H
#define DRIFT_FILEIO_H

#include <sys/types.h>

#include "error.h"

/*
 * mkdir -p: create each missing parent of dir with mode 0755 and dir
 * itself with mode (both less the umask); names that already exist are
 * left as they are, whatever they are (the caller opens dir and checks
 * it). Returns 0, DRIFT_ENOMEM, or the errno code with err set to
 * "'PATH': cannot create the directory: REASON" for the first component
 * that could not be made.
 */
int fileio_mkdirs(const char *dir, mode_t mode, struct drift_error *err);

#endif
