/* SPDX-License-Identifier: MIT */
/* check_ca.c - the CA: what ca_init and ca_issue write, checked with OpenSSL's own verifier and TLS. */
#include "config.h"

#include <sys/stat.h>
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ca.h"
#include "error.h"

Suite *make_ca_suite(void);

static char dir[64];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/drift-ca-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
rmtree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char p[512];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rmtree(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(path);
}

static void
teardown(void)
{
	rmtree(dir);
}

static char *
path_of(const char *d, const char *name)
{
	static char p[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", d, name);
	return p[i];
}

static X509 *
load_cert(const char *d, const char *name)
{
	FILE *f = fopen(path_of(d, name), "r");
	X509 *x;

	ck_assert_msg(f != NULL, "cannot open %s", path_of(d, name));
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	ck_assert_msg(x != NULL, "%s is not a PEM certificate", name);
	return x;
}

static EVP_PKEY *
load_key(const char *d, const char *name)
{
	FILE *f = fopen(path_of(d, name), "r");
	EVP_PKEY *k;

	ck_assert_msg(f != NULL, "cannot open %s", path_of(d, name));
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	ck_assert_msg(k != NULL, "%s is not a PEM private key", name);
	return k;
}

static int
file_mode(const char *d, const char *name)
{
	struct stat st;

	ck_assert_int_eq(lstat(path_of(d, name), &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	return st.st_mode & 07777;
}

/* The whole content of a file, for "nothing changed" checks (free it). */
static char *
slurp(const char *d, const char *name)
{
	FILE *f = fopen(path_of(d, name), "r");
	char *s = calloc(1, 65536);
	size_t n;

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(s);
	n = fread(s, 1, 65535, f);
	s[n] = '\0';
	fclose(f);
	return s;
}

/* No temporary file (they start with '.') may outlive a call. */
static void
assert_no_leftovers(const char *d)
{
	DIR *dh = opendir(d);
	struct dirent *e;

	ck_assert_ptr_nonnull(dh);
	while ((e = readdir(dh)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			ck_assert_msg(e->d_name[0] != '.', "left behind: %s", e->d_name);
	closedir(dh);
}

/* X509_V_OK or the error OpenSSL's verifier finds for leaf under ca (purpose 0: any). */
static int
verify(X509 *ca, X509 *leaf, int purpose)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ok, e;

	ck_assert_int_eq(X509_STORE_add_cert(st, ca), 1);
	ck_assert_int_eq(X509_STORE_CTX_init(ctx, st, leaf, NULL), 1);
	X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx), X509_V_FLAG_X509_STRICT);
	if (purpose != 0)
		ck_assert_int_eq(X509_STORE_CTX_set_purpose(ctx, purpose), 1);
	ok = X509_verify_cert(ctx);
	e = X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	ERR_clear_error();
	return ok == 1 ? X509_V_OK : (e != X509_V_OK ? e : -1);
}

static void
assert_cn(X509 *x, const char *want)
{
	X509_NAME *n = X509_get_subject_name(x);
	int i = X509_NAME_get_index_by_NID(n, NID_commonName, -1);
	const ASN1_STRING *s;

	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(X509_NAME_get_index_by_NID(n, NID_commonName, i), -1);
	s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
	ck_assert_int_eq(ASN1_STRING_length(s), (int)strlen(want));
	ck_assert_mem_eq(ASN1_STRING_get0_data(s), want, strlen(want));
}

static bool
ext_critical(X509 *x, int nid)
{
	int i = X509_get_ext_by_NID(x, nid, -1);

	ck_assert_msg(i >= 0, "no %s extension", OBJ_nid2sn(nid));
	return X509_EXTENSION_get_critical(X509_get_ext(x, i)) == 1;
}

static time_t
asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	ck_assert_int_eq(ASN1_TIME_to_tm(t, &tm), 1);
	return timegm(&tm);
}

/* notBefore a little in the past (clock skew), notAfter `days` from now. */
static void
assert_validity(X509 *x, int days, time_t before, time_t after)
{
	time_t nb = asn1_time(X509_get0_notBefore(x)), na = asn1_time(X509_get0_notAfter(x));

	ck_assert_msg(nb <= before - 60, "notBefore %ld leaves no room for skew", (long)nb);
	ck_assert_msg(nb >= before - 3600, "notBefore %ld too far back", (long)nb);
	ck_assert_int_ge(na, before + (time_t)days * 86400 - 1);
	ck_assert_int_le(na, after + (time_t)days * 86400 + 1);
}

static void
assert_p256(EVP_PKEY *k)
{
	char group[64];

	ck_assert(EVP_PKEY_is_a(k, "EC"));
	ck_assert_int_eq(EVP_PKEY_get_group_name(k, group, sizeof(group), NULL), 1);
	ck_assert_str_eq(group, "prime256v1");
}

static void
assert_serial_128(X509 *x)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);

	ck_assert_ptr_nonnull(bn);
	ck_assert(!BN_is_negative(bn));
	ck_assert_int_eq(BN_num_bits(bn), 128);
	BN_free(bn);
}

