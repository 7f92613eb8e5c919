/* SPDX-License-Identifier: MIT */
/* tls.c - the collector's TLS: server context, client certificate names, refusals logged. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "collector.h"
#include "tls.h"

/* Identifies a collector session cache: resumption needs one when clients are verified. */
static const unsigned char session_context[] = "drift-collector";

static int peer_index = -1;

static void
peer_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	struct tls_peer *p = ptr;

	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	if (p != NULL && p->release != NULL)
		p->release(p);
}

int
tls_peer_attach(SSL *ssl, struct tls_peer *p)
{
	return SSL_set_ex_data(ssl, peer_index, p) == 1 ? 0 : DRIFT_ENOMEM;
}

struct tls_peer *
tls_peer_of(const SSL *ssl)
{
	return ssl == NULL || peer_index < 0 ? NULL : SSL_get_ex_data(ssl, peer_index);
}

void
tls_peer_address(const SSL *ssl, struct tls_peer *p)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN];
	int fd;

	if (p->addr[0] != '\0' || (fd = SSL_get_fd(ssl)) < 0 ||
	    getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(p->addr, sizeof(p->addr), "%s:%u", host, ntohs(sin->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(p->addr, sizeof(p->addr), "[%s]:%u", host, ntohs(sin6->sin6_port));
	}
}

int
tls_cert_name(X509 *x, char *out, size_t size, const char **why)
{
	X509_NAME *subject;
	X509_NAME_ENTRY *entry;
	unsigned char *utf8 = NULL;
	int i, len, k, r = DRIFT_EINVAL;

	if (x == NULL || (subject = X509_get_subject_name(x)) == NULL ||
	    (i = X509_NAME_get_index_by_NID(subject, NID_commonName, -1)) < 0) {
		*why = "has no common name (CN)";
		return r;
	}
	/* Two names would let the issuer's choice of order decide the host. */
	if (X509_NAME_get_index_by_NID(subject, NID_commonName, i) >= 0) {
		*why = "has more than one common name (CN)";
		return r;
	}
	entry = X509_NAME_get_entry(subject, i);
	if ((len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry))) < 0) {
		*why = "has a common name that is not text";
		goto out;
	}
	if (len == 0 || (size_t)len >= size) {
		*why = "has an empty or overlong common name";
		goto out;
	}
	for (k = 0; k < len; k++)
		if (utf8[k] < 0x20 || utf8[k] == 0x7f) {
			*why = "has control characters in its common name";
			goto out;
		}
	memcpy(out, utf8, (size_t)len);
	out[len] = '\0';
	r = 0;
out:
	OPENSSL_free(utf8);
	return r;
}

/* ------------------------------------------------------------- refusal */

static const char *
verify_reason(long e)
{
	switch (e) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
		return "it is not signed by the collector's CA (tls.ca)";
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return "it has expired";
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return "it is not valid yet (check the clocks)";
	case X509_V_ERR_INVALID_PURPOSE:
		return "it is not issued for client authentication";
	case X509_V_ERR_CERT_REVOKED:
		return "it has been revoked";
	default:
		return X509_verify_cert_error_string(e);
	}
}

static void
log_refusal(const SSL *ssl, struct tls_peer *p, int alert, int we_sent)
{
	const char *who = p->offered[0] != '\0' ? p->offered : NULL;

	if (p->refused)
		return;
	p->refused = 1;
	if (p->refused_count != NULL)
		STAT_ADD(*p->refused_count, 1);
	tls_peer_address(ssl, p);
	if (!we_sent)
		collector_log("TLS handshake with %s failed: the client gave up (%s); "
		    "does it trust the collector's certificate?", p->addr[0] ? p->addr : "?",
		    SSL_alert_desc_string_long(alert));
	else if (p->verify_error != 0)
		collector_log("refused TLS connection from %s (certificate '%s'): %s",
		    p->addr[0] ? p->addr : "?", who ? who : "?", verify_reason(p->verify_error));
	else if (who == NULL)
		collector_log("refused TLS connection from %s (no certificate): the client "
		    "sent no certificate; give it one issued by the collector's CA",
		    p->addr[0] ? p->addr : "?");
	else
		collector_log("refused TLS connection from %s (certificate '%s'): %s",
		    p->addr[0] ? p->addr : "?", who, SSL_alert_desc_string_long(alert));
}

