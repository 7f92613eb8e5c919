/* SPDX-License-Identifier: MIT */
/* ca.c - drift ca: create the collector's CA and issue host and server certificates. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca.h"
#include "cli.h"

#define CA_EXIT_FAILED 1
#define CA_EXIT_USAGE 2

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: drift ca init [--dir DIR] [--days N]\n"
	    "       drift ca issue NAME [--dir DIR] [--server] [--days N] [--force]\n"
	    "\n"
	    "The collector's certificate authority. 'init' creates it; 'issue' gives a\n"
	    "host (or the collector) a certificate and key signed by it.\n"
	    "Run 'drift ca init --help' or 'drift ca issue --help' for details.\n"
	    "\n"
	    "Exit status: 0 written, 1 refused or failed (nothing written), 2 usage error.\n");
}

static void
usage_init(FILE *f)
{
	fprintf(f,
	    "usage: drift ca init [--dir DIR] [--days N]\n"
	    "\n"
	    "Create a new CA: DIR/ca.pem (the certificate every agent and the collector\n"
	    "trust) and DIR/ca.key (its EC P-256 private key, mode 0600). DIR is created\n"
	    "(mode 0700) if missing. A DIR that already holds a CA is refused: a new CA\n"
	    "would orphan every certificate the old one issued.\n"
	    "\n"
	    "  -d, --dir DIR    the CA directory (default %s)\n"
	    "  -n, --days N     validity in days (default %d, at most %d)\n"
	    "  -h, --help       this help\n"
	    "\n"
	    "Exit status: 0 written, 1 refused or failed (nothing written), 2 usage error.\n",
	    CA_DEFAULT_DIR, CA_DAYS_DEFAULT, CA_DAYS_MAX);
}

static void
usage_issue(FILE *f)
{
	fprintf(f,
	    "usage: drift ca issue NAME [--dir DIR] [--server] [--days N] [--force]\n"
	    "\n"
	    "Issue DIR/NAME.pem and DIR/NAME.key (EC P-256, mode 0600), signed by the CA\n"
	    "in DIR. The certificate's name (CN) is NAME: for a host, its host_id, the\n"
	    "only host it may send baselines for. NAME is 1 to %d letters, digits, '.',\n"
	    "'_' or '-', not starting with '.' or '-'.\n"
	    "\n"
	    "  -d, --dir DIR    the CA directory (default %s)\n"
	    "  -s, --server     a TLS server certificate (the collector's), with NAME as\n"
	    "                   its DNS name, or IP address when NAME is an IPv4 address;\n"
	    "                   without it, a client certificate for host NAME\n"
	    "  -n, --days N     validity in days (default %d; never beyond the CA's own)\n"
	    "  -f, --force      replace an existing NAME.pem and NAME.key (the old\n"
	    "                   certificate stays valid until it expires)\n"
	    "  -h, --help       this help\n"
	    "\n"
	    "Exit status: 0 written, 1 refused or failed (nothing written), 2 usage error.\n",
	    CA_CN_MAX, CA_DEFAULT_DIR, CA_LEAF_DAYS_DEFAULT);
}

/* --days N: a whole number from 1 to CA_DAYS_MAX. */
static int
parse_days(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 || v < 1 || v > CA_DAYS_MAX) {
		fprintf(stderr, "drift: --days '%s': expected a whole number of days from 1 to %d\n",
		    s, CA_DAYS_MAX);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int
ca_cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "days", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct drift_error err = { 0 };
	const char *dir = CA_DEFAULT_DIR;
	int c, days = CA_DAYS_DEFAULT;

	while ((c = getopt_long(argc, argv, "d:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'n':
			if (parse_days(optarg, &days) < 0)
				return CA_EXIT_USAGE;
			break;
		case 'h':
			usage_init(stdout);
			return 0;
		default:
			usage_init(stderr);
			return CA_EXIT_USAGE;
		}
	}
	if (argc - optind != 0) {
		usage_init(stderr);
		return CA_EXIT_USAGE;
	}
	if (ca_init(dir, days, &err) < 0) {
		fprintf(stderr, "drift: ca init: %s\n", drift_error_message(&err));
		return CA_EXIT_FAILED;
	}
	printf("created a CA in '%s': ca.pem (certificate, for every agent and the collector) "
	    "and ca.key (private key, keep it there), valid %d days\n", dir, days);
	return 0;
}

static int
ca_cmd_issue(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "server", no_argument, NULL, 's' },
		{ "days", required_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct drift_error err = { 0 };
	const char *dir = CA_DEFAULT_DIR, *name;
	unsigned flags = 0;
	int c, days = CA_LEAF_DAYS_DEFAULT;

	while ((c = getopt_long(argc, argv, "d:sn:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 's':
			flags |= CA_ISSUE_SERVER;
			break;
		case 'n':
			if (parse_days(optarg, &days) < 0)
				return CA_EXIT_USAGE;
			break;
		case 'f':
			flags |= CA_ISSUE_FORCE;
			break;
		case 'h':
			usage_issue(stdout);
			return 0;
		default:
			usage_issue(stderr);
			return CA_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		usage_issue(stderr);
		return CA_EXIT_USAGE;
	}
	name = argv[optind];
	if (!ca_name_valid(name)) {
		fprintf(stderr, "drift: ca issue: '%s': not a valid name (1 to %d letters, digits, "
		    "'.', '_' or '-', not starting with '.' or '-')\n", name, CA_CN_MAX);
		return CA_EXIT_USAGE;
	}
	if (ca_issue(dir, name, flags, days, &err) < 0) {
		fprintf(stderr, "drift: ca issue: %s\n", drift_error_message(&err));
		return CA_EXIT_FAILED;
	}
	printf("wrote '%s/%s.pem' and '%s/%s.key': %s certificate for '%s', valid %d days\n",
	    dir, name, dir, name, (flags & CA_ISSUE_SERVER) ? "server" : "client", name, days);
	return 0;
}

int
cmd_ca(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CA_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "init") == 0)
		return ca_cmd_init(argc - 1, argv + 1);
	if (strcmp(argv[1], "issue") == 0)
		return ca_cmd_issue(argc - 1, argv + 1);
	fprintf(stderr, "drift: ca: unknown subcommand '%s' (expected init or issue)\n", argv[1]);
	return CA_EXIT_USAGE;
}