static void
init_ok(const char *d, int days)
{
	struct drift_error err = { 0 };

	ck_assert_msg(ca_init(d, days, &err) == 0, "ca_init: %s", err.msg);
}

static void
issue_ok(const char *d, const char *name, unsigned flags, int days)
{
	struct drift_error err = { 0 };

	ck_assert_msg(ca_issue(d, name, flags, days, &err) == 0, "ca_issue %s: %s", name, err.msg);
}

static const struct {
	const char *name;
	bool valid;
} names[] = {
	{ "web01", true },
	{ "web01.example.net", true },
	{ "127.0.0.1", true },
	{ "a", true },
	{ "Host_1-b.c", true },
	{ "0lead-digit", true },
	{ "", false },
	{ ".hidden", false },
	{ "..", false },
	{ ".", false },
	{ "-rf", false },
	{ "a/b", false },
	{ "../ca", false },
	{ "web 01", false },
	{ "web01\n", false },
	{ "caf\xc3\xa9", false },
	{ "a,DNS:evil", false },
	{ "a:b", false },
	{ "*.example.net", false },
};

START_TEST(test_ca_name_valid)
{
	ck_assert_msg(ca_name_valid(names[_i].name) == names[_i].valid, "'%s'", names[_i].name);
}
END_TEST

START_TEST(test_ca_name_length)
{
	char n[CA_NAME_MAX + 2];

	memset(n, 'a', sizeof(n));
	n[CA_NAME_MAX] = '\0';
	ck_assert(ca_name_valid(n));
	n[CA_NAME_MAX] = 'a';
	n[CA_NAME_MAX + 1] = '\0';
	ck_assert(!ca_name_valid(n));
	ck_assert(!ca_name_valid(NULL));
}
END_TEST

