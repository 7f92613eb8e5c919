/* SPDX-License-Identifier: MIT */
/* standard.c - drift standard: compare two versions of a standard, or write one from a known-good baseline. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "standard.h"
#include "stddiff.h"
#include "stdgen.h"

/* drift standard diff: monitoring-style, like drift check. */
#define DIFF_UNKNOWN 3

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: drift standard diff OLD NEW [--format text|json|markdown]\n"
	    "       drift standard from-baseline BASELINE [--paths GLOB]... [--hashes]\n"
	    "                                    [--name NAME] [--output FILE]\n"
	    "\n"
	    "Work with standards (drift-standard(5)). Run 'drift standard COMMAND --help'\n"
	    "for the options of one.\n"
	    "\n"
	    "  diff           which requirements two versions of a standard tighten,\n"
	    "                 loosen or change, for auditors\n"
	    "  from-baseline  write a standard that holds hosts to a known-good baseline\n");
}

static void
diff_usage(FILE *f)
{
	fprintf(f,
	    "usage: drift standard diff OLD NEW [--format text|json|markdown]\n"
	    "\n"
	    "Compare two versions of a standard (includes resolved): file rules matched\n"
	    "by path, package rules by name. Each change says whether it tightens the\n"
	    "standard (a new rule or check, fewer mode bits, a higher minimum version,\n"
	    "a raised severity, a wider applies_to), loosens it (the reverse), or only\n"
	    "changes it (a different owner, hash or target; a required package made\n"
	    "forbidden; a new description).\n"
	    "\n"
	    "  -f, --format FMT   text (default: grouped by direction), json, or markdown\n"
	    "                     (a table to paste into an audit report)\n"
	    "  -h, --help         this help\n"
	    "\n"
	    "Exit status: 0 no differences, 1 differences, 3 a standard could not be\n"
	    "loaded (or a usage error).\n");
}

static void
gen_usage(FILE *f)
{
	fprintf(f,
	    "usage: drift standard from-baseline BASELINE [--paths GLOB]... [--hashes]\n"
	    "                                    [--name NAME] [--output FILE]\n"
	    "\n"
	    "Write a standard from a known-good baseline: every installed package\n"
	    "required at its installed version or later, and every file matching the\n"
	    "globs held to its owner, group and mode (type for non-regular files,\n"
	    "target for symlinks). Paths YAML cannot carry exactly (not UTF-8, control\n"
	    "characters) are left out with a comment and counted on stderr.\n"
	    "\n"
	    "  -p, --paths GLOB   files to cover (repeatable; default /etc/**)\n"
	    "  -H, --hashes       also require each regular file's SHA-256\n"
	    "  -n, --name NAME    the standard's name (default baseline-HOST)\n"
	    "  -o, --output FILE  write to FILE (replaced atomically) instead of stdout\n"
	    "  -h, --help         this help\n"
	    "\n"
	    "Exit status: 0 written, 2 the baseline could not be read or the output\n"
	    "not written.\n");
}

static int
load(const char *path, struct standard **out)
{
	struct drift_error err = { 0 };

	if (standard_load(path, out, &err) < 0) {
		fprintf(stderr, "drift: %s\n", drift_error_message(&err));
		return -1;
	}
	return 0;
}

static int
standard_diff(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct stddiff_format *fmt = stddiff_format_find("text");
	struct standard *a = NULL, *b = NULL;
	struct stddiff d = { 0 };
	int c, rc = DIFF_UNKNOWN;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((fmt = stddiff_format_find(optarg)) == NULL) {
				fprintf(stderr, "drift: --format '%s': expected text, json or markdown\n",
				    optarg);
				return DIFF_UNKNOWN;
			}
			break;
		case 'h':
			diff_usage(stdout);
			return 0;
		default:
			diff_usage(stderr);
			return DIFF_UNKNOWN;
		}
	}
	if (argc - optind != 2) {
		diff_usage(stderr);
		return DIFF_UNKNOWN;
	}
	if (load(argv[optind], &a) < 0 || load(argv[optind + 1], &b) < 0)
		goto out;
	if (stddiff_compare(a, b, &d) < 0) {
		fprintf(stderr, "drift: standard diff: out of memory\n");
		goto out;
	}
	if (fmt->render(stdout, &d) < 0) {
		fprintf(stderr, "drift: standard diff: cannot write the output\n");
		goto out;
	}
	rc = d.n > 0 ? 1 : 0;
out:
	stddiff_release(&d);
	standard_free(a);
	standard_free(b);
	return rc;
}

