/* corral: an OCI runtime with runc's and crun's command line. */
#include "cli.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if __has_include("images/cli.h")
#include "images/cli.h"
#define HAVE_IMAGES 1
#endif

struct cli cli = { .root = "/run/corral/runtime" };

int cli_fail(cerr *err, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	log_error("%s: %s", what, cerr_msg(err));
	cerr_clear(err);
	return 1;
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{ "create", cmd_create, "create a container from a bundle; it waits for start" },
	{ "start", cmd_start, "start a created container" },
	{ "run", cmd_run, "create and start a container, and wait for it" },
	{ "state", cmd_state, "print the state of a container as JSON" },
	{ "kill", cmd_kill, "send a signal to a container's init (or all its processes)" },
	{ "delete", cmd_delete, "delete a container and everything it holds" },
	{ "list", cmd_list, "list containers" },
	{ "spec", cmd_spec, "write a default config.json" },
	{ "pause", cmd_pause, "freeze every process of a container" },
	{ "resume", cmd_resume, "thaw a paused container" },
	{ "update", cmd_update, "change a container's cgroup resources" },
	{ "events", cmd_events, "print a container's stats and OOM events as JSON" },
#ifdef HAVE_IMAGES
	{ "image", corral_cmd_image, "import and manage images (see corral-image(8))" },
	{ "bundle", corral_cmd_bundle, "build a bundle from an imported image" },
#endif
};

static void usage(FILE *f)
{
	fprintf(f, "usage: corral [global options] COMMAND [options] [ID]\n\n"
		   "global options:\n"
		   "  --root DIR          state directory (default /run/corral/runtime)\n"
		   "  --log FILE          write logs and errors to FILE\n"
		   "  --log-format FMT    text or json\n"
		   "  --debug             debug logging\n"
		   "  --systemd-cgroup    read linux.cgroupsPath as slice:prefix:name\n"
		   "  -v, --version       print the version\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv)
{
	log_set_prog("corral");
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
		case 'r': cli.root = optarg; break;
		case 'l':
			if (log_set_file(optarg) < 0) {
				fprintf(stderr, "corral: --log %s: cannot open\n", optarg);
				return 1;
			}
			break;
		case 'f':
			if (!streq(optarg, "text") && !streq(optarg, "json")) {
				fprintf(stderr, "corral: --log-format: \"%s\" must be text or json\n", optarg);
				return 1;
			}
			log_set_json(streq(optarg, "json"));
			break;
		case 'd':
			cli.debug = true;
			log_set_level(LOG_LVL_DEBUG);
			break;
		case 's': cli.systemd_cgroup = true; break;
		case 'v':
			printf("corral version %s\ncommit: %s\nspec: 1.2.0\n", CORRAL_VERSION, CORRAL_COMMIT);
			return 0;
		case 'h': usage(stdout); return 0;
		case 'c':
		case 'R': break; /* accepted for compatibility with engines */
		default: usage(stderr); return 1;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	const char *name = argv[optind];
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (streq(name, commands[i].name)) {
			int sub_argc = argc - optind;
			char **sub_argv = argv + optind;
			optind = 1;
			return commands[i].fn(sub_argc, sub_argv);
		}
	fprintf(stderr, "corral: unknown command \"%s\" (see corral --help)\n", name);
	return 1;
}