START_TEST(test_ca_init_writes_a_ca)
{
	time_t before, after;
	EVP_PKEY *k;
	X509 *ca;

	umask(0);	/* the key must be 0600 whatever the umask allows */
	before = time(NULL);
	init_ok(dir, 0);
	after = time(NULL);
	umask(022);
	ck_assert_int_eq(file_mode(dir, "ca.key"), 0600);
	ck_assert_int_eq(file_mode(dir, "ca.pem"), 0644);
	assert_no_leftovers(dir);

	ca = load_cert(dir, "ca.pem");
	k = load_key(dir, "ca.key");
	assert_p256(k);
	ck_assert_int_eq(X509_check_private_key(ca, k), 1);
	ck_assert_int_eq(X509_get_version(ca), X509_VERSION_3);
	/* self-signed, and a CA by OpenSSL's own reading */
	ck_assert_int_eq(X509_NAME_cmp(X509_get_subject_name(ca), X509_get_issuer_name(ca)), 0);
	ck_assert_int_eq(X509_verify(ca, k), 1);
	ck_assert_int_eq(X509_check_ca(ca), 1);
	ck_assert_int_eq(verify(ca, ca, 0), X509_V_OK);
	ck_assert(X509_get_extension_flags(ca) & EXFLAG_CA);
	ck_assert(ext_critical(ca, NID_basic_constraints));
	ck_assert_int_eq(X509_get_pathlen(ca), 0);
	ck_assert_uint_eq(X509_get_key_usage(ca), KU_KEY_CERT_SIGN | KU_CRL_SIGN);
	ck_assert(ext_critical(ca, NID_key_usage));
	ck_assert_ptr_nonnull(X509_get0_subject_key_id(ca));
	assert_serial_128(ca);
	assert_validity(ca, CA_DAYS_DEFAULT, before, after);
	X509_free(ca);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(test_ca_init_creates_dir_and_days)
{
	char sub[128];
	struct stat st;
	time_t before = time(NULL), after;
	X509 *ca;

	snprintf(sub, sizeof(sub), "%s/a/b/ca", dir);
	init_ok(sub, 30);
	after = time(NULL);
	ck_assert_int_eq(stat(sub, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0700);
	ca = load_cert(sub, "ca.pem");
	assert_validity(ca, 30, before, after);
	X509_free(ca);
}
END_TEST

START_TEST(test_ca_init_refuses_existing)
{
	struct drift_error err = { 0 };
	char *key, *pem, *again;

	init_ok(dir, 0);
	key = slurp(dir, "ca.key");
	pem = slurp(dir, "ca.pem");
	ck_assert_int_eq(ca_init(dir, 0, &err), DRIFT_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "ca.key' already exists"));
	ck_assert_ptr_nonnull(strstr(err.msg, "--dir"));
	again = slurp(dir, "ca.key");
	ck_assert_str_eq(again, key);
	free(again);
	again = slurp(dir, "ca.pem");
	ck_assert_str_eq(again, pem);
	free(again);
	assert_no_leftovers(dir);

	/* a lone ca.pem is a CA too (its key may be kept elsewhere) */
	ck_assert_int_eq(unlink(path_of(dir, "ca.key")), 0);
	ck_assert_int_eq(ca_init(dir, 0, &err), DRIFT_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "ca.pem' already exists"));
	ck_assert_int_eq(access(path_of(dir, "ca.key"), F_OK), -1);
	free(key);
	free(pem);
}
END_TEST

START_TEST(test_ca_issue_client)
{
	time_t before, after;
	X509 *ca, *x;
	EVP_PKEY *k;
	EXTENDED_KEY_USAGE *eku;
	int crit = -1;

	init_ok(dir, 0);
	umask(0);
	before = time(NULL);
	issue_ok(dir, "web01", 0, 0);
	after = time(NULL);
	umask(022);
	ck_assert_int_eq(file_mode(dir, "web01.key"), 0600);
	ck_assert_int_eq(file_mode(dir, "web01.pem"), 0644);
	assert_no_leftovers(dir);

	ca = load_cert(dir, "ca.pem");
	x = load_cert(dir, "web01.pem");
	k = load_key(dir, "web01.key");
	assert_p256(k);
	ck_assert_int_eq(X509_check_private_key(x, k), 1);
	assert_cn(x, "web01");
	ck_assert_int_eq(X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(ca)), 0);

	ck_assert_int_eq(verify(ca, x, 0), X509_V_OK);
	ck_assert_int_eq(verify(ca, x, X509_PURPOSE_SSL_CLIENT), X509_V_OK);
	ck_assert_int_eq(verify(ca, x, X509_PURPOSE_SSL_SERVER), X509_V_ERR_INVALID_PURPOSE);

	ck_assert_int_eq(X509_check_ca(x), 0);
	ck_assert(ext_critical(x, NID_basic_constraints));
	ck_assert_uint_eq(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);
	ck_assert(ext_critical(x, NID_key_usage));
	eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL);
	ck_assert_ptr_nonnull(eku);
	ck_assert_int_eq(sk_ASN1_OBJECT_num(eku), 1);
	ck_assert_int_eq(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)), NID_client_auth);
	EXTENDED_KEY_USAGE_free(eku);
	ck_assert_ptr_null(X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL));
	ck_assert_int_eq(crit, -1);	/* absent, not merely unparsable */
	ck_assert_ptr_nonnull(X509_get0_subject_key_id(x));
	ck_assert_ptr_nonnull(X509_get0_authority_key_id(x));
	ck_assert_int_eq(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(x),
	    X509_get0_subject_key_id(ca)), 0);
	assert_serial_128(x);
	assert_validity(x, CA_LEAF_DAYS_DEFAULT, before, after);
	X509_free(ca);
	X509_free(x);
	EVP_PKEY_free(k);
}
END_TEST

