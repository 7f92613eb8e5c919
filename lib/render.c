/* SPDX-License-Identifier: MIT */
/* render.c - what the output backends share: format lookup, attribute spelling, content diffs. */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "render.h"
#include "textdiff.h"

const struct render_ops *
render_find(const char *name)
{
	static const struct render_ops *const all[] = { &render_text_ops, &render_json_ops };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

const char *
render_mode(unsigned mode, char *buf, size_t size)
{
	snprintf(buf, size, "%04o", mode & 07777);
	return buf;
}

const char *
render_perms(Drift__FileType t, unsigned mode, char *buf, size_t size)
{
	static const char rwx[] = "rwxrwxrwx";
	char s[11];
	int i;

	s[0] = file_type_char(t);
	for (i = 0; i < 9; i++)
		s[i + 1] = (mode & (0400u >> i)) ? rwx[i] : '-';
	if (mode & 04000)
		s[3] = (mode & 0100) ? 's' : 'S';
	if (mode & 02000)
		s[6] = (mode & 0010) ? 's' : 'S';
	if (mode & 01000)
		s[9] = (mode & 0001) ? 't' : 'T';
	s[10] = '\0';
	snprintf(buf, size, "%s", s);
	return buf;
}

const char *
render_host_name(const Drift__Baseline *pb)
{
	if (pb->host_id[0] != '\0')
		return pb->host_id;
	if (pb->host != NULL && pb->host->hostname[0] != '\0')
		return pb->host->hostname;
	return "unknown host";
}

int
render_content_diff(const struct baseline *old, const struct baseline *new_,
    const Drift__FileEntry *a, const Drift__FileEntry *b, struct buf *out)
{
	const struct content *ca = baseline_file_content(old, a);
	const struct content *cb = baseline_file_content(new_, b);
	char la[48], lb[48];

	if (ca == NULL || cb == NULL)
		return DRIFT_ENOTFOUND;
	format_time_ns(old->pb->taken_at_ns, la, sizeof(la));
	format_time_ns(new_->pb->taken_at_ns, lb, sizeof(lb));
	return textdiff_unified(out, la, ca->data, ca->len, lb, cb->data, cb->len, 3);
}

int
render_finish(FILE *f)
{
	if (fflush(f) != 0 || ferror(f))
		return DRIFT_EIO;
	return 0;
}
