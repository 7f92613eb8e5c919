/* SPDX-License-Identifier: MIT */
/* main.c - drift-agent: options and subcommands; the work is in libagent. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "send.h"
#include "snapshot.h"
#include "spool.h"

#define EXIT_USAGE 2

static void
usage_snapshot(FILE *f)
{
	fprintf(f,
	    "usage: drift-agent snapshot [options]\n"
	    "\n"
	    "Record every file under the configured paths (type, permissions, owner,\n"
	    "size, mtime, SHA-256, symlink target), the content of captured config\n"
	    "files, and the dpkg/rpm package state, into a bundle.\n"
	    "\n"
	    "options:\n"
	    "  -c, --config FILE    configuration (default %s; built-in\n"
	    "                       defaults when that file does not exist)\n"
	    "  -r, --root DIR       scan DIR as if it were / (images, backups, tests);\n"
	    "                       owners come from DIR/etc/passwd and DIR/etc/group\n"
	    "  -p, --path PATH      walk PATH instead of the configured paths (repeatable)\n"
	    "  -x, --exclude GLOB   also leave out paths matching GLOB (repeatable)\n"
	    "  -o, --output FILE    write the bundle to FILE, or - for stdout\n"
	    "  -j, --jobs N         hashing threads (default: one per core)\n"
	    "  -n, --nice           run gently: idle I/O class, lowest CPU priority\n"
	    "      --host-id ID     record ID as the host id\n"
	    "      --cross-mounts   descend into other filesystems below the paths\n"
	    "  -q, --quiet          no progress, no summary\n"
	    "  -h, --help           this help\n"
	    "\n"
	    "Exit status: 0 written (entries that could not be read are recorded\n"
	    "with the reason), 1 error, 2 usage error.\n"
	    "See drift-agent(8).\n", AGENT_CONFIG_DEFAULT);
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: drift-agent COMMAND [options]\n"
	    "\n"
	    "commands:\n"
	    "  snapshot     record this host (or --root DIR) into a bundle\n"
	    "  run          snapshot into the spool and send the spool to the collector\n"
	    "\n"
	    "Run 'drift-agent COMMAND --help' for a command's options.\n"
	    "  -h, --help       this help\n"
	    "  -V, --version    print the version\n");
}

/* Idle I/O class and nice 19: the agent must never slow a customer's server. */
static void
be_gentle(void)
{
#ifdef SYS_ioprio_set
	/* IOPRIO_WHO_PROCESS = 1, IOPRIO_CLASS_IDLE = 3, class shift 13 */
	if (syscall(SYS_ioprio_set, 1, 0, 3 << 13) < 0)
		fprintf(stderr, "drift-agent: warning: cannot use the idle I/O class: %s\n", strerror(errno));
#endif
	if (setpriority(PRIO_PROCESS, 0, 19) < 0)
		fprintf(stderr, "drift-agent: warning: cannot lower CPU priority: %s\n", strerror(errno));
}

static int
load_config(struct agent_config *cfg, const char *path)
{
	struct drift_error err = { 0 };
	int r;

	if ((r = agent_config_defaults(cfg)) < 0) {
		fprintf(stderr, "drift-agent: %s\n", drift_strerror(r));
		return r;
	}
	r = agent_config_load(cfg, path != NULL ? path : AGENT_CONFIG_DEFAULT, &err);
	if (r == DRIFT_ENOTFOUND && path == NULL)
		return 0;	/* no file: the documented defaults */
	if (r < 0) {
		if (r == DRIFT_ENOTFOUND)
			fprintf(stderr, "drift-agent: '%s': no such file\n", path);
		else
			fprintf(stderr, "drift-agent: %s\n", drift_error_message(&err));
		return r;
	}
	return 0;
}

/* What snapshot and run share: where to look, how, and how gently. */
struct scan_opts {
	const char *config, *root, *host_id;
	struct strlist paths, excludes;
	bool nice_mode, quiet, cross;
	unsigned jobs;
};

