/* SPDX-License-Identifier: MIT */
/* supervise.h - the collector's parent process: sockets, workers, signals, restarts. */
#ifndef DRIFT_COLLECTOR_SUPERVISE_H
#define DRIFT_COLLECTOR_SUPERVISE_H

#include "collector.h"

/*
 * Bind every listen address, fork c->workers workers (server_worker) that
 * share the sockets, and wait until each accepts connections; then write
 * ready_file (when not NULL: the parent's pid, written whole or not at
 * all) and supervise: a worker that dies unexpectedly is replaced (after a
 * growing pause when it keeps dying young), SIGTERM and SIGINT are passed
 * on and answered with a clean shutdown, SIGHUP is logged and ignored.
 *
 * Returns the process exit status: 0 after a clean shutdown (every worker
 * finished its requests and closed the store), 1 when it could not start
 * or a worker had to be killed.
 *
 * Workers share the inherited listening sockets rather than each binding
 * its own with SO_REUSEPORT: a worker that dies then loses no connection
 * waiting in its own accept queue, an idle worker picks up connections
 * while another is busy storing, and a second collector started by
 * mistake on the same port fails with "address in use" instead of
 * silently taking half the uploads.
 */
int supervise_run(struct collector *c, const char *ready_file);

#endif
