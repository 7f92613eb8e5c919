/* SPDX-License-Identifier: MIT */
/* walk.c - finding every entry under the configured paths, without following or blocking. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "drift.pb-c.h"
#include "entry.h"
#include "glob.h"

#define WALK_MAX_DEPTH 512
#define WALK_MAX_PATH 65536

/* --- entry list --- */

void
wlist_init(struct wlist *l)
{
	l->blocks = NULL;
	l->nblocks = 0;
	l->n = 0;
	arena_init(&l->arena);
}

void
wlist_release(struct wlist *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		free(wlist_at(l, i)->content);
	for (i = 0; i < l->nblocks; i++)
		free(l->blocks[i]);
	free(l->blocks);
	arena_release(&l->arena);
	l->blocks = NULL;
	l->nblocks = l->n = 0;
}

struct wentry *
wlist_push(struct wlist *l)
{
	struct wentry *e;

	if (l->n == l->nblocks * WLIST_BLOCK) {
		struct wentry **nb = realloc(l->blocks, (l->nblocks + 1) * sizeof(*nb));

		if (nb == NULL)
			return NULL;
		l->blocks = nb;
		if ((nb[l->nblocks] = malloc(WLIST_BLOCK * sizeof(struct wentry))) == NULL)
			return NULL;
		l->nblocks++;
	}
	e = wlist_at(l, l->n++);
	memset(e, 0, sizeof(*e));
	return e;
}

/* --- uid/gid names --- */

struct idname {
	uint32_t id;
	char *name;
};

struct idmap {
	bool live;		/* ask NSS instead of the files */
	struct idname *users, *groups;
	size_t nusers, ngroups, capusers, capgroups;
};

static int
idmap_add(struct idname **v, size_t *n, size_t *cap, uint32_t id, const char *name, size_t len)
{
	char *copy;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct idname *nv = realloc(*v, ncap * sizeof(*nv));

		if (nv == NULL)
			return DRIFT_ENOMEM;
		*v = nv;
		*cap = ncap;
	}
	/* name NULL remembers that the id has no name (NSS is not asked twice) */
	if (name == NULL)
		copy = NULL;
	else if ((copy = strndup(name, len)) == NULL)
		return DRIFT_ENOMEM;
	(*v)[*n].id = id;
	(*v)[*n].name = copy;
	(*n)++;
	return 0;
}

static const struct idname *
idmap_find(const struct idname *v, size_t n, uint32_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].id == id)
			return &v[i];
	return NULL;
}

/* Parse name:x:id:... lines of a passwd or group file; bad lines are skipped. */
static int
idmap_load(const char *path, struct idname **v, size_t *n, size_t *cap)
{
	struct buf b = BUF_INIT(64 << 20);
	char *line, *next;
	int fd, r = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) < 0)
		return 0;	/* no such file: ids stay numeric */
	r = buf_read_fd(&b, fd);
	close(fd);
	if (r < 0 || b.data == NULL) {
		buf_release(&b);
		return r == DRIFT_ENOMEM ? r : 0;
	}
	for (line = b.data; line != NULL && *line != '\0'; line = next) {
		char *c1, *c2, *c3, *end;
		unsigned long id;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((c1 = strchr(line, ':')) == NULL || (c2 = strchr(c1 + 1, ':')) == NULL)
			continue;
		c3 = strchr(c2 + 1, ':');
		if (c3 != NULL)
			*c3 = '\0';
		errno = 0;
		id = strtoul(c2 + 1, &end, 10);
		if (errno != 0 || end == c2 + 1 || *end != '\0' || id > UINT32_MAX || c1 == line)
			continue;
		if (idmap_find(*v, *n, (uint32_t)id) != NULL)
			continue;	/* first entry wins, as in getpwuid */
		if ((r = idmap_add(v, n, cap, (uint32_t)id, line, (size_t)(c1 - line))) < 0)
			break;
	}
	buf_release(&b);
	return r;
}

