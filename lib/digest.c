/* SPDX-License-Identifier: MIT */
/* digest.c - SHA-256 (OpenSSL) and hex spelling of digests. */
#include "config.h"

#include <openssl/evp.h>

#include "digest.h"
#include "error.h"

int
digest_sha256(const void *data, size_t len, uint8_t out[DIGEST_LEN])
{
	unsigned int n = 0;

	if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1 || n != DIGEST_LEN)
		return DRIFT_EINTERNAL;
	return 0;
}

void
digest_hex(const uint8_t *d, size_t len, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * len] = '\0';
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
digest_from_hex(const char *hex, size_t hexlen, uint8_t out[DIGEST_LEN])
{
	uint8_t tmp[DIGEST_LEN];
	size_t i;

	if (hexlen != DIGEST_HEX_LEN)
		return DRIFT_EINVAL;
	for (i = 0; i < DIGEST_LEN; i++) {
		int hi = hexval((unsigned char)hex[2 * i]);
		int lo = hexval((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return DRIFT_EINVAL;
		tmp[i] = (uint8_t)(hi << 4 | lo);
	}
	for (i = 0; i < DIGEST_LEN; i++)
		out[i] = tmp[i];
	return 0;
}
