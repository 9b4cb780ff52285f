#include "cliopts.h"
#include "cleanup.h"
#include "log.h"
#include "common/version.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

int cli_parse_global(int argc, char **argv, struct cli_global *g, void (*usage)(bool to_stdout))
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' }, { "log", required_argument, NULL, 'l' },
		{ "log-format", required_argument, NULL, 'f' }, { "debug", no_argument, NULL, 'd' },
		{ "systemd-cgroup", no_argument, NULL, 's' }, { "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' }, { "criu", required_argument, NULL, 'c' },
		{ "rootless", required_argument, NULL, 'R' }, { NULL, 0, NULL, 0 },
	};
	int c;
	/* "+" stops at the command, so its own options are left for it */
	while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': g->root = optarg; break;
		case 'l':
			if (log_set_file(optarg) < 0) {
				fprintf(stderr, "corral: --log %s: cannot open\n", optarg);
				return -1;
			}
			break;
		case 'f':
			if (!streq(optarg, "text") && !streq(optarg, "json")) {
				fprintf(stderr, "corral: --log-format: \"%s\" must be text or json\n", optarg);
				return -1;
			}
			log_set_json(streq(optarg, "json"));
			break;
		case 'd':
			g->debug = true;
			log_set_level(LOG_LVL_DEBUG);
			break;
		case 's': g->systemd_cgroup = true; break;
		case 'v':
			printf("corral version %s\ncommit: %s\nspec: 1.2.0\n", CORRAL_VERSION, corral_commit);
			return 0;
		case 'h': usage(true); return 0;
		case 'c': g->criu = optarg; break;
		case 'R': g->rootless = optarg; break;
		default: usage(false); return -1;
		}
	}
	if (optind >= argc) {
		usage(false);
		return -1;
	}
	return optind;
}
