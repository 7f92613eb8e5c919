/* SPDX-License-Identifier: MIT */
/* digest.h - SHA-256 (OpenSSL) and hex spelling of digests. */
#ifndef DRIFT_DIGEST_H
#define DRIFT_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define DIGEST_LEN 32
#define DIGEST_HEX_LEN 64

/* SHA-256 of data into out; 0 or DRIFT_EINTERNAL. */
int digest_sha256(const void *data, size_t len, uint8_t out[DIGEST_LEN]);
/* Lowercase hex, NUL-terminated (hex must hold 2*len+1). */
void digest_hex(const uint8_t *d, size_t len, char *hex);
/* Parse exactly 64 hex digits; 0 or DRIFT_EINVAL. */
int digest_from_hex(const char *hex, size_t hexlen, uint8_t out[DIGEST_LEN]);

#endif
