/* SPDX-License-Identifier: MIT */
/* ca.c - the collector's certificate authority: EC P-256 keys and X.509 certificates (OpenSSL 3). */
#include "config.h"

#include <sys/stat.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "ca.h"
#include "fileio.h"

#define CA_CERT "ca.pem"
#define CA_KEY "ca.key"
#define CA_FILE_MAX (64 * 1024)	/* a PEM certificate or key is a few KiB at most */
#define CA_SKEW_SECONDS (5 * 60)	/* notBefore this far back: hosts with a slow clock */
#define CA_SERIAL_BITS 128

enum cert_kind { CERT_CA, CERT_CLIENT, CERT_SERVER };

/* One file on its way into the CA directory: written under tmp, then moved to name. */
struct pending {
	const char *name;
	char tmp[CA_CN_MAX + 64];
	bool written;		/* tmp exists */
	bool installed;		/* name is ours now */
};

bool
ca_name_valid(const char *name)
{
	size_t i, len;

	if (name == NULL)
		return false;
	len = strlen(name);
	if (len == 0 || len > CA_NAME_MAX || name[0] == '.' || name[0] == '-')
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* The first queued OpenSSL error as a reason; empties the queue. */
static int
ssl_error(struct drift_error *err, int code, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	const char *why = e != 0 ? ERR_reason_error_string(e) : NULL;
	char reason[256];

	if (why != NULL)
		snprintf(reason, sizeof(reason), "%s", why);
	else if (e != 0)
		ERR_error_string_n(e, reason, sizeof(reason));
	else
		snprintf(reason, sizeof(reason), "unknown OpenSSL error");
	ERR_clear_error();
	return drift_error_set(err, code, "%s: %s", what, reason);
}

/* "YYYY-MM-DD HH:MM UTC" for messages. */
static void
time_text(const ASN1_TIME *t, char *out, size_t size)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1 || strftime(out, size, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(out, size, "(unreadable date)");
}

static int
open_dir(const char *dir, int *fd, struct drift_error *err)
{
	if ((*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return drift_error_set(err, DRIFT_ENOTFOUND, "'%s': no such directory (create "
			    "a CA there with 'drift ca init --dir %s')", dir, dir);
		return drift_error_errno(err, errno, "'%s': cannot open the directory", dir);
	}
	return 0;
}

/* Whether dir holds name (of any type: a dangling symlink counts). */
static int
exists(int dfd, const char *dir, const char *name, bool *yes, struct drift_error *err)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		*yes = true;
		return 0;
	}
	if (errno != ENOENT)
		return drift_error_errno(err, errno, "'%s/%s'", dir, name);
	*yes = false;
	return 0;
}

/*
 * Write data to a new temporary file in dir, exactly `mode`, fsync'd. The
 * name starts with '.', which no host id does, so it can never be taken for
 * (or collide with) a certificate.
 */
static int
pending_write(int dfd, const char *dir, struct pending *p, const void *data, size_t len,
    mode_t mode, struct drift_error *err)
{
	unsigned char rnd[8];
	const char *s = data;
	int fd = -1, r;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return ssl_error(err, DRIFT_EINTERNAL, "random bytes");
	snprintf(p->tmp, sizeof(p->tmp), ".%s.%02x%02x%02x%02x%02x%02x%02x%02x.tmp", p->name,
	    rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	fd = openat(dfd, p->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return drift_error_errno(err, errno, "'%s/%s': cannot create", dir, p->tmp);
	p->written = true;
	/* the umask may have taken bits away; a certificate must stay readable */
	if (fchmod(fd, mode) < 0) {
		r = drift_error_errno(err, errno, "'%s/%s': cannot set its mode", dir, p->tmp);
		goto out;
	}
	while (len > 0) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = drift_error_errno(err, errno, "'%s/%s': cannot write", dir, p->tmp);
			goto out;
		}
		s += n;
		len -= (size_t)n;
	}
	if (fsync(fd) < 0) {
		r = drift_error_errno(err, errno, "'%s/%s': cannot sync", dir, p->tmp);
		goto out;
	}
	r = 0;
out:
	if (close(fd) < 0 && r == 0)
		r = drift_error_errno(err, errno, "'%s/%s': cannot write", dir, p->tmp);
	return r;
}

/*
 * Move a written file to its name. Without replace, link(2) refuses an
 * existing name atomically (rename(2) would silently replace it); with
 * replace, rename(2) swaps it in, replacing a symlink itself rather than
 * writing through it.
 */
