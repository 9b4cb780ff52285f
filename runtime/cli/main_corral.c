/* corral: an OCI runtime with runc's and crun's command line. */
#include "cli.h"
#include "runtime/cli/cmd_checkpoint.h"
#include "runtime/cli/cmd_events.h"
#include "runtime/cli/cmd_update.h"
#include "runtime/cli/cmd_pause.h"
#include "runtime/cli/cmd_seal.h"
#include "runtime/cli/cmd_features.h"
#include "runtime/cli/cmd_ps.h"
#include "runtime/cli/cmd_exec.h"
#include "runtime/cli/cmd_spec.h"
#include "runtime/cli/cmd_list.h"
#include "runtime/cli/cmd_run.h"
#include "runtime/cli/cmd_lifecycle.h"
#include "runtime/criu.h"
#include "runtime/preserved_fds.h"
#include "runtime/rootless.h"
#include "runtime/sealed_exe.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cliopts.h"

/* has processes in the container: runs from a sealed view */
#define ENTERS 1u
/* answers its own --help (podman reads restore's for its options) */
#define OWN_HELP 2u

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
	unsigned flags;
} commands[] = {
	{ "create", cmd_create, "create a container from a bundle; it waits for start", ENTERS },
	{ "start", cmd_start, "start a created container", 0 },
	{ "run", cmd_run, "create and start a container, and wait for it", ENTERS },
	{ "state", cmd_state, "print the state of a container as JSON", 0 },
	{ "kill", cmd_kill, "send a signal to a container's init (or all its processes)", 0 },
	{ "delete", cmd_delete, "delete a container and everything it holds", 0 },
	{ "list", cmd_list, "list containers", 0 },
	{ "spec", cmd_spec, "write a default config.json", 0 },
	{ "exec", cmd_exec, "run a new process in a running container", ENTERS },
	{ "ps", cmd_ps, "list the processes of a container", 0 },
	{ "features", cmd_features, "print the features this runtime implements (JSON)", 0 },
	{ "pause", cmd_pause, "freeze every process of a container", 0 },
	{ "resume", cmd_resume, "thaw a paused container", 0 },
	{ "update", cmd_update, "change a container's cgroup resources", 0 },
	{ "events", cmd_events, "print a container's stats and OOM events as JSON", 0 },
	{ "checkpoint", cmd_checkpoint, "save a running container's processes with criu", OWN_HELP },
	{ "restore", cmd_restore, "make a container again from a checkpoint", OWN_HELP },
	{ "seal", cmd_seal, "bind a sealed view of this binary (or each PATH) over it; --remove undoes it", 0 },
};

static void usage(bool to_stdout)
{
	FILE *f = to_stdout ? stdout : stderr;
	fprintf(f, "usage: corral [global options] COMMAND [options] [ID]\n\n"
		   "global options:\n"
		   "  --root DIR          state directory (default /run/corral/runtime; rootless,\n"
		   "                      $XDG_RUNTIME_DIR/corral)\n"
		   "  --rootless VALUE    true, false or auto (the default): without root, a cgroup\n"
		   "                      that cannot be made is not an error when no limit needs it\n"
		   "  --log FILE          write logs and errors to FILE\n"
		   "  --log-format FMT    text or json\n"
		   "  --debug             debug logging\n"
		   "  --systemd-cgroup    a transient systemd scope per container (cgroupsPath slice:prefix:name)\n"
		   "  --criu PATH         the criu binary for checkpoint and restore (default criu)\n"
		   "  -v, --version       print the version\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "  %-10s %s\n  %-10s %s\n", "image", "import and manage images (see corral-image(8))",
		"bundle", "build a bundle from an imported image");
}

/* The image verbs live in corral-images beside this binary (see there). */
static int exec_images(char **argv)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 32);
	if (n <= 0) {
		fprintf(stderr, "corral: cannot find my own path: %s\n", strerror(errno));
		return 1;
	}
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	strcpy(slash + 1, "corral-images");
	execv(self, argv);
	fprintf(stderr, "corral: %s: %s\n", self, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	/* before anything of ours is opened */
	preserved_fds_plug(argc, argv);
	int action = criu_action_main(argc); /* criu ran us as a restore's action script */
	if (action >= 0)
		return action;
	log_set_prog("corral");
	struct cli_global g = { 0 };
	int at = cli_parse_global(argc, argv, &g, usage);
	if (at <= 0)
		return at < 0 ? 1 : 0;
	const char *name = argv[at];
	if (streq(name, "image") || streq(name, "bundle"))
		return exec_images(argv);
	size_t cmd = 0;
	while (cmd < ARRAY_SIZE(commands) && !streq(name, commands[cmd].name))
		cmd++;
	if (cmd == ARRAY_SIZE(commands)) {
		fprintf(stderr, "corral: unknown command \"%s\" (see corral --help)\n", name);
		return 1;
	}
	/* as runc's COMMAND --help: what it does; its options are corral(8)'s */
	if (!(commands[cmd].flags & OWN_HELP) && at + 1 < argc && (streq(argv[at + 1], "--help") || streq(argv[at + 1], "-h"))) {
		printf("usage: corral [global options] %s [options] ...\n%s: %s\n(its options: man 8 corral)\n", name, name,
		       commands[cmd].help);
		return 0;
	}
	/* before any other work: the process that runs from the original
	 * binary only starts the sealed one */
	_cleanup_cerr_ cerr err = { 0 };
	if ((commands[cmd].flags & ENTERS) && sealed_exe_ensure(argv, &err) < 0) {
		fprintf(stderr, "corral: %s: %s\n", name, cerr_msg(&err));
		return 1;
	}
	cli.root = g.root ? g.root : rootless_state_root();
	if (g.criu)
		cli.criu = g.criu;
	if (g.rootless ? rootless_parse(g.rootless, &cli.rootless) < 0 : (cli.rootless = rootless_detect(), false)) {
		fprintf(stderr, "corral: --rootless: \"%s\" must be true, false or auto\n", g.rootless);
		return 1;
	}
	cli.systemd_cgroup = g.systemd_cgroup;
	cli.debug = g.debug;
	optind = 1;
	return commands[cmd].fn(argc - at, argv + at);
}
