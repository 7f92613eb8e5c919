/* SPDX-License-Identifier: MIT */
/* tls.h - the collector's TLS: server context, client certificate names, refusals logged. */
#ifndef DRIFT_COLLECTOR_TLS_H
#define DRIFT_COLLECTOR_TLS_H

#include <stdint.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "error.h"

/* Longest certificate name taken as a host id (as the agent's host_id). */
#define TLS_NAME_MAX	255

/*
 * What is known about the far end of one connection, kept on its SSL
 * object (ex_data) from accept to close. Embed it first in a bigger
 * per-connection struct; release is called once when the SSL object is
 * freed, i.e. when the connection is gone.
 */
struct tls_peer {
	char addr[64];			/* "192.0.2.7:41234", "[2001:db8::7]:41234" */
	char name[TLS_NAME_MAX + 1];	/* CN of the verified client certificate; "" until then */
	char offered[TLS_NAME_MAX + 1];	/* CN of the certificate offered, even if refused */
	const char *name_problem;	/* why a verified certificate's CN is unusable, or NULL */
	long verify_error;		/* X509_V_ERR_* of a refused certificate; 0 if none */
	int refused;			/* the refusal was logged */
	uint64_t *refused_count;	/* counter to bump on refusal, or NULL */
	void (*release)(struct tls_peer *p);
};

/*
 * A server context: TLS 1.2 or later, the certificate chain in cert_path
 * and its private key (refused unless they belong together), client
 * certificates required and verified against ca_path, refusals logged.
 * Call once in the parent before forking. Errors name the setting and the
 * file: "tls.key '/etc/drift/collector.key' is not the private key of ...".
 */
int tls_context_new(const char *ca_path, const char *cert_path, const char *key_path,
    SSL_CTX **out, struct drift_error *err);

/* Attach p to ssl (p->release then runs when ssl is freed); 0 or DRIFT_ENOMEM. */
int tls_peer_attach(SSL *ssl, struct tls_peer *p);

/* The peer attached to ssl, or NULL. */
struct tls_peer *tls_peer_of(const SSL *ssl);

/* Fill p->addr from the socket under ssl, once it has one. */
void tls_peer_address(const SSL *ssl, struct tls_peer *p);

/*
 * The one common name (CN) of x's subject as UTF-8 into out (size bytes,
 * NUL-terminated). 0, or DRIFT_EINVAL with *why set to a phrase ("has no
 * common name", "has more than one common name", ...).
 */
int tls_cert_name(X509 *x, char *out, size_t size, const char **why);

#endif