static void
assert_server(const char *name, int gen_type)
{
	GENERAL_NAMES *san;
	GENERAL_NAME *g;
	X509 *ca, *x;
	char pem[128];
	int crit = 0;

	snprintf(pem, sizeof(pem), "%s.pem", name);
	ca = load_cert(dir, "ca.pem");
	x = load_cert(dir, pem);
	assert_cn(x, name);
	ck_assert_int_eq(verify(ca, x, X509_PURPOSE_SSL_SERVER), X509_V_OK);
	ck_assert_int_eq(verify(ca, x, X509_PURPOSE_SSL_CLIENT), X509_V_ERR_INVALID_PURPOSE);
	ck_assert(X509_get_extended_key_usage(x) == XKU_SSL_SERVER);
	san = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
	ck_assert_ptr_nonnull(san);
	ck_assert_int_eq(sk_GENERAL_NAME_num(san), 1);
	g = sk_GENERAL_NAME_value(san, 0);
	ck_assert_int_eq(g->type, gen_type);
	GENERAL_NAMES_free(san);
	if (gen_type == GEN_IPADD)
		ck_assert_int_eq(X509_check_ip_asc(x, name, 0), 1);
	else
		ck_assert_int_eq(X509_check_host(x, name, 0, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL), 1);
	ck_assert_int_eq(X509_check_host(x, "other.example.net", 0, 0, NULL), 0);
	X509_free(ca);
	X509_free(x);
}

START_TEST(test_ca_issue_server_dns)
{
	init_ok(dir, 0);
	issue_ok(dir, "collector.example.net", CA_ISSUE_SERVER, 90);
	assert_server("collector.example.net", GEN_DNS);
}
END_TEST

START_TEST(test_ca_issue_server_ip)
{
	init_ok(dir, 0);
	issue_ok(dir, "127.0.0.1", CA_ISSUE_SERVER, 0);
	assert_server("127.0.0.1", GEN_IPADD);
}
END_TEST

START_TEST(test_ca_issue_refuses_existing_unless_forced)
{
	struct drift_error err = { 0 };
	char *pem, *key, *now;
	X509 *a, *b;

	init_ok(dir, 0);
	issue_ok(dir, "web01", 0, 0);
	pem = slurp(dir, "web01.pem");
	key = slurp(dir, "web01.key");
	ck_assert_int_eq(ca_issue(dir, "web01", CA_ISSUE_SERVER, 0, &err), DRIFT_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "web01.pem' already exists"));
	ck_assert_ptr_nonnull(strstr(err.msg, "--force"));
	now = slurp(dir, "web01.pem");
	ck_assert_str_eq(now, pem);
	free(now);
	now = slurp(dir, "web01.key");
	ck_assert_str_eq(now, key);
	free(now);
	assert_no_leftovers(dir);

	/* a lone key blocks too: the pair must match */
	ck_assert_int_eq(unlink(path_of(dir, "web01.pem")), 0);
	ck_assert_int_eq(ca_issue(dir, "web01", 0, 0, &err), DRIFT_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "web01.key' already exists"));
	ck_assert_int_eq(access(path_of(dir, "web01.pem"), F_OK), -1);

	issue_ok(dir, "web01", CA_ISSUE_FORCE, 0);
	issue_ok(dir, "web01", CA_ISSUE_FORCE, 0);
	now = slurp(dir, "web01.key");
	ck_assert_str_ne(now, key);
	free(now);
	a = load_cert(dir, "web01.pem");
	{
		EVP_PKEY *k = load_key(dir, "web01.key");

		ck_assert_int_eq(X509_check_private_key(a, k), 1);
		EVP_PKEY_free(k);
	}
	ck_assert_int_eq(file_mode(dir, "web01.key"), 0600);
	assert_no_leftovers(dir);

	/* two certificates never share a serial */
	issue_ok(dir, "web02", 0, 0);
	b = load_cert(dir, "web02.pem");
	ck_assert_int_ne(ASN1_INTEGER_cmp(X509_get0_serialNumber(a), X509_get0_serialNumber(b)), 0);
	X509_free(a);
	X509_free(b);
	free(pem);
	free(key);
}
END_TEST

