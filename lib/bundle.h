/* SPDX-License-Identifier: MIT */
/* bundle.h - the tar (zstd) that carries a baseline and its captured contents. */
#ifndef DRIFT_BUNDLE_H
#define DRIFT_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "error.h"

/*
 * A bundle is a tar archive, zstd-compressed, readable with plain tar:
 *   baseline.pb                the encoded Baseline (always first)
 *   content/<sha256 hex>       one captured file content, by its digest
 * Readers ignore members they do not know (forward compatible).
 */
#define BUNDLE_BASELINE_NAME "baseline.pb"
#define BUNDLE_CONTENT_DIR "content/"

struct bundle_writer;

/*
 * Start a bundle at path ("-" = stdout). A file is written to a temporary
 * name beside it and renamed into place by bundle_writer_finish (fsync'd),
 * so a crash never leaves a half bundle under the final name.
 */
int bundle_writer_open(struct bundle_writer **out, const char *path, struct drift_error *err);

/*
 * The baseline member: `size` bytes produced by calling fill(ctx, emit)
 * where emit(wctx, data, len) appends; fill must emit exactly size bytes.
 * Must be the first member.
 */
typedef int (*bundle_emit_fn)(void *wctx, const void *data, size_t len);
int bundle_writer_add_baseline(struct bundle_writer *w, size_t size,
    int (*fill)(void *ctx, bundle_emit_fn emit, void *wctx), void *ctx, struct drift_error *err);

/* A captured content; adding the same digest twice writes it once. */
int bundle_writer_add_content(struct bundle_writer *w, const uint8_t sha256[DIGEST_LEN],
    const void *data, size_t len, struct drift_error *err);

/* Close the archive and move it into place; frees w either way. */
int bundle_writer_finish(struct bundle_writer *w, struct drift_error *err);

/* Abandon: remove the temporary file; frees w (NULL is fine). */
void bundle_writer_abort(struct bundle_writer *w);

#endif
