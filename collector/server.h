/* SPDX-License-Identifier: MIT */
/* server.h - one collector worker: HTTPS (libevent evhttp over OpenSSL) into the store. */
#ifndef DRIFT_COLLECTOR_SERVER_H
#define DRIFT_COLLECTOR_SERVER_H

#include "collector.h"

/*
 * Serve on c->listen_fds until SIGTERM or SIGINT, as worker number index
 * (its slot in c->stats). Opens its own store handle. Once it accepts
 * connections it writes one byte to ready_fd and closes it (ready_fd < 0:
 * nobody waits). On SIGTERM it stops accepting, lets requests under way
 * finish (for at most limits.timeout), closes the store and returns 0.
 * Returns 1 when it could not start or did not stop cleanly.
 *
 * Endpoints: POST /v1/baselines (a bundle), GET /healthz, GET /metrics;
 * see doc/drift-collector.8.
 */
int server_worker(struct collector *c, unsigned index, int ready_fd);

#endif