START_TEST(test_ca_issue_never_writes_through_symlink)
{
	struct drift_error err = { 0 };
	char victim[128], *s;

	init_ok(dir, 0);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	{
		FILE *f = fopen(victim, "w");

		ck_assert_ptr_nonnull(f);
		fputs("precious\n", f);
		fclose(f);
	}
	ck_assert_int_eq(symlink("victim", path_of(dir, "web01.key")), 0);
	ck_assert_int_eq(ca_issue(dir, "web01", 0, 0, &err), DRIFT_EINVAL);
	ck_assert_int_eq(access(path_of(dir, "web01.pem"), F_OK), -1);
	/* forced: the link itself is replaced, its target untouched */
	issue_ok(dir, "web01", CA_ISSUE_FORCE, 0);
	ck_assert_int_eq(file_mode(dir, "web01.key"), 0600);
	s = slurp(dir, "victim");
	ck_assert_str_eq(s, "precious\n");
	free(s);
}
END_TEST

START_TEST(test_ca_issue_refusals)
{
	struct drift_error err = { 0 };
	char longname[CA_CN_MAX + 2], other[128];

	/* no CA yet */
	ck_assert_int_eq(ca_issue(dir, "web01", 0, 0, &err), DRIFT_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.msg, "drift ca init"));
	ck_assert_int_eq(ca_issue("/nonexistent/drift-ca", "web01", 0, 0, &err), DRIFT_ENOTFOUND);

	init_ok(dir, 10);
	/* would overwrite the CA itself */
	ck_assert_int_eq(ca_issue(dir, "ca", CA_ISSUE_FORCE, 0, &err), DRIFT_EINVAL);
	ck_assert_int_eq(ca_issue(dir, "../x", 0, 0, &err), DRIFT_EINVAL);
	ck_assert_int_eq(ca_issue(dir, ".x", 0, 0, &err), DRIFT_EINVAL);
	ck_assert_int_eq(ca_issue(dir, "a,DNS:evil.example", CA_ISSUE_SERVER, 0, &err), DRIFT_EINVAL);
	memset(longname, 'h', sizeof(longname));
	longname[CA_CN_MAX] = '\0';
	issue_ok(dir, longname, 0, 5);
	longname[CA_CN_MAX] = 'h';
	longname[CA_CN_MAX + 1] = '\0';
	ck_assert_int_eq(ca_issue(dir, longname, 0, 5, &err), DRIFT_EINVAL);
	ck_assert_int_eq(ca_issue(dir, "web01", 0, -1, &err), DRIFT_EINVAL);
	ck_assert_int_eq(ca_issue(dir, "web01", 0, CA_DAYS_MAX + 1, &err), DRIFT_EINVAL);
	/* the default 825 days would outlive a 10-day CA */
	ck_assert_int_eq(ca_issue(dir, "web01", 0, 0, &err), DRIFT_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "outlive the CA"));
	ck_assert_ptr_nonnull(strstr(err.msg, "--days 9 or fewer"));
	ck_assert_int_eq(access(path_of(dir, "web01.pem"), F_OK), -1);
	ck_assert_int_eq(access(path_of(dir, "web01.key"), F_OK), -1);
	issue_ok(dir, "web01", 0, 9);
	assert_no_leftovers(dir);

	/* a key that is not the CA's */
	snprintf(other, sizeof(other), "%s/other", dir);
	init_ok(other, 0);
	ck_assert_int_eq(rename(path_of(other, "ca.key"), path_of(dir, "ca.key")), 0);
	ck_assert_int_eq(ca_issue(dir, "web02", 0, 0, &err), DRIFT_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "is not the key of"));
	ck_assert_int_eq(access(path_of(dir, "web02.pem"), F_OK), -1);
	/* a key that is not PEM at all */
	{
		FILE *f = fopen(path_of(dir, "ca.key"), "w");

		ck_assert_ptr_nonnull(f);
		fputs("not a key\n", f);
		fclose(f);
	}
	ck_assert_int_eq(ca_issue(dir, "web02", 0, 0, &err), DRIFT_EFORMAT);
	assert_no_leftovers(dir);
}
END_TEST