static int
verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_peer *p = tls_peer_of(ssl);
	const char *why;

	if (p == NULL)
		return ok;
	if (p->offered[0] == '\0')
		(void)tls_cert_name(X509_STORE_CTX_get0_cert(x), p->offered,
		    sizeof(p->offered), &why);
	if (!ok && p->verify_error == 0)
		p->verify_error = X509_STORE_CTX_get_error(x);
	return ok;
}

static void
info_cb(const SSL *ssl, int where, int ret)
{
	struct tls_peer *p = tls_peer_of(ssl);

	if (p == NULL)
		return;
	if ((where & SSL_CB_ALERT) && (ret >> 8) == SSL3_AL_FATAL) {
		log_refusal(ssl, p, ret & 0xff, (where & SSL_CB_WRITE) != 0);
		return;
	}
	if (where & SSL_CB_HANDSHAKE_DONE) {
		X509 *x = SSL_get0_peer_certificate(ssl);
		const char *why = NULL;

		tls_peer_address(ssl, p);
		if (x == NULL || SSL_get_verify_result(ssl) != X509_V_OK)
			p->name_problem = "has not been verified";	/* cannot happen: verification is required */
		else if (tls_cert_name(x, p->name, sizeof(p->name), &why) < 0) {
			p->name[0] = '\0';
			p->name_problem = why;
		}
	}
}

/* ------------------------------------------------------------- context */

/* OpenSSL's reason for the last failure, and the queue emptied. */
static const char *
ssl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *s = e != 0 ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return s != NULL ? s : "unknown error";
}

static int
readable(const char *what, const char *path, struct drift_error *err)
{
	if (access(path, R_OK) < 0)
		return drift_error_errno(err, errno, "%s '%s'", what, path);
	return 0;
}

int
tls_context_new(const char *ca_path, const char *cert_path, const char *key_path,
    SSL_CTX **out, struct drift_error *err)
{
	STACK_OF(X509_NAME) *names = NULL;
	SSL_CTX *ctx = NULL;
	X509 *cert;
	unsigned long e;
	int r;

	if ((r = readable("tls.ca", ca_path, err)) < 0 ||
	    (r = readable("tls.cert", cert_path, err)) < 0 ||
	    (r = readable("tls.key", key_path, err)) < 0)
		return r;
	if (peer_index < 0 &&
	    (peer_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, peer_free)) < 0)
		return drift_error_set(err, DRIFT_ENOMEM, "tls: out of memory");
	r = DRIFT_ECONFIG;
	ERR_clear_error();
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "tls: cannot create a context: %s", ssl_reason());
		goto out;
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
		drift_error_set(err, r, "tls: cannot require TLS 1.2: %s", ssl_reason());
		goto out;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, cert_path) != 1) {
		drift_error_set(err, r, "tls.cert '%s': not a PEM certificate (%s)",
		    cert_path, ssl_reason());
		goto out;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key_path, SSL_FILETYPE_PEM) != 1) {
		e = ERR_peek_last_error();
		if (ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH ||
		    ERR_GET_REASON(e) == X509_R_KEY_TYPE_MISMATCH) {
			ERR_clear_error();
			drift_error_set(err, r, "tls.key '%s' is not the private key of the "
			    "certificate '%s' (tls.cert)", key_path, cert_path);
		} else
			drift_error_set(err, r, "tls.key '%s': not a PEM private key (%s)",
			    key_path, ssl_reason());
		goto out;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		ERR_clear_error();
		drift_error_set(err, r, "tls.key '%s' is not the private key of the "
		    "certificate '%s' (tls.cert)", key_path, cert_path);
		goto out;
	}
	if (SSL_CTX_load_verify_locations(ctx, ca_path, NULL) != 1 ||
	    (names = SSL_load_client_CA_file(ca_path)) == NULL) {
		drift_error_set(err, r, "tls.ca '%s': no PEM certificate in it (%s)",
		    ca_path, ssl_reason());
		goto out;
	}
	SSL_CTX_set_client_CA_list(ctx, names);	/* owns names */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (SSL_CTX_set_session_id_context(ctx, session_context, sizeof(session_context) - 1) != 1) {
		drift_error_set(err, r, "tls: %s", ssl_reason());
		goto out;
	}
	SSL_CTX_set_info_callback(ctx, info_cb);
	cert = SSL_CTX_get0_certificate(ctx);
	if (cert != NULL && X509_cmp_current_time(X509_get0_notAfter(cert)) < 0)
		collector_log("warning: the certificate '%s' (tls.cert) has expired: agents "
		    "will refuse to send; issue a new one", cert_path);
	*out = ctx;
	ctx = NULL;	/* owned by the caller */
	r = 0;
out:
	SSL_CTX_free(ctx);
	return r;
}
