/* SPDX-License-Identifier: MIT */
/* alerter.h - the collector's alerter process: raises alerts from the store and delivers them to the sinks. */
#ifndef DRIFT_COLLECTOR_ALERTER_H
#define DRIFT_COLLECTOR_ALERTER_H

#include "collector.h"

/*
 * Until SIGTERM or SIGINT: right away and then every alert_check seconds,
 * bring alerts up to date (alerts_update in lib/alerts.h: new critical
 * findings, hosts gone stale, changes outside every window, and what
 * cleared) and deliver what is due to every enabled sink of cfg->alerts,
 * oldest first per sink. A failed delivery is recorded and retried after
 * alert_check seconds, doubling up to an hour, holding that sink's later
 * alerts back. It runs beside the server workers, so no upload ever waits
 * for a sink. Writes one byte to ready_fd and closes it once the store is
 * open. Returns 0 after a clean stop, 1 when it could not start.
 *
 * Sinks: a webhook gets the alert's JSON as a POST (Content-Type
 * application/json; 2xx is delivered; 10 s to answer; redirects are not
 * followed); a program gets it on standard input, with DRIFT_ALERT_HOST,
 * DRIFT_ALERT_CAUSE and DRIFT_ALERT_STATE set (exit status 0 is
 * delivered; killed after 30 s); syslog gets one line, facility daemon,
 * priority crit/warning when firing and notice when resolved.
 */
int alerter_run(struct collector *c, int ready_fd);

#endif