static int
pending_install(int dfd, const char *dir, struct pending *p, bool replace, struct drift_error *err)
{
	if (replace) {
		if (renameat(dfd, p->tmp, dfd, p->name) < 0)
			return drift_error_errno(err, errno, "'%s/%s': cannot replace", dir, p->name);
		p->written = false;
		p->installed = true;
		return 0;
	}
	if (linkat(dfd, p->tmp, dfd, p->name, 0) < 0) {
		if (errno == EEXIST)
			return drift_error_set(err, DRIFT_EINVAL,
			    "'%s/%s': appeared while writing; nothing was changed", dir, p->name);
		return drift_error_errno(err, errno, "'%s/%s': cannot create", dir, p->name);
	}
	p->installed = true;
	if (unlinkat(dfd, p->tmp, 0) == 0)
		p->written = false;
	return 0;
}

/* Remove what a failed call left; installed files only when they were new. */
static void
pending_undo(int dfd, struct pending *p, bool remove_installed)
{
	if (p->written)
		unlinkat(dfd, p->tmp, 0);
	if (p->installed && remove_installed)
		unlinkat(dfd, p->name, 0);
	p->written = p->installed = false;
}

/* Make the new names durable too, not only the contents. */
static int
sync_dir(int dfd, const char *dir, struct drift_error *err)
{
	if (fsync(dfd) < 0)
		return drift_error_errno(err, errno, "'%s': cannot sync the directory", dir);
	return 0;
}

/* A PEM text in a memory BIO; secure heap for keys so they are wiped when freed. */
static int
pem_cert(X509 *x, BIO **out, struct drift_error *err)
{
	BIO *b;

	if ((b = BIO_new(BIO_s_mem())) == NULL || PEM_write_bio_X509(b, x) != 1) {
		BIO_free(b);
		return ssl_error(err, DRIFT_ENOMEM, "cannot encode the certificate");
	}
	*out = b;
	return 0;
}

static int
pem_key(EVP_PKEY *key, BIO **out, struct drift_error *err)
{
	BIO *b;

	if ((b = BIO_new(BIO_s_secmem())) == NULL ||
	    PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL) != 1) {
		BIO_free(b);
		return ssl_error(err, DRIFT_ENOMEM, "cannot encode the private key");
	}
	*out = b;
	return 0;
}

static int
add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value, struct drift_error *err)
{
	X509_EXTENSION *ext;
	int ok;

	if ((ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value)) == NULL)
		return ssl_error(err, DRIFT_EINTERNAL, OBJ_nid2sn(nid));
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (ok != 1)
		return ssl_error(err, DRIFT_ENOMEM, OBJ_nid2sn(nid));
	return 0;
}

/*
 * A certificate for key with subject CN=cn, signed by issuer_key (as
 * issuer, or self-signed when issuer is NULL).
 */