#define SCAN_SHORTOPTS "c:r:p:x:j:nqh"
#define SCAN_LONGOPTS \
	{ "config", required_argument, NULL, 'c' }, \
	{ "root", required_argument, NULL, 'r' }, \
	{ "path", required_argument, NULL, 'p' }, \
	{ "exclude", required_argument, NULL, 'x' }, \
	{ "jobs", required_argument, NULL, 'j' }, \
	{ "nice", no_argument, NULL, 'n' }, \
	{ "host-id", required_argument, NULL, 'H' }, \
	{ "cross-mounts", no_argument, NULL, 'M' }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "help", no_argument, NULL, 'h' }

static void
scan_opts_release(struct scan_opts *o)
{
	strlist_clear(&o->paths);
	strlist_clear(&o->excludes);
}

/* -1: not a shared option; 0: taken; otherwise the exit status to stop with. */
static int
scan_option(struct scan_opts *o, int c, const char *arg)
{
	unsigned long jobs;
	char *end;

	switch (c) {
	case 'c': o->config = arg; return 0;
	case 'r': o->root = arg; return 0;
	case 'p':
		if (arg[0] != '/') {
			fprintf(stderr, "drift-agent: --path '%s': must be absolute (as seen on the host)\n", arg);
			return EXIT_USAGE;
		}
		return strlist_push(&o->paths, arg) < 0 ? EXIT_FAILURE : 0;
	case 'x':
		return strlist_push(&o->excludes, arg) < 0 ? EXIT_FAILURE : 0;
	case 'j':
		errno = 0;
		jobs = strtoul(arg, &end, 10);
		if (errno != 0 || *end != '\0' || jobs < 1 || jobs > 256) {
			fprintf(stderr, "drift-agent: --jobs '%s': expected a number from 1 to 256\n", arg);
			return EXIT_USAGE;
		}
		o->jobs = (unsigned)jobs;
		return 0;
	case 'n': o->nice_mode = true; return 0;
	case 'H': o->host_id = arg; return 0;
	case 'M': o->cross = true; return 0;
	case 'q': o->quiet = true; return 0;
	default: return -1;
	}
}

/* Check --root, load the configuration and lay the options over it; 0 or an exit status. */
static int
scan_setup(struct scan_opts *o, struct agent_config *cfg)
{
	struct stat rst;
	size_t i;

	if (stat(o->root, &rst) < 0 || !S_ISDIR(rst.st_mode)) {
		fprintf(stderr, "drift-agent: --root '%s': %s\n", o->root,
		    errno ? strerror(errno) : "not a directory");
		return EXIT_FAILURE;
	}
	if (load_config(cfg, o->config) < 0)
		return EXIT_FAILURE;
	if (o->paths.n > 0) {
		strlist_clear(&cfg->paths);
		cfg->paths = o->paths;
		o->paths.v = NULL;
		o->paths.n = 0;
	}
	for (i = 0; i < o->excludes.n; i++)
		if (strlist_push(&cfg->exclude, o->excludes.v[i]) < 0)
			return EXIT_FAILURE;
	if (o->cross)
		cfg->cross_mounts = true;
	if (o->host_id != NULL) {
		free(cfg->host_id);
		if ((cfg->host_id = strdup(o->host_id)) == NULL)
			return EXIT_FAILURE;
	}
	if (o->nice_mode)
		be_gentle();
	return 0;
}

/*
 * The host id when neither --host-id nor host_id is set: the common name
 * of tls.cert (the collector accepts baselines only for that name), else
 * the hostname (left to the snapshot). With need_cert, a certificate that
 * cannot be read is an error; otherwise a warning.
 */
static int
default_host_id(struct agent_config *cfg, bool need_cert)
{
	struct drift_error err = { 0 };
	char *cn;

	if (cfg->host_id != NULL || cfg->tls_cert == NULL)
		return 0;
	if (send_cert_name(cfg->tls_cert, &cn, &err) < 0) {
		if (need_cert) {
			fprintf(stderr, "drift-agent: tls.cert: %s\n", drift_error_message(&err));
			return EXIT_FAILURE;
		}
		fprintf(stderr, "drift-agent: warning: tls.cert: %s; using the hostname as the host id\n",
		    drift_error_message(&err));
		return 0;
	}
	cfg->host_id = cn;
	return 0;
}

static int
take_snapshot(const struct scan_opts *o, const struct agent_config *cfg, struct snapshot **out)
{
	struct snapshot_options so = { 0 };
	struct drift_error err = { 0 };

	so.root = o->root;
	so.cfg = cfg;
	so.jobs = o->jobs;
	so.progress = !o->quiet && isatty(STDERR_FILENO);
	if (snapshot_take(&so, out, &err) < 0) {
		fprintf(stderr, "drift-agent: %s\n", drift_error_message(&err));
		return EXIT_FAILURE;
	}
	return 0;
}