int
idmap_new(const char *root, struct idmap **out)
{
	struct idmap *m = calloc(1, sizeof(*m));
	char path[4096];
	int r;

	if (m == NULL)
		return DRIFT_ENOMEM;
	m->live = strcmp(root, "/") == 0;
	if (!m->live) {
		snprintf(path, sizeof(path), "%s/etc/passwd", root);
		if ((r = idmap_load(path, &m->users, &m->nusers, &m->capusers)) < 0)
			goto fail;
		snprintf(path, sizeof(path), "%s/etc/group", root);
		if ((r = idmap_load(path, &m->groups, &m->ngroups, &m->capgroups)) < 0)
			goto fail;
	}
	*out = m;
	return 0;
fail:
	idmap_free(m);
	return r;
}

const char *
idmap_user(struct idmap *m, uint32_t uid)
{
	const struct idname *known = idmap_find(m->users, m->nusers, uid);
	struct passwd pw, *res = NULL;
	char tmp[4096];

	if (known != NULL || !m->live)
		return known ? known->name : NULL;
	if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) != 0 || res == NULL)
		res = NULL;
	if (idmap_add(&m->users, &m->nusers, &m->capusers, uid, res ? pw.pw_name : NULL,
	    res ? strlen(pw.pw_name) : 0) < 0)
		return NULL;
	return m->users[m->nusers - 1].name;
}

const char *
idmap_group(struct idmap *m, uint32_t gid)
{
	const struct idname *known = idmap_find(m->groups, m->ngroups, gid);
	struct group gr, *res = NULL;
	char tmp[16384];

	if (known != NULL || !m->live)
		return known ? known->name : NULL;
	if (getgrgid_r(gid, &gr, tmp, sizeof(tmp), &res) != 0 || res == NULL)
		res = NULL;
	if (idmap_add(&m->groups, &m->ngroups, &m->capgroups, gid, res ? gr.gr_name : NULL,
	    res ? strlen(gr.gr_name) : 0) < 0)
		return NULL;
	return m->groups[m->ngroups - 1].name;
}

void
idmap_free(struct idmap *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nusers; i++)
		free(m->users[i].name);
	for (i = 0; i < m->ngroups; i++)
		free(m->groups[i].name);
	free(m->users);
	free(m->groups);
	free(m);
}

/* --- the walk --- */

struct walker {
	const struct walk_options *o;
	struct wlist *out;
	struct buf path;	/* recorded path of the current entry */
	dev_t topdev;
	size_t since_progress;
};

static uint8_t
type_of(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return DRIFT__FILE_TYPE__FILE_TYPE_REGULAR;
	case S_IFDIR: return DRIFT__FILE_TYPE__FILE_TYPE_DIRECTORY;
	case S_IFLNK: return DRIFT__FILE_TYPE__FILE_TYPE_SYMLINK;
	case S_IFIFO: return DRIFT__FILE_TYPE__FILE_TYPE_FIFO;
	case S_IFSOCK: return DRIFT__FILE_TYPE__FILE_TYPE_SOCKET;
	case S_IFCHR: return DRIFT__FILE_TYPE__FILE_TYPE_CHAR;
	case S_IFBLK: return DRIFT__FILE_TYPE__FILE_TYPE_BLOCK;
	}
	return DRIFT__FILE_TYPE__FILE_TYPE_UNKNOWN;
}

static bool
any_match(const struct strlist *globs, const char *path, size_t len)
{
	size_t i;

	for (i = 0; i < globs->n; i++)
		if (glob_match(globs->v[i], path, len))
			return true;
	return false;
}

/* Secrets whose content is never kept, whatever the configuration says. */
static const char *const builtin_never_capture[] = {
	"/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-",
	"/etc/shadow*", "/etc/gshadow*", "**/*.key", "/etc/ssh/ssh_host_*_key",
	"/etc/ssl/private/**",
};

