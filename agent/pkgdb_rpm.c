/* SPDX-License-Identifier: MIT */
/* pkgdb_rpm.c - the rpm backend: the rpm database read through librpm. */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rpm/header.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmts.h>

#include "error.h"
#include "pkgdb.h"

/*
 * Where distributions keep the database, newest layout first: Fedora 36+,
 * openSUSE and RHEL 10 use /usr/lib/sysimage/rpm (often with /var/lib/rpm
 * a symlink to it, which under a root other than "/" may point outside
 * it), older ones /var/lib/rpm.
 */
#define RPM_DBPATH_NEW	"/usr/lib/sysimage/rpm"
#define RPM_DBPATH_OLD	"/var/lib/rpm"
static const char *const dbpaths[] = { RPM_DBPATH_NEW, RPM_DBPATH_OLD, NULL };
/* The files that make a directory a database: sqlite, ndb, Berkeley DB. */
static const char *const dbfiles[] = { "rpmdb.sqlite", "Packages.db", "Packages", NULL };

/*
 * librpm keeps its configuration and macros in process-wide state and is
 * not thread-safe: every use goes through this lock.
 */
static pthread_mutex_t rpm_lock = PTHREAD_MUTEX_INITIALIZER;
static bool rpm_configured;

/* The first rpm log error of a read, kept for the message instead of printed. */
struct rpm_log {
	char msg[512];
	bool failed;
};

static int
rpm_log_cb(rpmlogRec rec, rpmlogCallbackData data)
{
	struct rpm_log *log = data;
	size_t len;

	if (rpmlogRecPriority(rec) > RPMLOG_ERR)
		return RPMLOG_DEFAULT;
	if (!log->failed) {
		snprintf(log->msg, sizeof(log->msg), "%s", rpmlogRecMessage(rec));
		len = strlen(log->msg);
		while (len > 0 && log->msg[len - 1] == '\n')
			log->msg[--len] = '\0';
		log->failed = true;
	}
	return 0;
}

/* The database directory under root, relative to it, or NULL when there is none. */
static const char *
rpm_dbpath(const char *root)
{
	size_t i, j;

	for (i = 0; dbpaths[i] != NULL; i++) {
		for (j = 0; dbfiles[j] != NULL; j++) {
			char *dir = pkgdb_path(root, dbpaths[i]), *path;
			struct stat st;
			bool ok;

			if (dir == NULL)
				return NULL;
			path = malloc(strlen(dir) + strlen(dbfiles[j]) + 2);
			if (path != NULL)
				sprintf(path, "%s/%s", dir, dbfiles[j]);
			ok = path != NULL && stat(path, &st) == 0 && S_ISREG(st.st_mode);
			free(path);
			free(dir);
			if (ok)
				return dbpaths[i];
		}
	}
	return NULL;
}

static bool
rpm_present(const char *root)
{
	return rpm_dbpath(root) != NULL;
}

/* "EPOCH:VERSION-RELEASE", the epoch only when the header has one, as rpm -q prints it. */
static char *
rpm_evr(Header h)
{
	const char *v = headerGetString(h, RPMTAG_VERSION);
	const char *r = headerGetString(h, RPMTAG_RELEASE);
	char epoch[24] = "";
	size_t len;
	char *evr;

	if (headerIsEntry(h, RPMTAG_EPOCH))
		snprintf(epoch, sizeof(epoch), "%llu:",
		    (unsigned long long)headerGetNumber(h, RPMTAG_EPOCH));
	v = v ? v : "";
	r = r ? r : "";
	len = strlen(epoch) + strlen(v) + 1 + strlen(r) + 1;
	if ((evr = malloc(len)) != NULL)
		snprintf(evr, len, "%s%s-%s", epoch, v, r);
	return evr;
}

static int
rpm_read_locked(const char *root, const char *dir, struct pkglist *out,
    struct rpm_log *log, struct drift_error *err)
{
	rpmdbMatchIterator mi = NULL;
	rpmts ts = NULL;
	Header h;
	int r;