static int
make_cert(enum cert_kind kind, const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
    int days, X509 **out, struct drift_error *err)
{
	X509 *x = NULL;
	X509_NAME *subj = NULL;
	BIGNUM *serial = NULL;
	X509V3_CTX ctx;
	char san[CA_CN_MAX + 8];
	unsigned char ip[4];
	int r;

	if ((x = X509_new()) == NULL || (serial = BN_new()) == NULL || (subj = X509_NAME_new()) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto out;
	}
	/* RFC 5280 4.1.2.2: positive, at most 20 octets, unpredictable */
	if (BN_rand(serial, CA_SERIAL_BITS, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) != 1 ||
	    BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) == NULL) {
		r = ssl_error(err, DRIFT_EINTERNAL, "serial number");
		goto out;
	}
	if (X509_NAME_add_entry_by_NID(subj, NID_commonName, MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) != 1) {
		r = ssl_error(err, DRIFT_EINVAL, "subject name");
		goto out;
	}
	if (X509_set_version(x, X509_VERSION_3) != 1 ||
	    X509_set_subject_name(x, subj) != 1 ||
	    X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : subj) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -CA_SKEW_SECONDS) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) == NULL ||
	    X509_set_pubkey(x, key) != 1) {
		r = ssl_error(err, DRIFT_EINTERNAL, "certificate fields");
		goto out;
	}
	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	if (kind == CERT_CA) {
		/* pathlen 0: this CA signs host certificates, never another CA */
		if ((r = add_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0", err)) < 0 ||
		    (r = add_ext(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign", err)) < 0 ||
		    (r = add_ext(x, &ctx, NID_subject_key_identifier, "hash", err)) < 0)
			goto out;
	} else {
		if ((r = add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE", err)) < 0 ||
		    (r = add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature", err)) < 0 ||
		    (r = add_ext(x, &ctx, NID_ext_key_usage,
		    kind == CERT_SERVER ? "serverAuth" : "clientAuth", err)) < 0 ||
		    (r = add_ext(x, &ctx, NID_subject_key_identifier, "hash", err)) < 0 ||
		    (r = add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always", err)) < 0)
			goto out;
		if (kind == CERT_SERVER) {
			/* cn is a checked host id: no ',' or ':' can reach the conf syntax */
			snprintf(san, sizeof(san), "%s:%s",
			    inet_pton(AF_INET, cn, ip) == 1 ? "IP" : "DNS", cn);
			if ((r = add_ext(x, &ctx, NID_subject_alt_name, san, err)) < 0)
				goto out;
		}
	}
	if (X509_sign(x, issuer_key, EVP_sha256()) <= 0) {
		r = ssl_error(err, DRIFT_EINTERNAL, "cannot sign the certificate");
		goto out;
	}
	*out = x;
	x = NULL;
	r = 0;
out:
	X509_free(x);
	X509_NAME_free(subj);
	BN_free(serial);
	return r;
}

static int
new_key(EVP_PKEY **out, struct drift_error *err)
{
	/* P-256: the cheapest handshake every TLS stack speaks */
	if ((*out = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL)
		return ssl_error(err, DRIFT_EINTERNAL, "cannot generate a P-256 key");
	return 0;
}

static int
check_days(int days, int def, int *out, struct drift_error *err)
{
	if (days < 0 || days > CA_DAYS_MAX)
		return drift_error_set(err, DRIFT_EINVAL,
		    "%d days: expected 1 to %d", days, CA_DAYS_MAX);
	*out = days == 0 ? def : days;
	return 0;
}

/* Write a key and its certificate under key_name and cert_name, key first. */
static int
write_pair(int dfd, const char *dir, struct pending *key_p, struct pending *cert_p,
    EVP_PKEY *key, X509 *cert, bool replace, struct drift_error *err)
{
	BIO *kb = NULL, *cb = NULL;
	char *data;
	long len;
	int r;

	if ((r = pem_key(key, &kb, err)) < 0 || (r = pem_cert(cert, &cb, err)) < 0)
		goto out;
	len = BIO_get_mem_data(kb, &data);
	if ((r = pending_write(dfd, dir, key_p, data, (size_t)len, 0600, err)) < 0)
		goto out;
	len = BIO_get_mem_data(cb, &data);
	if ((r = pending_write(dfd, dir, cert_p, data, (size_t)len, 0644, err)) < 0 ||
	    (r = pending_install(dfd, dir, key_p, replace, err)) < 0)
		goto out;
	if ((r = pending_install(dfd, dir, cert_p, replace, err)) < 0) {
		if (replace && err != NULL) {
			char why[sizeof(err->msg)];

			snprintf(why, sizeof(why), "%s", err->msg);
			drift_error_set(err, r, "%s; '%s/%s' was already replaced: run again to "
			    "issue a matching pair", why, dir, key_p->name);
		}
		goto out;
	}
	r = sync_dir(dfd, dir, err);
out:
	BIO_free(kb);
	BIO_free(cb);
	return r;
}

int
ca_init(const char *dir, int days, struct drift_error *err)
{
	struct pending key_p = { .name = CA_KEY }, cert_p = { .name = CA_CERT };
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	unsigned char rnd[4];
	char cn[32];
	bool have_key = false, have_cert = false;
	int dfd = -1, r;

	if ((r = check_days(days, CA_DAYS_DEFAULT, &days, err)) < 0)
		return r;
	if (dir == NULL || dir[0] == '\0')
		return drift_error_set(err, DRIFT_EINVAL, "no directory given");
	if ((r = fileio_mkdirs(dir, 0700, err)) < 0 || (r = open_dir(dir, &dfd, err)) < 0)
		goto out;
	if ((r = exists(dfd, dir, CA_KEY, &have_key, err)) < 0 ||
	    (r = exists(dfd, dir, CA_CERT, &have_cert, err)) < 0)
		goto out;
	if (have_key || have_cert) {
		r = drift_error_set(err, DRIFT_EINVAL,
		    "'%s/%s' already exists: a new CA would orphan every certificate the old one "
		    "issued; issue from it with 'drift ca issue', or choose another --dir "
		    "(remove ca.key and ca.pem only to start over on purpose)",
		    dir, have_key ? CA_KEY : CA_CERT);
		goto out;
	}
	/* a distinct name per CA, so two CAs are never mistaken for each other */
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		r = ssl_error(err, DRIFT_EINTERNAL, "random bytes");
		goto out;
	}
	snprintf(cn, sizeof(cn), "drift CA %02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3]);
	if ((r = new_key(&key, err)) < 0 ||
	    (r = make_cert(CERT_CA, cn, key, NULL, key, days, &cert, err)) < 0 ||
	    (r = write_pair(dfd, dir, &key_p, &cert_p, key, cert, false, err)) < 0)
		goto out;
	r = 0;
out:
	if (dfd >= 0) {
		pending_undo(dfd, &cert_p, r < 0);
		pending_undo(dfd, &key_p, r < 0);
		close(dfd);
	}
	EVP_PKEY_free(key);
	X509_free(cert);
	return r;
}

/* Read a small PEM file of the CA directory into b (never through a symlink). */
static int
load_file(int dfd, const char *dir, const char *name, struct buf *b, struct drift_error *err)
{
	struct stat st;
	int fd, r;

	if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return drift_error_set(err, DRIFT_ENOTFOUND,
			    "'%s/%s': no CA here (create one with 'drift ca init --dir %s')",
			    dir, name, dir);
		return drift_error_errno(err, errno, "'%s/%s'", dir, name);
	}
	if (fstat(fd, &st) < 0) {
		r = drift_error_errno(err, errno, "'%s/%s'", dir, name);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = drift_error_set(err, DRIFT_EFORMAT, "'%s/%s': not a regular file", dir, name);
		goto out;
	}
	/* room for all of it up front: a key must not leave copies behind in realloc'd memory */
	if ((r = buf_grow(b, CA_FILE_MAX)) < 0) {
		drift_error_set(err, r, "out of memory");
		goto out;
	}
	if ((r = buf_read_fd(b, fd)) < 0) {
		if (r == DRIFT_ETOOBIG)
			drift_error_set(err, r, "'%s/%s': larger than %d KiB, not a PEM file",
			    dir, name, CA_FILE_MAX / 1024);
		else
			drift_error_errno(err, errno, "'%s/%s': cannot read", dir, name);
		goto out;
	}
	r = 0;
out:
	close(fd);
	return r;
}

/* The CA of dir: certificate and key, checked to belong together and to be a usable CA. */
static int
load_ca(int dfd, const char *dir, X509 **cert_out, EVP_PKEY **key_out, struct drift_error *err)
{
	struct buf cb = BUF_INIT(CA_FILE_MAX), kb = BUF_INIT(CA_FILE_MAX);
	X509 *cert = NULL;
	EVP_PKEY *key = NULL;
	BIO *bio = NULL;
	char when[64];
	int r;

	if ((r = load_file(dfd, dir, CA_CERT, &cb, err)) < 0 ||
	    (r = load_file(dfd, dir, CA_KEY, &kb, err)) < 0)
		goto out;
	if ((bio = BIO_new_mem_buf(cb.data, (int)cb.len)) == NULL ||
	    (cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL) {
		r = ssl_error(err, DRIFT_EFORMAT, "'" CA_CERT "': not a PEM certificate");
		goto out;
	}
	BIO_free(bio);
	/* no passphrase prompt: the CLI may run unattended */
	if ((bio = BIO_new_mem_buf(kb.data, (int)kb.len)) == NULL ||
	    (key = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"")) == NULL) {
		r = ssl_error(err, DRIFT_EFORMAT, "'" CA_KEY "': not an unencrypted PEM private key");
		goto out;
	}
	if (X509_check_private_key(cert, key) != 1) {
		ERR_clear_error();
		r = drift_error_set(err, DRIFT_EFORMAT, "'%s/%s' is not the key of '%s/%s'",
		    dir, CA_KEY, dir, CA_CERT);
		goto out;
	}
	if (X509_check_ca(cert) == 0) {
		r = drift_error_set(err, DRIFT_EFORMAT, "'%s/%s' is not a CA certificate", dir, CA_CERT);
		goto out;
	}
	if (X509_cmp_current_time(X509_get0_notAfter(cert)) <= 0) {
		time_text(X509_get0_notAfter(cert), when, sizeof(when));
		r = drift_error_set(err, DRIFT_EINVAL, "'%s/%s': the CA expired on %s; create a new "
		    "CA in another --dir and reissue every host certificate", dir, CA_CERT, when);
		goto out;
	}
	*cert_out = cert;
	*key_out = key;
	cert = NULL;
	key = NULL;
	r = 0;
out:
	BIO_free(bio);
	X509_free(cert);
	EVP_PKEY_free(key);
	if (kb.data != NULL)
		OPENSSL_cleanse(kb.data, kb.cap);
	buf_release(&kb);
	buf_release(&cb);
	return r;
}

int
ca_issue(const char *dir, const char *name, unsigned flags, int days, struct drift_error *err)
{
	struct pending key_p = { 0 }, cert_p = { 0 };
	char key_name[CA_CN_MAX + 8], cert_name[CA_CN_MAX + 8], when[64];
	bool replace = (flags & CA_ISSUE_FORCE) != 0, have_key = false, have_cert = false;
	X509 *ca_cert = NULL, *cert = NULL;
	EVP_PKEY *ca_key = NULL, *key = NULL;
	int dfd = -1, r, left_days, left_secs;

	if ((r = check_days(days, CA_LEAF_DAYS_DEFAULT, &days, err)) < 0)
		return r;
	if (dir == NULL || dir[0] == '\0')
		return drift_error_set(err, DRIFT_EINVAL, "no directory given");
	if (!ca_name_valid(name))
		return drift_error_set(err, DRIFT_EINVAL, "'%s': not a valid host id (1 to %d "
		    "letters, digits, '.', '_' or '-', not starting with '.' or '-')",
		    name != NULL ? name : "", CA_NAME_MAX);
	if (strlen(name) > CA_CN_MAX)
		return drift_error_set(err, DRIFT_EINVAL, "'%s': a certificate name holds at most %d "
		    "characters (RFC 5280); give the host a shorter host_id", name, CA_CN_MAX);
	if (strcmp(name, "ca") == 0)
		return drift_error_set(err, DRIFT_EINVAL,
		    "'ca': reserved for the CA's own ca.pem and ca.key; choose another name");
	snprintf(key_name, sizeof(key_name), "%s.key", name);
	snprintf(cert_name, sizeof(cert_name), "%s.pem", name);
	key_p.name = key_name;
	cert_p.name = cert_name;

	if ((r = open_dir(dir, &dfd, err)) < 0)
		goto out;
	if ((r = load_ca(dfd, dir, &ca_cert, &ca_key, err)) < 0)
		goto out;
	if (!replace) {
		if ((r = exists(dfd, dir, cert_name, &have_cert, err)) < 0 ||
		    (r = exists(dfd, dir, key_name, &have_key, err)) < 0)
			goto out;
		if (have_cert || have_key) {
			r = drift_error_set(err, DRIFT_EINVAL, "'%s/%s' already exists; pass --force "
			    "to replace it (the old certificate stays valid until it expires)",
			    dir, have_cert ? cert_name : key_name);
			goto out;
		}
	}
	if ((r = new_key(&key, err)) < 0 ||
	    (r = make_cert((flags & CA_ISSUE_SERVER) ? CERT_SERVER : CERT_CLIENT, name, key,
	    ca_cert, ca_key, days, &cert, err)) < 0)
		goto out;
	/* a certificate that outlives its CA would fail verification for no visible reason */
	if (ASN1_TIME_compare(X509_get0_notAfter(cert), X509_get0_notAfter(ca_cert)) > 0) {
		time_text(X509_get0_notAfter(ca_cert), when, sizeof(when));
		if (ASN1_TIME_diff(&left_days, &left_secs, NULL, X509_get0_notAfter(ca_cert)) != 1)
			left_days = left_secs = 0;
		/* an hour of slack, so the suggestion still holds when it is tried */
		if (left_secs < 3600)
			left_days--;
		if (left_days < 1)
			r = drift_error_set(err, DRIFT_EINVAL, "'%s': the CA expires on %s, too soon "
			    "to issue anything; create a new CA in another --dir", name, when);
		else
			r = drift_error_set(err, DRIFT_EINVAL, "'%s': %d days would outlive the CA, "
			    "which expires on %s; use --days %d or fewer", name, days, when, left_days);
		goto out;
	}
	if ((r = write_pair(dfd, dir, &key_p, &cert_p, key, cert, replace, err)) < 0)
		goto out;
	r = 0;
out:
	if (dfd >= 0) {
		pending_undo(dfd, &cert_p, r < 0 && !replace);
		pending_undo(dfd, &key_p, r < 0 && !replace);
		close(dfd);
	}
	X509_free(ca_cert);
	X509_free(cert);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(key);
	return r;
}