static bool
capture_wanted(const struct agent_config *cfg, const char *path, size_t len)
{
	size_t i;

	if (!any_match(&cfg->capture, path, len))
		return false;
	if (any_match(&cfg->never_capture, path, len))
		return false;
	for (i = 0; i < sizeof(builtin_never_capture) / sizeof(builtin_never_capture[0]); i++)
		if (glob_match(builtin_never_capture[i], path, len))
			return false;
	return true;
}

static void
fill_stat(struct walker *w, struct wentry *e, const struct stat *st)
{
	e->type = type_of(st->st_mode);
	e->mode = st->st_mode & 07777;
	e->uid = st->st_uid;
	e->gid = st->st_gid;
	/* Resolve now so NSS is asked during the walk, not while encoding. */
	idmap_user(w->o->ids, st->st_uid);
	idmap_group(w->o->ids, st->st_gid);
	/* A directory's size is filesystem bookkeeping, not content. */
	e->size = S_ISDIR(st->st_mode) ? 0 : (uint64_t)st->st_size;
	e->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	e->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
	e->ino = st->st_ino;
	e->dev = st->st_dev;
	e->nlink = (uint32_t)st->st_nlink;
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		e->rdev = st->st_rdev;
}

static const char *
arena_error(struct wlist *l, const char *what, int errnum)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%s: %s", what, strerror(errnum));
	return arena_strndup(&l->arena, msg, strlen(msg));
}

/*
 * Record the entry named `name` in directory dirfd, whose recorded path is
 * already in w->path; descend if it is a directory we may enter.
 */
static int walk_dir(struct walker *w, int dirfd, int depth);

static int
record(struct walker *w, int dirfd, const char *name, int depth)
{
	const struct agent_config *cfg = w->o->cfg;
	struct wentry *e;
	struct stat st;
	int fd, r;

	if (w->path.len > WALK_MAX_PATH)
		return 0;
	if (any_match(&cfg->exclude, w->path.data, w->path.len))
		return 0;
	if ((e = wlist_push(w->out)) == NULL)
		return DRIFT_ENOMEM;
	if ((e->path = arena_strndup(&w->out->arena, w->path.data, w->path.len)) == NULL)
		return DRIFT_ENOMEM;
	e->pathlen = (uint32_t)w->path.len;
	if (w->o->progress != NULL && ++w->since_progress >= 4096) {
		w->since_progress = 0;
		w->o->progress(w->o->progress_ctx, w->out->n);
	}
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		e->error = errno == ENOENT ? "vanished while walking" : arena_error(w->out, "cannot stat", errno);
		return 0;
	}
	fill_stat(w, e, &st);
	if (S_ISLNK(st.st_mode)) {
		size_t cap = st.st_size > 0 && st.st_size < WALK_MAX_PATH ? (size_t)st.st_size + 1 : 4096;
		char *t = arena_alloc(&w->out->arena, cap);
		ssize_t n;

		if (t == NULL)
			return DRIFT_ENOMEM;
		if ((n = readlinkat(dirfd, name, t, cap)) < 0) {
			e->error = arena_error(w->out, "cannot read link", errno);
		} else if ((size_t)n >= cap) {
			e->error = "symlink target changed while reading";
		} else {
			t[n] = '\0';
			e->target = t;
			e->targetlen = (uint32_t)n;
		}
		return 0;
	}
	if (S_ISREG(st.st_mode)) {
		e->capture = (uint64_t)st.st_size <= cfg->capture_max &&
		    capture_wanted(cfg, w->path.data, w->path.len);
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return 0;	/* fifos, sockets, devices: recorded, never opened */
	if (st.st_dev != w->topdev && !cfg->cross_mounts)
		return 0;	/* a mount point: recorded, not entered */
	if (depth >= WALK_MAX_DEPTH) {
		e->error = "nested too deep; not descended";
		return 0;
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		e->error = errno == ENOENT ? "vanished while walking" : arena_error(w->out, "cannot open directory", errno);
		return 0;
	}
	r = walk_dir(w, fd, depth + 1);	/* closes fd */
	if (r == 1) {
		e->error = "cannot list directory";
		r = 0;
	}
	return r;
}