	if ((ts = rpmtsCreate()) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "'%s': out of memory", dir);
		goto out;
	}
	if (rpmtsSetRootDir(ts, root) != 0) {
		r = drift_error_set(err, DRIFT_EINVAL,
		    "'%s': rpm refuses it as a root directory (it must be absolute)",
		    root);
		goto out;
	}
	if (rpmtsOpenDB(ts, O_RDONLY) != 0) {
		r = drift_error_set(err, DRIFT_EIO, "'%s': cannot open rpm database: %s",
		    dir, log->failed ? log->msg : "unknown error");
		goto out;
	}
	if ((mi = rpmtsInitIterator(ts, RPMDBI_PACKAGES, NULL, 0)) == NULL) {
		/* No iterator without an error logged means an empty database. */
		r = log->failed ? drift_error_set(err, DRIFT_EIO,
		    "'%s': cannot read rpm database: %s", dir, log->msg) : 0;
		goto out;
	}
	while ((h = rpmdbNextIterator(mi)) != NULL) {
		const char *name = headerGetString(h, RPMTAG_NAME);
		const char *arch = headerGetString(h, RPMTAG_ARCH);
		char *evr = rpm_evr(h);

		r = evr == NULL ? DRIFT_ENOMEM :
		    pkglist_add(out, "rpm", name, evr, arch, "installed");
		free(evr);
		if (r < 0) {
			r = drift_error_set(err, r, "'%s': out of memory", dir);
			goto out;
		}
	}
	/* rpm skips a damaged header after logging; a partial list would be false drift. */
	if (log->failed) {
		r = drift_error_set(err, DRIFT_EIO, "'%s': cannot read rpm database: %s",
		    dir, log->msg);
		goto out;
	}
	r = 0;
out:
	rpmdbFreeIterator(mi);
	if (ts != NULL) {
		rpmtsCloseDB(ts);
		rpmtsFree(ts);
	}
	return r;
}

static int
rpm_read(const char *root, struct pkglist *out, struct drift_error *err)
{
	struct rpm_log log = { "", false };
	rpmlogCallback oldcb;
	const char *dbpath;
	size_t n0 = out->n;
	char *dir = NULL;
	int r;

	pthread_mutex_lock(&rpm_lock);
	oldcb = rpmlogSetCallback(rpm_log_cb, &log);
	if (!rpm_configured) {
		if (rpmReadConfigFiles(NULL, NULL) != 0) {
			r = drift_error_set(err, DRIFT_ECONFIG,
			    "cannot read rpm configuration: %s",
			    log.failed ? log.msg : "unknown error");
			goto out;
		}
		rpm_configured = true;
	}
	/*
	 * Look before opening, so that a root without a database is an error
	 * here rather than something librpm might try to initialise.
	 */
	if ((dbpath = rpm_dbpath(root)) == NULL) {
		dir = pkgdb_path(root, RPM_DBPATH_OLD);
		r = drift_error_set(err, DRIFT_ENOTFOUND,
		    "'%s': no rpm database (no rpmdb.sqlite, Packages.db or "
		    "Packages there nor in %s)", dir != NULL ? dir : root,
		    RPM_DBPATH_NEW);
		goto out;
	}
	if ((dir = pkgdb_path(root, dbpath)) == NULL) {
		r = drift_error_set(err, DRIFT_ENOMEM, "out of memory");
		goto out;
	}
	/*
	 * The configured %_dbpath is not the host's database everywhere:
	 * Debian's rpm points it at ~/.rpmdb. Say which one, for this read only.
	 */
	rpmPushMacro(NULL, "_dbpath", NULL, dbpath, RMIL_CMDLINE);
	r = rpm_read_locked(root, dir, out, &log, err);
	rpmPopMacro(NULL, "_dbpath");
out:
	rpmlogSetCallback(oldcb, NULL);
	pthread_mutex_unlock(&rpm_lock);
	if (r < 0)
		pkglist_truncate(out, n0);
	free(dir);
	return r;
}

const struct pkgdb_ops pkgdb_rpm_ops = {
	.name = "rpm",
	.present = rpm_present,
	.read = rpm_read,
};
