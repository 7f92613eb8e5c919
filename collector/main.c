/* SPDX-License-Identifier: MIT */
/* main.c - drift-collector: options; the work is in libcollector. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "collector_config.h"
#include "supervise.h"

#define EXIT_USAGE 2

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: drift-collector [options]\n"
	    "\n"
	    "Receive baselines from drift-agent over HTTPS with client certificates,\n"
	    "and keep them in the store for drift report, drift hosts and the rest.\n"
	    "\n"
	    "options:\n"
	    "  -c, --config FILE      configuration (default %s)\n"
	    "  -t, --check-config     load the configuration, certificates, standards, alert\n"
	    "                         programs and store; print \"configuration ok\" or the\n"
	    "                         error, and exit\n"
	    "      --ready-file FILE  write the collector's pid to FILE once it accepts\n"
	    "                         connections (removed again on exit)\n"
	    "  -w, --workers N        server processes (default: workers in the\n"
	    "                         configuration, else one per core)\n"
	    "  -h, --help             this help\n"
	    "  -V, --version          print the version\n"
	    "\n"
	    "Logs go to stderr, one \"drift-collector: ...\" line each. SIGTERM or SIGINT\n"
	    "stops it after requests under way are answered. Exit status: 0 after a\n"
	    "clean shutdown or a good check, 1 error, 2 usage error.\n"
	    "See drift-collector(8).\n", COLLECTOR_CONFIG_DEFAULT);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 't' },
		{ "ready-file", required_argument, NULL, 'R' },
		{ "workers", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct collector_config cfg;
	struct collector *c = NULL;
	struct drift_error err = { 0 };
	const char *config = COLLECTOR_CONFIG_DEFAULT, *ready_file = NULL;
	unsigned long workers = 0;
	bool check = false;
	char *end;
	int ch, r, rc = EXIT_FAILURE;

	memset(&cfg, 0, sizeof(cfg));
	while ((ch = getopt_long(argc, argv, "c:tw:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 't': check = true; break;
		case 'R': ready_file = optarg; break;
		case 'w':
			errno = 0;
			workers = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || optarg[0] == '-' || workers < 1 ||
			    workers > COLLECTOR_WORKERS_MAX) {
				fprintf(stderr, "drift-collector: --workers '%s': expected a number "
				    "from 1 to %d\n", optarg, COLLECTOR_WORKERS_MAX);
				return EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("drift-collector %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "drift-collector: unexpected argument '%s' (try --help)\n", argv[optind]);
		return EXIT_USAGE;
	}
	if ((r = collector_config_load(&cfg, config, &err)) < 0) {
		if (r == DRIFT_ENOTFOUND)
			fprintf(stderr, "drift-collector: '%s': no such file; write one (see "
			    "drift-collector(8)) or name it with --config\n", config);
		else
			fprintf(stderr, "drift-collector: %s\n", drift_error_message(&err));
		goto out;
	}
	if (collector_open(&cfg, (unsigned)workers, check, &c, &err) < 0) {
		fprintf(stderr, "drift-collector: %s\n", drift_error_message(&err));
		goto out;
	}
	if (check) {
		printf("configuration ok\n");
		rc = 0;
		goto out;
	}
	rc = supervise_run(c, ready_file);
out:
	collector_close(c);
	collector_config_release(&cfg);
	return rc;
}