/* Returns 0, 1 when the directory could not be listed, or DRIFT_E*. */
static int
walk_dir(struct walker *w, int fd, int depth)
{
	size_t base = w->path.len;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 1;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0)
				r = 1;
			break;
		}
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		w->path.len = base;
		if (!(base == 1 && w->path.data[0] == '/') && (r = buf_addch(&w->path, '/')) < 0)
			break;
		if ((r = buf_addstr(&w->path, de->d_name)) < 0)
			break;
		if ((r = record(w, dirfd(d), de->d_name, depth)) < 0)
			break;
	}
	w->path.len = base;
	if (w->path.data != NULL)
		w->path.data[base] = '\0';
	closedir(d);
	return r;
}

/*
 * Open the parent directory of a configured path under rootfd one component
 * at a time, never following a symlink, so "/etc" inside a --root image can
 * never lead outside it. Returns the parent fd, the last component in *last.
 */
static int
open_parent(int rootfd, char *rel, char **last)
{
	char *slash, *comp = rel;
	int fd = dup(rootfd);

	if (fd < 0)
		return -1;
	while ((slash = strchr(comp, '/')) != NULL) {
		int next;

		*slash = '\0';
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		*slash = '/';
		close(fd);
		if (next < 0)
			return -1;
		fd = next;
		comp = slash + 1;
	}
	*last = comp;
	return fd;
}

int
walk_paths(const struct walk_options *o, struct wlist *out, struct drift_error *err)
{
	struct walker w = { .o = o, .out = out };
	const struct strlist *paths = &o->cfg->paths;
	int rootfd, r = 0;
	size_t i;

	buf_init(&w.path, WALK_MAX_PATH + 4096);
	rootfd = open(o->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return drift_error_errno(err, errno, "cannot open root '%s'", o->root);
	for (i = 0; i < paths->n; i++) {
		const char *p = paths->v[i];
		char *rel = NULL, *last;
		struct stat st;
		int pfd;

		/* A path inside one already walked would repeat its entries. */
		{
			size_t j, plen = strlen(p);
			bool nested = false;

			for (j = 0; j < i; j++) {
				size_t qlen = strlen(paths->v[j]);

				if ((qlen == plen && memcmp(paths->v[j], p, plen) == 0) ||
				    (qlen < plen && memcmp(paths->v[j], p, qlen) == 0 &&
				    (p[qlen] == '/' || qlen == 1)))
					nested = true;
			}
			if (nested)
				continue;
		}
		buf_reset(&w.path);
		if ((r = buf_addstr(&w.path, p)) < 0)
			break;
		if (strcmp(p, "/") == 0) {
			if (fstat(rootfd, &st) < 0)
				continue;
			w.topdev = st.st_dev;
			/* record "/" itself, then its children */
			if ((r = record(&w, rootfd, ".", 0)) < 0)
				break;
			continue;
		}
		if ((rel = strdup(p + 1)) == NULL) {
			r = DRIFT_ENOMEM;
			break;
		}
		pfd = open_parent(rootfd, rel, &last);
		if (pfd < 0 || fstatat(pfd, last, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (o->missing != NULL)
				o->missing(o->progress_ctx, p);
			if (pfd >= 0)
				close(pfd);
			free(rel);
			continue;
		}
		w.topdev = st.st_dev;
		r = record(&w, pfd, last, 0);
		close(pfd);
		free(rel);
		if (r < 0)
			break;
	}
	close(rootfd);
	buf_release(&w.path);
	if (r < 0)
		return drift_error_set(err, r, "walking: %s", drift_strerror(r));
	return 0;
}