/* Replace path with data: a temporary file in the same directory, renamed over it. */
static int
write_atomic(const char *path, const char *data, size_t len)
{
	size_t plen = strlen(path), off = 0;
	char *tmp = malloc(plen + 8);
	mode_t mask;
	ssize_t n;
	int fd = -1, r = -1;

	if (tmp == NULL) {
		fprintf(stderr, "drift: '%s': out of memory\n", path);
		return -1;
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".XXXXXX", 8);
	if ((fd = mkstemp(tmp)) < 0) {
		fprintf(stderr, "drift: '%s': cannot create a temporary file beside it: %s\n",
		    path, strerror(errno));
		goto out;
	}
	/* mkstemp makes 0600; a standard is no secret: what open(2) would give */
	mask = umask(0);
	umask(mask);
	while (off < len) {
		if ((n = write(fd, data + off, len - off)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		off += (size_t)n;
	}
	if (off < len || fchmod(fd, 0666 & ~mask) < 0 || fsync(fd) < 0 || close(fd) < 0) {
		fprintf(stderr, "drift: '%s': cannot write: %s\n", tmp, strerror(errno));
		fd = -1;
		unlink(tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		fprintf(stderr, "drift: '%s': cannot rename to '%s': %s\n", tmp, path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	r = 0;
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	return r;
}

static int
standard_from_baseline(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "paths", required_argument, NULL, 'p' },
		{ "hashes", no_argument, NULL, 'H' },
		{ "name", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct stdgen_options o = { 0 };
	struct stdgen_stats st = { 0, 0, 0 };
	struct buf out = BUF_INIT(STDGEN_MAX);
	const char **paths = NULL, **np;
	const char *output = NULL;
	struct baseline *b = NULL;
	int c, r, rc = CLI_EXIT_ERROR;

	while ((c = getopt_long(argc, argv, "p:Hn:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (optarg[0] != '/' && optarg[0] != '*') {
				fprintf(stderr, "drift: --paths '%s': expected an absolute path or a "
				    "glob such as /etc/** or **/*.conf\n", optarg);
				goto out;
			}
			if ((np = reallocarray(paths, o.npaths + 1, sizeof(*paths))) == NULL) {
				fprintf(stderr, "drift: from-baseline: out of memory\n");
				goto out;
			}
			paths = np;
			paths[o.npaths++] = optarg;
			break;
		case 'H':
			o.hashes = true;
			break;
		case 'n':
			if (optarg[0] == '\0' || !stdgen_yaml_safe(optarg, strlen(optarg))) {
				fprintf(stderr, "drift: --name: expected a non-empty UTF-8 name "
				    "without control characters\n");
				goto out;
			}
			o.name = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			gen_usage(stdout);
			rc = 0;
			goto out;
		default:
			gen_usage(stderr);
			goto out;
		}
	}
	if (argc - optind != 1) {
		gen_usage(stderr);
		goto out;
	}
	o.paths = paths;
	o.source = argv[optind];
	o.now = time(NULL);
	if (cli_load_baseline(argv[optind], &b) < 0)
		goto out;
	if ((r = stdgen_write(&out, b, &o, &st)) < 0) {
		if (r == DRIFT_ETOOBIG)
			fprintf(stderr, "drift: from-baseline: the standard would be larger than "
			    "%zu MiB, more than drift loads; narrow it with --paths\n",
			    STDGEN_MAX >> 20);
		else
			fprintf(stderr, "drift: from-baseline: %s\n", drift_strerror(r));
		goto out;
	}
	if (output != NULL) {
		if (write_atomic(output, out.data, out.len) < 0)
			goto out;
	} else if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
		fprintf(stderr, "drift: from-baseline: cannot write the output: %s\n", strerror(errno));
		goto out;
	}
	if (st.skipped > 0)
		fprintf(stderr, "drift: from-baseline: left out %zu path%s or package name%s that "
		    "are not valid UTF-8 or hold control characters (see the comments)\n",
		    st.skipped, st.skipped == 1 ? "" : "s", st.skipped == 1 ? "" : "s");
	rc = 0;
out:
	buf_release(&out);
	baseline_free(b);
	free(paths);
	return rc;
}

int
cmd_standard(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_ERROR;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "diff") == 0)
		return standard_diff(argc - 1, argv + 1);
	if (strcmp(argv[1], "from-baseline") == 0)
		return standard_from_baseline(argc - 1, argv + 1);
	fprintf(stderr, "drift: standard: unknown command '%s' (expected diff or from-baseline)\n",
	    argv[1]);
	return CLI_EXIT_ERROR;
}
