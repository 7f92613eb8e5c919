/* SPDX-License-Identifier: MIT */
/* fuzz_baseline.c - libFuzzer harness: any bytes given to the baseline/bundle reader. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "baseline.h"
#include "diff.h"
#include "render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct baseline_limits lim = {
		.pb_max = 1 << 20, .content_max = 1 << 20, .total_max = 4 << 20, .members_max = 1024,
	};
	struct drift_error err = { 0 };
	struct baseline *b = NULL;
	struct diff d;
	FILE *null;

	if (baseline_read_memory("fuzz", data, size, &lim, &b, &err) < 0)
		return 0;
	/* Properties: what was accepted re-encodes to something accepted with
	 * the same entries, and nothing differs from itself. */
	{
		size_t n = drift__baseline__get_packed_size(b->pb);
		uint8_t *buf = malloc(n ? n : 1);
		struct baseline *again = NULL;

		if (buf == NULL)
			abort();
		drift__baseline__pack(b->pb, buf);
		if (baseline_read_memory("fuzz-again", buf, n, &lim, &again, &err) < 0 ||
		    again->pb->n_files != b->pb->n_files || again->pb->n_packages != b->pb->n_packages) {
			fprintf(stderr, "accepted baseline did not survive re-encoding: %s\n",
			    drift_error_message(&err));
			abort();
		}
		if (diff_baselines(b->pb, again->pb, &d) < 0)
			abort();
		if (d.n != 0) {
			fprintf(stderr, "a baseline differs from its own re-encoding (%zu changes)\n", d.n);
			abort();
		}
		diff_release(&d);
		baseline_free(again);
		free(buf);
	}
	/* Whatever was accepted must be safe to diff and render. */
	if ((null = fopen("/dev/null", "w")) != NULL) {
		render_text_ops.show(null, b);
		render_json_ops.show(null, b);
		if (diff_baselines(b->pb, b->pb, &d) == 0) {
			render_json_ops.diff(null, b, b, &d);
			diff_release(&d);
		}
		fclose(null);
	}
	baseline_free(b);
	return 0;
}