START_TEST(test_ca_other_ca_is_not_trusted)
{
	char other[128];
	X509 *ca, *ca2, *x;

	snprintf(other, sizeof(other), "%s/other", dir);
	init_ok(dir, 0);
	init_ok(other, 0);
	issue_ok(other, "web01", 0, 0);
	ca = load_cert(dir, "ca.pem");
	ca2 = load_cert(other, "ca.pem");
	x = load_cert(other, "web01.pem");
	ck_assert_int_ne(X509_NAME_cmp(X509_get_subject_name(ca), X509_get_subject_name(ca2)), 0);
	ck_assert_int_eq(verify(ca2, x, X509_PURPOSE_SSL_CLIENT), X509_V_OK);
	ck_assert_int_ne(verify(ca, x, X509_PURPOSE_SSL_CLIENT), X509_V_OK);
	X509_free(ca);
	X509_free(ca2);
	X509_free(x);
}
END_TEST

/* A TLS context that trusts d/ca.pem and presents d/NAME.pem (NULL: none). */
static SSL_CTX *
tls_ctx(bool server, const char *d, const char *name, int version)
{
	SSL_CTX *c = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	char cert[256], key[256];

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(SSL_CTX_set_min_proto_version(c, version), 1);
	ck_assert_int_eq(SSL_CTX_set_max_proto_version(c, version), 1);
	ck_assert_int_eq(SSL_CTX_load_verify_locations(c, path_of(dir, "ca.pem"), NULL), 1);
	SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	if (name != NULL) {
		snprintf(cert, sizeof(cert), "%s/%s.pem", d, name);
		snprintf(key, sizeof(key), "%s/%s.key", d, name);
		ck_assert_int_eq(SSL_CTX_use_certificate_file(c, cert, SSL_FILETYPE_PEM), 1);
		ck_assert_int_eq(SSL_CTX_use_PrivateKey_file(c, key, SSL_FILETYPE_PEM), 1);
	}
	return c;
}

/*
 * A real handshake over an in-memory pipe; 1 when both ends completed it
 * and the server verified the client, with the client's CN in cn.
 */
static int
handshake(SSL_CTX *sc, SSL_CTX *cc, char *cn, size_t cnlen)
{
	SSL *s = SSL_new(sc), *c = SSL_new(cc);
	BIO *sb, *cb;
	int i, rs = 0, rc = 0, ok = 0;
	char buf[8];
	X509 *peer;

	ck_assert_int_eq(BIO_new_bio_pair(&sb, 0, &cb, 0), 1);
	SSL_set_bio(s, sb, sb);
	SSL_set_bio(c, cb, cb);
	SSL_set_accept_state(s);
	SSL_set_connect_state(c);
	ck_assert_int_eq(X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c), "127.0.0.1"), 1);
	for (i = 0; i < 100 && (rs != 1 || rc != 1); i++) {
		if (rc != 1 && (rc = SSL_do_handshake(c)) <= 0 &&
		    SSL_get_error(c, rc) != SSL_ERROR_WANT_READ)
			goto out;
		if (rs != 1 && (rs = SSL_do_handshake(s)) <= 0 &&
		    SSL_get_error(s, rs) != SSL_ERROR_WANT_READ)
			goto out;
	}
	/* TLS 1.3: the client's certificate is judged after the client finished */
	if (SSL_write(c, "x", 1) != 1 || SSL_read(s, buf, sizeof(buf)) != 1)
		goto out;
	if (SSL_get_verify_result(s) != X509_V_OK || (peer = SSL_get1_peer_certificate(s)) == NULL)
		goto out;
	X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, (int)cnlen);
	X509_free(peer);
	ok = 1;
