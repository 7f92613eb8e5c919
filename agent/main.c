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
#include <unistd.h>

#include "snapshot.h"

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

static int
cmd_snapshot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "root", required_argument, NULL, 'r' },
		{ "path", required_argument, NULL, 'p' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "nice", no_argument, NULL, 'n' },
		{ "host-id", required_argument, NULL, 'H' },
		{ "cross-mounts", no_argument, NULL, 'M' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct agent_config cfg = { 0 };
	struct strlist paths = { 0 }, excludes = { 0 };
	struct snapshot_options so = { 0 };
	struct snapshot *snap = NULL;
	struct drift_error err = { 0 };
	struct snapshot_stats st;
	const char *config = NULL, *root = "/", *output = NULL, *host_id = NULL;
	bool nice_mode = false, quiet = false, cross = false;
	unsigned long jobs = 0;
	struct stat rst;
	int c, rc = EXIT_FAILURE;
	size_t i;

	while ((c = getopt_long(argc, argv, "c:r:p:x:o:j:nqh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'r': root = optarg; break;
		case 'p':
		case 'x':
			if (optarg[0] != '/' && c == 'p') {
				fprintf(stderr, "drift-agent: --path '%s': must be absolute (as seen on the host)\n", optarg);
				rc = EXIT_USAGE;
				goto out;
			}
			if (strlist_push(c == 'p' ? &paths : &excludes, optarg) < 0)
				goto out;
			break;
		case 'o': output = optarg; break;
		case 'j': {
			char *end;

			errno = 0;
			jobs = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || jobs < 1 || jobs > 256) {
				fprintf(stderr, "drift-agent: --jobs '%s': expected a number from 1 to 256\n", optarg);
				rc = EXIT_USAGE;
				goto out;
			}
			break;
		}
		case 'n': nice_mode = true; break;
		case 'H': host_id = optarg; break;
		case 'M': cross = true; break;
		case 'q': quiet = true; break;
		case 'h': usage_snapshot(stdout); rc = 0; goto out;
		default: usage_snapshot(stderr); rc = EXIT_USAGE; goto out;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "drift-agent: snapshot: unexpected argument '%s'\n", argv[optind]);
		rc = EXIT_USAGE;
		goto out;
	}
	if (output == NULL) {
		if (isatty(STDOUT_FILENO)) {
			fprintf(stderr, "drift-agent: snapshot: refusing to write a binary bundle to a terminal; "
			    "use --output FILE (or --output - to pipe it)\n");
			rc = EXIT_USAGE;
			goto out;
		}
		output = "-";
	}
	if (stat(root, &rst) < 0 || !S_ISDIR(rst.st_mode)) {
		fprintf(stderr, "drift-agent: --root '%s': %s\n", root,
		    errno ? strerror(errno) : "not a directory");
		goto out;
	}
	if (load_config(&cfg, config) < 0)
		goto out;
	if (paths.n > 0) {
		strlist_clear(&cfg.paths);
		cfg.paths = paths;
		paths.v = NULL;
		paths.n = 0;
	}
	for (i = 0; i < excludes.n; i++)
		if (strlist_push(&cfg.exclude, excludes.v[i]) < 0)
			goto out;
	if (cross)
		cfg.cross_mounts = true;
	if (nice_mode)
		be_gentle();
	so.root = root;
	so.cfg = &cfg;
	so.jobs = (unsigned)jobs;
	so.progress = !quiet && isatty(STDERR_FILENO);
	so.host_id = host_id;
	if (snapshot_take(&so, &snap, &err) < 0) {
		fprintf(stderr, "drift-agent: %s\n", drift_error_message(&err));
		goto out;
	}
	if (snapshot_write_bundle(snap, output, &err) < 0) {
		fprintf(stderr, "drift-agent: '%s': %s\n", output, drift_error_message(&err));
		goto out;
	}
	snapshot_get_stats(snap, &st);
	if (!quiet)
		fprintf(stderr, "drift-agent: %zu entries (%zu files hashed, %llu MiB; %zu contents kept), "
		    "%zu packages\n", st.entries, st.regular,
		    (unsigned long long)(st.bytes_hashed >> 20), st.captured, st.packages);
	if (!quiet && st.errors)
		fprintf(stderr, "drift-agent: %zu entries could not be fully read; each is recorded with the reason "
		    "(see 'drift show')\n", st.errors);
	rc = 0;
out:
	snapshot_free(snap);
	agent_config_release(&cfg);
	strlist_clear(&paths);
	strlist_clear(&excludes);
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
	fprintf(stderr, "drift-agent: unknown command '%s' (try 'drift-agent --help')\n", argv[1]);
	return EXIT_USAGE;
}
