/* corral create | start | state | kill | delete */
#include "cli.h"
#include "common/signals.h"
#include "runtime/cli/cmd_lifecycle.h"
#include "runtime/container.h"
#include "runtime/lifecycle.h"
#include "runtime/create.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <getopt.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int want_id(int argc, char **argv, const char *cmd, int extra_max)
{
	if (optind >= argc) {
		fprintf(stderr, "corral: %s: missing container id\n", cmd);
		return -1;
	}
	if (argc - optind - 1 > extra_max) {
		fprintf(stderr, "corral: %s: unexpected argument \"%s\"\n", cmd, argv[optind + 1 + extra_max]);
		return -1;
	}
	return 0;
}

/* Options shared by create and run. */
int parse_create_opts(int argc, char **argv, struct create_opts *o, bool *detach, bool *keep, char bundle[PATH_MAX])
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' }, { "console-socket", required_argument, NULL, 'c' },
		{ "pid-file", required_argument, NULL, 'p' }, { "no-pivot", no_argument, NULL, 'P' },
		{ "preserve-fds", required_argument, NULL, 'f' }, { "detach", no_argument, NULL, 'd' },
		{ "keep", no_argument, NULL, 'k' }, { "no-new-keyring", no_argument, NULL, 'K' },
		{ "no-subreaper", no_argument, NULL, 'S' }, { NULL, 0, NULL, 0 },
	};
	const char *b = ".";
	int c;
	while ((c = getopt_long(argc, argv, "b:d", opts, NULL)) != -1) {
		switch (c) {
		case 'b': b = optarg; break;
		case 'c': o->console_socket = optarg; break;
		case 'p': o->pid_file = optarg; break;
		case 'P': o->no_pivot = true; break;
		case 'f': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 0 || n > 1024) {
				fprintf(stderr, "corral: --preserve-fds: \"%s\" is not a count\n", optarg);
				return -1;
			}
			o->preserve_fds = (int)n;
			break;
		}
		case 'd': if (detach) *detach = true; break;
		case 'k': if (keep) *keep = true; break;
		case 'K':
		case 'S': break;
		default: return -1;
		}
	}
	if (!realpath(b, bundle)) {
		fprintf(stderr, "corral: --bundle %s: %s\n", b, strerror(errno));
		return -1;
	}
	o->bundle = bundle;
	o->root = cli.root;
	o->systemd_cgroup = cli.systemd_cgroup;
	o->rootless = cli.rootless;
	/* systemd socket activation: pass LISTEN_FDS through, as runc does */
	const char *lf = getenv("LISTEN_FDS");
	if (lf && atoi(lf) > 0) {
		o->listen_fds = atoi(lf);
		if (o->listen_fds > o->preserve_fds)
			o->preserve_fds = o->listen_fds;
	}
	return 0;
}

int cmd_create(int argc, char **argv)
{
	struct create_opts o = { 0 };
	char bundle[PATH_MAX];
	if (parse_create_opts(argc, argv, &o, NULL, NULL, bundle) < 0 || want_id(argc, argv, "create", 0) < 0)
		return 1;
	o.id = argv[optind];
	struct container c;
	cerr err = { 0 };
	if (container_create(&o, &c, &err) < 0)
		return cli_fail(&err, "create %s", o.id);
	container_release(&c);
	return 0;
}

int cmd_start(int argc, char **argv)
{
	if (getopt(argc, argv, "") != -1 || want_id(argc, argv, "start", 0) < 0)
		return 1;
	cerr err = { 0 };
	if (container_start(cli.root, argv[optind], &err) < 0)
		return cli_fail(&err, "start %s", argv[optind]);
	return 0;
}

int cmd_state(int argc, char **argv)
{
	if (getopt(argc, argv, "") != -1 || want_id(argc, argv, "state", 0) < 0)
		return 1;
	cerr err = { 0 };
	_cleanup_state_ struct rt_state *s = NULL;
	if (state_load(cli.root, argv[optind], &s, &err) < 0)
		return cli_fail(&err, "state %s", argv[optind]);
	_cleanup_free_ char *j = state_to_json(s, state_status(cli.root, s), true);
	if (!j)
		return 1;
	printf("%s\n", j);
	return 0;
}

int cmd_kill(int argc, char **argv)
{
	static const struct option opts[] = { { "all", no_argument, NULL, 'a' }, { NULL, 0, NULL, 0 } };
	bool all = false;
	int c;
	while ((c = getopt_long(argc, argv, "a", opts, NULL)) != -1) {
		if (c != 'a')
			return 1;
		all = true;
	}
	if (want_id(argc, argv, "kill", 1) < 0)
		return 1;
	const char *id = argv[optind];
	int sig = SIGTERM;
	if (optind + 1 < argc && (sig = signal_parse(argv[optind + 1])) < 0) {
		fprintf(stderr, "corral: kill %s: unknown signal \"%s\"\n", id, argv[optind + 1]);
		return 1;
	}
	cerr err = { 0 };
	if (container_kill(cli.root, id, sig, all, &err) < 0)
		return cli_fail(&err, "kill %s", id);
	return 0;
}

int cmd_delete(int argc, char **argv)
{
	static const struct option opts[] = { { "force", no_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
	bool force = false;
	int c;
	while ((c = getopt_long(argc, argv, "f", opts, NULL)) != -1) {
		if (c != 'f')
			return 1;
		force = true;
	}
	if (want_id(argc, argv, "delete", 0) < 0)
		return 1;
	/* as runc: --force of an id that is not there is done, silently (an
	 * engine cleans up after every failed create this way) */
	cerr err = { 0 };
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/%s", cli.root, argv[optind]);
	if (validate_id(argv[optind], &err) < 0)
		return cli_fail(&err, "delete");
	if (force && access(dir, F_OK) < 0 && errno == ENOENT)
		return 0;
	if (container_delete(cli.root, argv[optind], force, &err) < 0)
		return cli_fail(&err, "delete %s", argv[optind]);
	return 0;
}