out:
	SSL_free(s);
	SSL_free(c);
	ERR_clear_error();
	return ok;
}

static const int tls_versions[] = { TLS1_2_VERSION, TLS1_3_VERSION };

START_TEST(test_ca_tls_handshake)
{
	int v = tls_versions[_i];
	char other[128], cn[128] = "";
	SSL_CTX *sc, *cc, *rogue, *nocert, *wrong;

	snprintf(other, sizeof(other), "%s/other", dir);
	init_ok(dir, 0);
	issue_ok(dir, "127.0.0.1", CA_ISSUE_SERVER, 0);
	issue_ok(dir, "web01", 0, 0);
	issue_ok(dir, "web02", CA_ISSUE_SERVER, 0);
	init_ok(other, 0);
	issue_ok(other, "web01", 0, 0);

	sc = tls_ctx(true, dir, "127.0.0.1", v);
	cc = tls_ctx(false, dir, "web01", v);
	ck_assert_int_eq(handshake(sc, cc, cn, sizeof(cn)), 1);
	ck_assert_str_eq(cn, "web01");

	/* same name, another CA */
	rogue = tls_ctx(false, other, "web01", v);
	ck_assert_int_eq(handshake(sc, rogue, cn, sizeof(cn)), 0);
	/* no certificate at all */
	nocert = tls_ctx(false, dir, NULL, v);
	ck_assert_int_eq(handshake(sc, nocert, cn, sizeof(cn)), 0);
	/* a server certificate is not a client certificate */
	wrong = tls_ctx(false, dir, "web02", v);
	ck_assert_int_eq(handshake(sc, wrong, cn, sizeof(cn)), 0);
	/* nor is a client certificate a server's */
	SSL_CTX_free(sc);
	sc = tls_ctx(true, dir, "web01", v);
	ck_assert_int_eq(handshake(sc, cc, cn, sizeof(cn)), 0);

	SSL_CTX_free(sc);
	SSL_CTX_free(cc);
	SSL_CTX_free(rogue);
	SSL_CTX_free(nocert);
	SSL_CTX_free(wrong);
}
END_TEST

Suite *
make_ca_suite(void)
{
	Suite *s = suite_create("ca");
	TCase *tc = tcase_create("ca");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_ca_name_valid, 0, (int)(sizeof(names) / sizeof(names[0])));
	tcase_add_test(tc, test_ca_name_length);
	tcase_add_test(tc, test_ca_init_writes_a_ca);
	tcase_add_test(tc, test_ca_init_creates_dir_and_days);
	tcase_add_test(tc, test_ca_init_refuses_existing);
	tcase_add_test(tc, test_ca_issue_client);
	tcase_add_test(tc, test_ca_issue_server_dns);
	tcase_add_test(tc, test_ca_issue_server_ip);
	tcase_add_test(tc, test_ca_issue_refuses_existing_unless_forced);
	tcase_add_test(tc, test_ca_issue_never_writes_through_symlink);
	tcase_add_test(tc, test_ca_issue_refusals);
	tcase_add_test(tc, test_ca_other_ca_is_not_trusted);
	tcase_add_loop_test(tc, test_ca_tls_handshake, 0,
	    (int)(sizeof(tls_versions) / sizeof(tls_versions[0])));
	suite_add_tcase(s, tc);
	return s;
}
