/* SPDX-License-Identifier: MIT */
/* ca.h - the collector's certificate authority: a CA key pair and the host certificates it issues. */
#ifndef DRIFT_CA_H
#define DRIFT_CA_H

#include <stdbool.h>

#include "baseline.h"
#include "error.h"

/*
 * A CA directory holds
 *   ca.pem, ca.key           the CA certificate and its private key
 *   NAME.pem, NAME.key       one certificate and key per host (or server)
 * Keys are EC P-256, PKCS#8 PEM, mode 0600; certificates PEM, mode 0644.
 * Every file is written to a temporary name in the directory, fsync'd and
 * then moved into place, so a crash never leaves a half-written key under
 * its final name.
 *
 * A host certificate's subject is CN=NAME, and NAME is the host id: the
 * collector accepts baselines for host NAME only from the holder of it.
 */

#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif
#define CA_DEFAULT_DIR LOCALSTATEDIR "/lib/drift/ca"

#define CA_DAYS_DEFAULT 3650	/* the CA itself: ten years */
#define CA_LEAF_DAYS_DEFAULT 825	/* host and server certificates */
#define CA_DAYS_MAX 36500
#define CA_NAME_MAX DRIFT_HOST_ID_MAX	/* a host id */
#define CA_CN_MAX 64		/* RFC 5280 ub-common-name: what a certificate can carry */

/* ca_issue flags */
#define CA_ISSUE_SERVER 0x1	/* TLS server: serverAuth and NAME as DNS (or IP) name */
#define CA_ISSUE_FORCE 0x2	/* replace an existing NAME.pem / NAME.key */

/*
 * Whether name is a valid host id: 1 to CA_NAME_MAX characters of
 * [A-Za-z0-9._-], not starting with '.' or '-'. Such a name is also a safe
 * file name (no '/', never "." or "..").
 */
bool ca_name_valid(const char *name);

/*
 * Create a new CA in dir (created mode 0700 if missing, its parents 0755):
 * dir/ca.key and dir/ca.pem, a self-signed certificate valid for `days`
 * days (0: CA_DAYS_DEFAULT). Refuses (DRIFT_EINVAL) when dir already holds
 * ca.key or ca.pem: a new CA would orphan every certificate the old one
 * issued. Returns 0 or a negative DRIFT_E* code with err filled; on failure
 * nothing is left in dir.
 */
int ca_init(const char *dir, int days, struct drift_error *err);

/*
 * Issue a certificate for name (a valid host id of at most CA_CN_MAX
 * characters, not "ca") signed by the CA in dir: dir/NAME.key and
 * dir/NAME.pem, valid for `days` days (0: CA_LEAF_DAYS_DEFAULT) and never
 * beyond the CA's own expiry. flags: CA_ISSUE_SERVER for a TLS server
 * certificate (extendedKeyUsage serverAuth, subjectAltName DNS:NAME, or
 * IP:NAME when NAME is an IPv4 literal), else a client certificate
 * (clientAuth); CA_ISSUE_FORCE to replace an existing pair, which is
 * otherwise refused (DRIFT_EINVAL). DRIFT_ENOTFOUND when dir holds no CA.
 * Returns 0 or a negative DRIFT_E* code with err filled; on failure the
 * directory is as it was (unless a forced replacement failed half-way,
 * which the message says).
 */
int ca_issue(const char *dir, const char *name, unsigned flags, int days, struct drift_error *err);

#endif
