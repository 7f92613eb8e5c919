/* SPDX-License-Identifier: MIT */
/* restore_std.c - plans that bring a host into line with its standards: each finding, its rule and what to do about it. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "digest.h"
#include "glob.h"
#include "restore.h"
#include "restore_int.h"
#include "standard.h"
#include "store.h"

/* --- small things --- */

bool
restore_is_content_check(const char *check)
{
	return strcmp(check, "contains") == 0 || strcmp(check, "not_contains") == 0 ||
	    strcmp(check, "matches") == 0;
}

static bool
is_package_check(const char *check)
{
	return strcmp(check, "installed") == 0 || strcmp(check, "version") == 0 ||
	    strcmp(check, "forbidden") == 0;
}

bool
restore_is_type(const Drift__FileEntry *e, Drift__FileType t)
{
	return e != NULL && e->type == t;
}

/* The entry of the baseline at path (files are sorted by path bytes); NULL if none. */
static const Drift__FileEntry *
find_entry(const struct baseline *b, const char *path, size_t len)
{
	Drift__FileEntry *const *v = b->pb->files;
	size_t lo = 0, hi = b->pb->n_files;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (path_cmp(v[mid]->path.data, v[mid]->path.len, (const uint8_t *)path, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < b->pb->n_files && v[lo]->path.len == len && memcmp(v[lo]->path.data, path, len) == 0)
		return v[lo];
	return NULL;
}

static int
nomem(struct drift_error *err)
{
	return drift_error_set(err, DRIFT_ENOMEM, "out of memory");
}

/* --- what each path should be --- */

static bool
rule_matches(const struct file_rule *r, const char *path, size_t len)
{
	if (r->is_glob)
		return glob_match(r->path, path, len);
	return strlen(r->path) == len && memcmp(r->path, path, len) == 0;
}

/* Set w->why (the first disagreement wins); -1 on no memory. */
static int
disagree(struct restore_want *w, const struct file_rule *r, const char *what, const char *a,
    const char *b)
{
	if (w->why != NULL)
		return 0;
	if (asprintf(&w->why, "the rules disagree about its %s: one asks for %s, rule '%s' for %s; "
	    "settle the standards, then make another plan", what, a, r->id, b) < 0) {
		w->why = NULL;
		return -1;
	}
	return 0;
}

static int
merge_str(struct restore_want *w, const struct file_rule *r, const char *what, const char **have,
    const char *v)
{
	if (v == NULL)
		return 0;
	if (*have == NULL) {
		*have = v;
		return 0;
	}
	if (strcmp(*have, v) == 0)
		return 0;
	return disagree(w, r, what, *have, v);
}

static int
merge_mode(struct restore_want *w, const struct file_rule *r)
{
	char a[16], b[16];

	if (r->has_mode) {
		if (w->mode >= 0 && (unsigned)w->mode != r->mode) {
			snprintf(a, sizeof(a), "%04o", (unsigned)w->mode);
			snprintf(b, sizeof(b), "%04o", r->mode);
			return disagree(w, r, "mode", a, b);
		}
		w->mode = (int)r->mode;
	}
	if (r->has_mode_max)
		w->mode_max = w->mode_max < 0 ? (int)r->mode_max : (int)((unsigned)w->mode_max & r->mode_max);
	if (w->mode >= 0 && w->mode_max >= 0 && ((unsigned)w->mode & ~(unsigned)w->mode_max) != 0) {
		snprintf(a, sizeof(a), "%04o", (unsigned)w->mode);
		snprintf(b, sizeof(b), "at most %04o", (unsigned)w->mode_max);
		return disagree(w, r, "mode", a, b);
	}
	return 0;
}

/* Gather what every rule of every standard that applies asks of w's path. */
static int
want_merge(struct restore_splan *pl, struct restore_want *w)
{
	char a[DIGEST_HEX_LEN + 1], b[DIGEST_HEX_LEN + 1];
	size_t i, j;

	w->mode = w->mode_max = -1;
	for (i = 0; i < pl->nstds; i++) {
		if (!pl->applies[i])
			continue;
		for (j = 0; j < pl->stds[i]->nfiles; j++) {
			const struct file_rule *r = &pl->stds[i]->files[j];

			if (!rule_matches(r, w->path, w->len))
				continue;
			if (r->absent) {
				w->absent = true;
				continue;
			}
			w->exact |= !r->is_glob;
			if (merge_str(w, r, "owner", &w->owner, r->owner) < 0 ||
			    merge_str(w, r, "group", &w->group, r->group) < 0 ||
			    merge_str(w, r, "type", &w->type, r->type) < 0 ||
			    merge_str(w, r, "target", &w->target, r->target) < 0 ||
			    merge_mode(w, r) < 0)
				return DRIFT_ENOMEM;
			if (r->has_sha256) {
				if (w->has_sha && memcmp(w->sha, r->sha256, DIGEST_LEN) != 0) {
					digest_hex(w->sha, DIGEST_LEN, a);
					digest_hex(r->sha256, DIGEST_LEN, b);
					if (disagree(w, r, "content", a, b) < 0)
						return DRIFT_ENOMEM;
				}
				w->has_sha = true;
				memcpy(w->sha, r->sha256, DIGEST_LEN);
			}
		}
	}
	if (w->why != NULL)
		return 0;
	if (w->absent && w->exact)
		w->why = strdup("one rule requires it to exist and another to be absent; settle the standards, "
		    "then make another plan");
	else if (w->target != NULL && w->type != NULL && strcmp(w->type, "symlink") != 0)
		w->why = strdup("one rule requires a symlink target and another a type that is not a symlink");
	else if (w->has_sha && ((w->type != NULL && strcmp(w->type, "regular") != 0) || w->target != NULL))
		w->why = strdup("one rule requires a content (sha256) and another a file that is not a regular file");
	else
		return 0;
	return w->why == NULL ? DRIFT_ENOMEM : 0;
}

/* The approved content of w from b or from the store; not finding it is not an error. */
static int
want_content(struct restore_splan *pl, struct restore_want *w, struct drift_error *err)
{
	const struct content *c;
	struct buf *nb;
	size_t i;
	int r;

	if ((c = baseline_content(pl->b, w->sha)) != NULL) {
		w->data = c->data;
		w->dlen = c->len;
		return 0;
	}
	for (i = 0; i < pl->nwants; i++) {
		if (&pl->wants[i] != w && pl->wants[i].data != NULL && pl->wants[i].has_sha &&
		    memcmp(pl->wants[i].sha, w->sha, DIGEST_LEN) == 0) {
			w->data = pl->wants[i].data;
			w->dlen = pl->wants[i].dlen;
			return 0;
		}
	}
	if (pl->store == NULL)
		return 0;
	if ((nb = realloc(pl->loaded, (pl->nloaded + 1) * sizeof(*nb))) == NULL)
		return nomem(err);
	pl->loaded = nb;
	nb = &pl->loaded[pl->nloaded];
	buf_init(nb, 0);
	r = store_content(pl->store, w->sha, baseline_default_limits.content_max, nb, err);
	if (r == DRIFT_ENOTFOUND)
		return 0;
	if (r < 0)
		return r;
	pl->nloaded++;
	w->data = nb->data != NULL ? nb->data : "";
	w->dlen = nb->len;
	return 0;
}

static int
why_dup(char **why, const char *text)
{
	return (*why = strdup(text)) == NULL ? -1 : 0;
}

/* *why: the sha256 rule's content is nowhere to be had. */
static int
no_content(char **why, const char *hex)
{
	if (asprintf(why, "no baseline in the store holds a capture with sha256 %s, so drift cannot "
	    "write it: put the approved file in place from where the standard's authors keep it", hex) < 0) {
		*why = NULL;
		return -1;
	}
	return 0;
}

/* What restore.sh does to w's path, and why it leaves what it leaves. */
static int
want_decide(struct restore_splan *pl, struct restore_want *w, struct drift_error *err)
{
	const Drift__FileEntry *e = w->e;
	const char *type = w->type;
	char hex[DIGEST_HEX_LEN + 1];
	bool dir = restore_is_type(e, DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY);
	bool reg = restore_is_type(e, DRIFT__FILE_TYPE__FILE_TYPE_REGULAR);
	int r = 0;

	w->kind = W_NONE;
	if (w->why != NULL)
		return 0;
	if (type == NULL && w->target != NULL)
		type = "symlink";
	if (type == NULL && w->has_sha)
		type = "regular";
	if (!restore_path_ok((const uint8_t *)w->path, w->len)) {
		r = why_dup(&w->why, "restore.sh touches no path that is the root itself or has an "
		    "empty, '.' or '..' component");
	} else if (w->absent) {
		if (dir)
			r = why_dup(&w->why, "a directory that must be absent: restore.sh never removes a "
			    "directory tree; look at what is in it and remove it by hand");
		else
			w->kind = W_ABSENT;
	} else if (type == NULL) {
		if (e != NULL)
			w->kind = W_KEEP;
		else
			r = why_dup(&w->why, "missing, and the standard does not say what it is (no type, "
			    "target or sha256): make it by hand");
	} else if (strcmp(type, "directory") == 0) {
		w->kind = W_DIR;
	} else if (strcmp(type, "symlink") == 0) {
		if (w->target != NULL && dir)
			r = why_dup(&w->why, "a directory is where the standard wants a symlink: move it "
			    "aside by hand");
		else if (w->target != NULL)
			w->kind = W_LINK;
		else if (restore_is_type(e, DRIFT__FILE_TYPE__FILE_TYPE_SYMLINK))
			w->kind = W_KEEP;
		else
			r = why_dup(&w->why, "the standard wants a symlink here but names no target: make "
			    "it by hand");
	} else if (strcmp(type, "regular") == 0) {
		if (!w->has_sha || (reg && e->sha256.len == DIGEST_LEN &&
		    memcmp(e->sha256.data, w->sha, DIGEST_LEN) == 0)) {
			if (reg)
				w->kind = W_KEEP;
			else
				r = why_dup(&w->why, "the standard wants a regular file here and says nothing "
				    "of its content: make it by hand");
		} else {
			if ((r = want_content(pl, w, err)) < 0)
				return r;
			digest_hex(w->sha, DIGEST_LEN, hex);
			if (w->data != NULL && dir)
				r = why_dup(&w->why, "a directory is where the standard wants a file: move it "
				    "aside by hand");
			else if (w->data != NULL)
				w->kind = W_FILE;
			else if (reg) {
				w->kind = W_KEEP;	/* its owner and mode can still be fixed */
				r = no_content(&w->kind_why, hex);
			} else
				r = no_content(&w->why, hex);
		}
	} else if (e != NULL && strcmp(file_type_name(e->type), type) == 0) {
		w->kind = W_KEEP;
	} else {
		/* fifo, socket, char, block: made by what owns them, not by a plan */
		if (asprintf(&w->why, "the standard wants a %s here: the program or package that owns it "
		    "makes it", type) < 0) {
			w->why = NULL;
			r = -1;
		}
	}
	return r < 0 ? nomem(err) : 0;
}

/* --- the findings --- */

/* Words of a package command, kept both as argv and as one quoted line. */
static int
pkg_words(struct restore_item *it, const char *const *words, size_t n)
{
	char *line = NULL;
	size_t len = 0, i;
	FILE *f;

	if ((it->argv = calloc(n, sizeof(*it->argv))) == NULL)
		return DRIFT_ENOMEM;
	for (i = 0; i < n; i++)
		if ((it->argv[it->argc++] = strdup(words[i])) == NULL)
			return DRIFT_ENOMEM;
	if ((f = open_memstream(&line, &len)) == NULL)
		return DRIFT_ENOMEM;
	/* the command and its options are ours; only the last word comes from the standard */
	for (i = 0; i < n; i++) {
		if (i > 0)
			putc(' ', f);
		if (i + 1 < n)
			fputs(words[i], f);
		else
			restore_sh_quote_str(f, words[i]);
	}
	if (fclose(f) != 0) {
		free(line);
		return DRIFT_ENOMEM;
	}
	it->cmd = line;
	return 0;
}

/*
 * The command for a package finding: installed, version (installed at a
 * version the rule refuses) or forbidden. apt-get cannot pick a version
 * below a bound by itself, so that one is left to a person.
 */
static int
pkg_command(struct restore_splan *pl, struct restore_item *it)
{
	const struct package_rule *r = it->pr;
	bool rpm = strcmp(pl->manager, "rpm") == 0;
	const char *w[5] = { rpm ? "dnf" : "apt-get", "install", "-y", r->name, NULL };
	size_t n = 4;
	char *spec = NULL;
	int rc;

	if (strcmp(it->f->check, "forbidden") == 0) {
		w[1] = rpm ? "remove" : "purge";
	} else if (r->op == VOP_ANY) {
		/* as it is */
	} else if (rpm) {
		/* dnf takes a provide with a relation: 'name >= 1.2-3' */
		if (asprintf(&spec, "%s %s %s", r->name, version_op_name(r->op), r->version) < 0)
			return DRIFT_ENOMEM;
		w[3] = spec;
	} else if (r->op == VOP_EQ) {
		if (asprintf(&spec, "%s=%s", r->name, r->version) < 0)
			return DRIFT_ENOMEM;
		w[3] = "--allow-downgrades";
		w[4] = spec;
		n = 5;
	} else if (r->op == VOP_LE || r->op == VOP_LT) {
		it->how = HOW_MANUAL;
		it->why = "apt-get installs the newest version it knows, not one below a bound: pick a "
		    "version from `apt-cache policy NAME`, install it with `apt-get install NAME=VERSION` "
		    "and keep it with `apt-mark hold NAME`";
		return 0;
	}
	/* >= and > with apt-get: the candidate, installed or upgraded to; restore.sh checks it after */
	rc = pkg_words(it, w, n);
	free(spec);
	return rc;
}

static struct restore_want *
want_for(struct restore_splan *pl, const struct finding *f, size_t *idx)
{
	struct restore_want *nv;
	size_t i;

	for (i = pl->nwants; i-- > 0;) {
		if (pl->wants[i].len == f->subject_len && memcmp(pl->wants[i].path, f->subject, f->subject_len) == 0) {
			*idx = i;
			return &pl->wants[i];
		}
	}
	if ((nv = realloc(pl->wants, (pl->nwants + 1) * sizeof(*nv))) == NULL)
		return NULL;
	pl->wants = nv;
	memset(&nv[pl->nwants], 0, sizeof(*nv));
	nv[pl->nwants].path = f->subject;
	nv[pl->nwants].len = f->subject_len;
	*idx = pl->nwants;
	return &nv[pl->nwants++];
}

static int
want_cmp(const void *a, const void *b)
{
	const struct restore_want *x = a, *y = b;

	return path_cmp((const uint8_t *)x->path, x->len, (const uint8_t *)y->path, y->len);
}

/* Every finding of every standard that applies, with its rule and what the plan does about it. */
static int
collect(struct restore_splan *pl, struct drift_error *err)
{
	size_t i, j, k, n = 0;
	int r;

	for (i = 0; i < pl->nstds; i++)
		n += pl->evs[i].n;
	if ((pl->items = calloc(n + 1, sizeof(*pl->items))) == NULL)
		return nomem(err);
	for (i = 0; i < pl->nstds; i++) {
		const struct standard *s = pl->stds[i];

		for (j = 0; j < pl->evs[i].n; j++) {
			struct restore_item *it = &pl->items[pl->nitems++];
			const struct finding *f = &pl->evs[i].v[j];

			it->f = f;
			it->want = SIZE_MAX;
			if (is_package_check(f->check)) {
				for (k = 0; k < s->npackages && it->pr == NULL; k++)
					if (f->origin == &s->packages[k].origin)
						it->pr = &s->packages[k];
			} else {
				for (k = 0; k < s->nfiles && it->fr == NULL; k++)
					if (f->origin == &s->files[k].origin)
						it->fr = &s->files[k];
			}
			if (it->pr == NULL && it->fr == NULL)
				return drift_error_set(err, DRIFT_EINTERNAL, "finding of rule '%s' has no rule", f->rule);
			if (f->status == FINDING_UNEVALUATED) {
				it->how = HOW_UNEVALUATED;
			} else if (it->pr != NULL) {
				it->how = HOW_PACKAGE;
				if (pkg_command(pl, it) < 0)
					return nomem(err);
			} else if (restore_is_content_check(f->check)) {
				it->how = HOW_MANUAL;
				it->why = "drift does not write content it was not given: edit the file by hand";
			} else if (want_for(pl, f, &it->want) == NULL) {
				return nomem(err);
			}
		}
	}
	/* Paths in order, parents before children; the items follow their wants. */
	if (pl->nwants > 1) {
		struct restore_want *old = pl->wants;
		size_t *map;

		for (i = 0; i < pl->nwants; i++)
			old[i].order = i;
		qsort(old, pl->nwants, sizeof(*old), want_cmp);
		if ((map = calloc(pl->nwants, sizeof(*map))) == NULL)
			return nomem(err);
		for (i = 0; i < pl->nwants; i++)
			map[old[i].order] = i;
		for (i = 0; i < pl->nitems; i++)
			if (pl->items[i].want != SIZE_MAX)
				pl->items[i].want = map[pl->items[i].want];
		free(map);
	}
	for (i = 0; i < pl->nwants; i++) {
		struct restore_want *w = &pl->wants[i];

		w->e = find_entry(pl->b, w->path, w->len);
		if ((r = want_merge(pl, w)) < 0)
			return nomem(err);
		if ((r = want_decide(pl, w, err)) < 0)
			return r;
	}
	for (i = 0; i < pl->nitems; i++) {
		struct restore_item *it = &pl->items[i];
		struct restore_want *w;
		bool attr;

		if (it->want == SIZE_MAX)
			continue;
		w = &pl->wants[it->want];
		attr = strcmp(it->f->check, "owner") == 0 || strcmp(it->f->check, "group") == 0 ||
		    strcmp(it->f->check, "mode") == 0 || strcmp(it->f->check, "mode_max") == 0;
		if (w->kind == W_NONE) {
			it->how = HOW_MANUAL;
			it->why = w->why;
		} else if (!attr && w->kind_why != NULL) {
			it->how = HOW_MANUAL;
			it->why = w->kind_why;
		} else {
			it->how = HOW_SCRIPT;
			w->fixes = true;
		}
	}
	return 0;
}

/* --- the plan --- */

static void
splan_release(struct restore_splan *pl)
{
	size_t i, j;

	for (i = 0; i < pl->nitems; i++) {
		free(pl->items[i].cmd);
		for (j = 0; j < pl->items[i].argc; j++)
			free(pl->items[i].argv[j]);
		free(pl->items[i].argv);
	}
	free(pl->items);
	for (i = 0; i < pl->nwants; i++) {
		free(pl->wants[i].why);
		free(pl->wants[i].kind_why);
	}
	free(pl->wants);
	for (i = 0; i < pl->nloaded; i++)
		buf_release(&pl->loaded[i]);
	free(pl->loaded);
	if (pl->evs != NULL)
		for (i = 0; i < pl->nstds; i++)
			evaluation_release(&pl->evs[i]);
	free(pl->evs);
	free(pl->applies);
	if (pl->sh != NULL)
		fclose(pl->sh);
	if (pl->md != NULL)
		fclose(pl->md);
	free(pl->shbuf);
	free(pl->mdbuf);
}

int
restore_plan_standard_write(const struct baseline *b, const char *source,
    struct standard *const *stds, size_t nstds, struct store *store, const char *path,
    struct drift_error *err)
{
	struct restore_splan pl = { .b = b, .source = source, .store = store, .stds = stds, .nstds = nstds };
	struct restore_file *f = NULL;
	uint8_t *enc = NULL;
	size_t enclen, i, nf = 0, napply = 0;
	int r;

	if ((r = restore_check_paths(b, err)) < 0)
		return r;
	if ((pl.evs = calloc(nstds + 1, sizeof(*pl.evs))) == NULL ||
	    (pl.applies = calloc(nstds + 1, sizeof(*pl.applies))) == NULL) {
		r = nomem(err);
		goto out;
	}
	for (i = 0; i < nstds; i++) {
		if (!(pl.applies[i] = standard_applies(stds[i], b->pb)))
			continue;
		napply++;
		if ((r = standard_evaluate(stds[i], b, &pl.evs[i])) < 0) {
			r = nomem(err);
			goto out;
		}
		if (pl.manager == NULL)
			pl.manager = pl.evs[i].manager;
	}
	if (napply == 0) {
		r = drift_error_set(err, DRIFT_EINVAL, "no standard given applies to host '%s' "
		    "(see their applies_to)", b->pb->host_id ? b->pb->host_id : "");
		goto out;
	}
	if ((r = collect(&pl, err)) < 0)
		goto out;
	if ((pl.sh = open_memstream(&pl.shbuf, &pl.shlen)) == NULL ||
	    (pl.md = open_memstream(&pl.mdbuf, &pl.mdlen)) == NULL) {
		r = nomem(err);
		goto out;
	}
	restore_std_write_script(&pl);
	restore_std_write_runbook(&pl);
	if ((r = restore_close_stream(&pl.sh, err)) < 0 || (r = restore_close_stream(&pl.md, err)) < 0)
		goto out;
	if (pl.oom) {
		r = nomem(err);
		goto out;
	}
	if ((r = restore_encode_baseline(b, &enc, &enclen, err)) < 0)
		goto out;
	if ((f = calloc(pl.nwants + 1, sizeof(*f))) == NULL) {
		r = nomem(err);
		goto out;
	}
	for (i = 0; i < pl.nwants; i++)
		if (pl.wants[i].kind == W_FILE && pl.wants[i].fixes)
			f[nf++] = (struct restore_file){ pl.wants[i].sha, pl.wants[i].data, pl.wants[i].dlen };
	r = restore_bundle_write(path, pl.mdbuf, pl.mdlen, pl.shbuf, pl.shlen, enc, enclen, f, nf, err);
out:
	splan_release(&pl);
	free(enc);
	free(f);
	return r;
}