static void
print_snapshot_stats(const struct snapshot *snap)
{
	struct snapshot_stats st;

	snapshot_get_stats(snap, &st);
	fprintf(stderr, "drift-agent: %zu entries (%zu files hashed, %llu MiB; %zu contents kept), "
	    "%zu packages\n", st.entries, st.regular,
	    (unsigned long long)(st.bytes_hashed >> 20), st.captured, st.packages);
	if (st.errors)
		fprintf(stderr, "drift-agent: %zu entries could not be fully read; each is recorded with the reason "
		    "(see 'drift show')\n", st.errors);
}

static int
cmd_snapshot(int argc, char **argv)
{
	static const struct option opts[] = {
		SCAN_LONGOPTS,
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct scan_opts o = { .root = "/" };
	struct agent_config cfg = { 0 };
	struct snapshot *snap = NULL;
	struct drift_error err = { 0 };
	const char *output = NULL;
	int c, rc = EXIT_FAILURE;

	while ((c = getopt_long(argc, argv, SCAN_SHORTOPTS "o:", opts, NULL)) != -1) {
		if ((rc = scan_option(&o, c, optarg)) >= 0) {
			if (rc > 0)
				goto out;
			continue;
		}
		switch (c) {
		case 'o': output = optarg; break;
		case 'h': usage_snapshot(stdout); rc = 0; goto out;
		default: usage_snapshot(stderr); rc = EXIT_USAGE; goto out;
		}
	}
	rc = EXIT_USAGE;
	if (optind < argc) {
		fprintf(stderr, "drift-agent: snapshot: unexpected argument '%s'\n", argv[optind]);
		goto out;
	}
	if (output == NULL) {
		if (isatty(STDOUT_FILENO)) {
			fprintf(stderr, "drift-agent: snapshot: refusing to write a binary bundle to a terminal; "
			    "use --output FILE (or --output - to pipe it)\n");
			goto out;
		}
		output = "-";
	}
	if ((rc = scan_setup(&o, &cfg)) != 0 || (rc = default_host_id(&cfg, false)) != 0 ||
	    (rc = take_snapshot(&o, &cfg, &snap)) != 0)
		goto out;
	rc = EXIT_FAILURE;
	if (snapshot_write_bundle(snap, output, &err) < 0) {
		fprintf(stderr, "drift-agent: '%s': %s\n", output, drift_error_message(&err));
		goto out;
	}
	if (!o.quiet)
		print_snapshot_stats(snap);
	rc = 0;
out:
	snapshot_free(snap);
	agent_config_release(&cfg);
	scan_opts_release(&o);
	return rc;
}

static void
log_line(void *ctx, const char *msg)
{
	fprintf(stderr, "drift-agent: %s\n", msg);
}

static int
write_snapshot(void *ctx, const char *path, struct drift_error *err)
{
	return snapshot_write_bundle(ctx, path, err);
}

/* Every setting run cannot do without, named when missing. */
static int
check_run_config(const struct agent_config *cfg, const char *config)
{
	const char *missing = cfg->collector == NULL ? "collector" :
	    cfg->tls_ca == NULL ? "tls.ca" : cfg->tls_cert == NULL ? "tls.cert" :
	    cfg->tls_key == NULL ? "tls.key" : NULL;

	if (missing == NULL)
		return 0;
	fprintf(stderr, "drift-agent: '%s': '%s' is not set; run needs collector, tls.ca, tls.cert "
	    "and tls.key to reach the collector (see drift-agent(8))\n",
	    config != NULL ? config : AGENT_CONFIG_DEFAULT, missing);
	return EXIT_FAILURE;
}

/* Snapshot into the spool; an error is reported and leaves the spool as it was. */
static int
spool_snapshot(const struct scan_opts *o, const struct agent_config *cfg, struct spool *sp,
    struct snapshot_stats *st)
{
	struct snapshot *snap = NULL;
	struct drift_error err = { 0 };
	struct timespec ts;
	int rc;

	/* read before the snapshot's own clock, so names sort as taken_at does */
	clock_gettime(CLOCK_REALTIME, &ts);
	if ((rc = take_snapshot(o, cfg, &snap)) != 0)
		goto out;
	if (spool_add(sp, (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec, write_snapshot, snap,
	    NULL, &err) < 0) {
		fprintf(stderr, "drift-agent: spool '%s': %s\n", spool_dir(sp), drift_error_message(&err));
		rc = EXIT_FAILURE;
		goto out;
	}
	snapshot_get_stats(snap, st);
	rc = 0;
out:
	snapshot_free(snap);
	return rc;
}

struct flush_stats {
	size_t stored, unchanged, refused, left;
	bool transient, failed;
	char why[1024];		/* why sending stopped early */
};

/*
 * Send the spool oldest first: acknowledged bundles are removed, refused
 * ones moved to refused/ (the queue goes on), and the first transient
 * failure or local error stops the flush with the bundle kept.
 */
static void
flush_spool(const struct agent_config *cfg, struct spool *sp, struct flush_stats *fs)
{
	struct send_options so = { 0 };
	struct strlist names = { 0 };
	struct drift_error err = { 0 };
	struct send_result res;
	struct send *s = NULL;
	uint64_t size;
	size_t i;
	int fd;

	so.collector = cfg->collector;
	so.ca = cfg->tls_ca;
	so.cert = cfg->tls_cert;
	so.key = cfg->tls_key;
	if (spool_list(sp, &names, &err) < 0 || send_new(&s, &so, &err) < 0) {
		fs->failed = true;
		snprintf(fs->why, sizeof(fs->why), "%s", drift_error_message(&err));
		goto out;
	}
	for (i = 0; i < names.n; i++) {
		const char *name = names.v[i];

		if (spool_open_bundle(sp, name, &fd, &size, &err) < 0) {
			fprintf(stderr, "drift-agent: %s\n", drift_error_message(&err));
			fs->failed = true;
			continue;
		}
		if (send_bundle(s, fd, size, &res, &err) < 0) {
			close(fd);
			fs->failed = true;
			snprintf(fs->why, sizeof(fs->why), "%s", drift_error_message(&err));
			break;
		}
		close(fd);
		if (res.outcome == SEND_TRANSIENT) {
			fs->transient = true;
			snprintf(fs->why, sizeof(fs->why), "%s", res.reason);
			break;
		}
		if (res.outcome == SEND_REFUSED) {
			fs->refused++;
			fprintf(stderr, "drift-agent: the collector refused '%s/%s' (HTTP %ld): %s; "
			    "moved to '%s/" SPOOL_REFUSED_DIR "/', the queue goes on\n",
			    spool_dir(sp), name, res.http_status, res.reason, spool_dir(sp));
			if (spool_refuse(sp, name, &err) < 0) {
				fprintf(stderr, "drift-agent: %s\n", drift_error_message(&err));
				fs->failed = true;
				snprintf(fs->why, sizeof(fs->why), "%s", drift_error_message(&err));
				break;
			}
			continue;
		}
		if (strcmp(res.status, "stored") == 0)
			fs->stored++;
		else
			fs->unchanged++;
		if (spool_remove(sp, name, &err) < 0) {
			/* the collector has it; sending it again is harmless ("unchanged") */
			fprintf(stderr, "drift-agent: %s\n", drift_error_message(&err));
			fs->failed = true;
		}
	}
out:
	strlist_clear(&names);
	if (spool_list(sp, &names, &err) == 0)
		fs->left = names.n;
	strlist_clear(&names);
	send_free(s);
}

static void
usage_run(FILE *f)
{
	fprintf(f,
	    "usage: drift-agent run [options]\n"
	    "\n"
	    "Take a snapshot into the spool, then send every spooled bundle to the\n"
	    "collector, oldest first. Bundles the collector cannot take now stay in\n"
	    "the spool for the next run; bundles it refuses are moved to\n"
	    "SPOOL/refused/. Meant for the systemd timer.\n"
	    "\n"
	    "options:\n"
	    "  -c, --config FILE    configuration (default %s);\n"
	    "                       collector, tls.ca, tls.cert and tls.key must be set\n"
	    "  -r, --root DIR       scan DIR as if it were /\n"
	    "  -p, --path PATH      walk PATH instead of the configured paths (repeatable)\n"
	    "  -x, --exclude GLOB   also leave out paths matching GLOB (repeatable)\n"
	    "  -j, --jobs N         hashing threads (default: one per core)\n"
	    "  -n, --nice           run gently: idle I/O class, lowest CPU priority\n"
	    "      --host-id ID     record ID as the host id (default: host_id, else\n"
	    "                       the CN of tls.cert, else the hostname)\n"
	    "      --cross-mounts   descend into other filesystems below the paths\n"
	    "      --no-snapshot    only send what is already in the spool\n"
	    "  -q, --quiet          no progress, no summary when all went well\n"
	    "  -h, --help           this help\n"
	    "\n"
	    "Exit status: 0 everything sent was acknowledged and the spool is empty;\n"
	    "75 the collector could not be reached or was busy, bundles wait in the\n"
	    "spool; 1 an error (a bundle refused, the snapshot or spool failed).\n"
	    "See drift-agent(8).\n", AGENT_CONFIG_DEFAULT);
}

static int
cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		SCAN_LONGOPTS,
		{ "no-snapshot", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	struct scan_opts o = { .root = "/" };
	struct agent_config cfg = { 0 };
	struct flush_stats fs = { 0 };
	struct drift_error err = { 0 };
	struct spool *sp = NULL;
	struct snapshot_stats st = { 0 };
	bool no_snapshot = false, snap_failed = false;
	char what[256];
	int c, rc = EXIT_FAILURE;

	while ((c = getopt_long(argc, argv, SCAN_SHORTOPTS, opts, NULL)) != -1) {
		if ((rc = scan_option(&o, c, optarg)) >= 0) {
			if (rc > 0)
				goto out;
			continue;
		}
		switch (c) {
		case 'S': no_snapshot = true; break;
		case 'h': usage_run(stdout); rc = 0; goto out;
		default: usage_run(stderr); rc = EXIT_USAGE; goto out;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "drift-agent: run: unexpected argument '%s'\n", argv[optind]);
		rc = EXIT_USAGE;
		goto out;
	}
	if ((rc = scan_setup(&o, &cfg)) != 0 || (rc = check_run_config(&cfg, o.config)) != 0 ||
	    (!no_snapshot && (rc = default_host_id(&cfg, true)) != 0))
		goto out;
	rc = EXIT_FAILURE;
	if (spool_open(&sp, cfg.spool_dir, cfg.spool_max, log_line, NULL, &err) < 0) {
		fprintf(stderr, "drift-agent: %s\n", drift_error_message(&err));
		goto out;
	}
	/* a failed snapshot still lets the older bundles go out */
	if (!no_snapshot && spool_snapshot(&o, &cfg, sp, &st) != 0)
		snap_failed = true;
	flush_spool(&cfg, sp, &fs);
	if (snap_failed || fs.failed || fs.refused > 0)
		rc = EXIT_FAILURE;
	else if (fs.transient || fs.left > 0)
		rc = EX_TEMPFAIL;
	else
		rc = 0;
	what[0] = '\0';
	if (snap_failed)
		snprintf(what, sizeof(what), "no snapshot spooled; ");
	else if (!no_snapshot)
		snprintf(what, sizeof(what), "snapshot of %zu entries and %zu packages spooled%s; ",
		    st.entries, st.packages, st.errors ? " (some entries could not be fully read, "
		    "each is recorded with the reason)" : "");
	if (rc != 0 || !o.quiet)
		fprintf(stderr, "drift-agent: run: %s%zu sent (%zu stored, %zu unchanged), %zu refused, "
		    "%zu waiting in the spool '%s'%s%s\n", what,
		    fs.stored + fs.unchanged, fs.stored, fs.unchanged, fs.refused, fs.left, cfg.spool_dir,
		    fs.why[0] == '\0' ? "" : fs.transient ? "; will retry on the next run: " : "; stopped: ",
		    fs.why);
out:
	spool_free(sp);
	agent_config_release(&cfg);
	scan_opts_release(&o);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("drift-agent %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "snapshot") == 0)
		return cmd_snapshot(argc - 1, argv + 1);
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	fprintf(stderr, "drift-agent: unknown command '%s' (try 'drift-agent --help')\n", argv[1]);
	return EXIT_USAGE;
}
