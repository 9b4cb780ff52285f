/* corral-monitor: supervises one container for corrald (see monitor.h). It
 * runs in its own session, and outlives corrald. */
#include "supervisor/monitor/monitor.h"
#include "supervisor/monitor/mon_exec.h"
#include "supervisor/monitor/placement.h"
#include "runtime/criu.h"
#include "runtime/procwait.h"
#include "runtime/sealed_exe.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, "Usage: corral-monitor --dir DIR --root ROOT --id ID [--sync-fd N]\n"
		   "         [--log-max-size BYTES] [--log-max-files N] [--foreground] [--standby] [--interactive] [--net-hold]\n"
		   "         [--systemd-cgroup] [--scope-slice SLICE | --cgroup PATH]\n"
		   "         [--restore IMAGES]\n"
		   "       corral-monitor --cleanup --root ROOT --id ID\n"
		   "       corral-monitor --checkpoint IMAGES [--leave-running] [--empty-net] --root ROOT --id ID\n"
		   "       corral-monitor --exec --root ROOT --id ID --pidfd N [--cgroup-leaf NAME] [--user UID:GID]\n"
		   "         [--cwd DIR] [--env KEY=VALUE]... [--console-fd N] -- COMMAND...\n"
		   "Runs one container (DIR/config.json) for corrald; not meant to be run by hand.\n");
}

int main(int argc, char **argv)
{
	int action = criu_action_main(argc); /* criu ran us as a restore's action script */
	if (action >= 0)
		return action;
	if (argc > 1 && streq(argv[1], "--exec"))
		return monitor_exec_main(argc, argv);
	monitor_opts o = { .sync_fd = -1 };
	bool fg = false, cleanup = false, leave_running = false, empty_net = false;
	const char *checkpoint = NULL, *scope_slice = NULL, *own_cgroup = NULL;
	static const struct option longs[] = {
		{ "dir", 1, NULL, 'd' }, { "root", 1, NULL, 'r' }, { "id", 1, NULL, 'i' },
		{ "sync-fd", 1, NULL, 's' }, { "log-max-size", 1, NULL, 'S' }, { "log-max-files", 1, NULL, 'F' },
		{ "foreground", 0, NULL, 'f' }, { "standby", 0, NULL, 'w' }, { "cleanup", 0, NULL, 'c' }, { "help", 0, NULL, 'h' },
		{ "interactive", 0, NULL, 'I' }, { "net-hold", 0, NULL, 'N' },
		{ "systemd-cgroup", 0, NULL, 'C' }, { "restore", 1, NULL, 'R' }, { "checkpoint", 1, NULL, 'K' },
		{ "leave-running", 0, NULL, 'L' }, { "empty-net", 0, NULL, 'E' }, { "scope-slice", 1, NULL, 'P' },
		{ "cgroup", 1, NULL, 'G' }, { "log-path", 1, NULL, 'O' }, { 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
		switch (c) {
		case 'd': o.dir = optarg; break;
		case 'r': o.root = optarg; break;
		case 'i': o.id = optarg; break;
		case 's': o.sync_fd = atoi(optarg); break;
		case 'S': o.log_max_size = strtoull(optarg, NULL, 10); break;
		case 'F': o.log_max_files = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'f': fg = true; break;
		case 'w': o.standby = true; break;
		case 'I': o.interactive = true; break;
		case 'N': o.net_hold = true; break;
		case 'C': o.systemd_cgroup = true; break;
		case 'c': cleanup = true; break;
		case 'R': o.restore = optarg; break;
		case 'K': checkpoint = optarg; break;
		case 'L': leave_running = true; break;
		case 'E': empty_net = true; break;
		case 'P': scope_slice = optarg; break;
		case 'G': own_cgroup = optarg; break;
		case 'O': o.log_path = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (cleanup && o.root && o.id && optind == argc) {
		/* corral-monitor-lean has no runtime library: it runs this at the end */
		_cleanup_cerr_ cerr err = { 0 };
		if (monitor_cleanup(o.root, o.id, &err) < 0) {
			fprintf(stderr, "corral-monitor: %s\n", cerr_msg(&err));
			return 1;
		}
		return 0;
	}
	if (checkpoint && o.root && o.id && optind == argc) {
		/* corrald runs this beside the monitor: criu's own error is the reason */
		_cleanup_cerr_ cerr err = { 0 };
		if (monitor_checkpoint(o.root, o.id, checkpoint, leave_running, empty_net, &err) < 0) {
			fprintf(stderr, "%s\n", cerr_msg(&err));
			return 1;
		}
		return 0;
	}
	if (cleanup || checkpoint || !o.dir || !o.root || !o.id || optind != argc) {
		usage(stderr);
		return 2;
	}
	log_set_prog("corral-monitor");
	/* the container's init is cloned from this process: it holds nothing
	 * but its channel to corrald, and runs from a sealed copy */
	_cleanup_cerr_ cerr serr = { 0 };
	if (close_other_fds(3, &o.sync_fd, 1) < 0 || sealed_exe_ensure(argv, &serr) < 0) {
		fprintf(stderr, "corral-monitor: %s\n", serr.code ? cerr_msg(&serr) : "close inherited fds");
		return 1;
	}
	if (o.sync_fd >= 0)
		fcntl(o.sync_fd, F_SETFD, FD_CLOEXEC);
	/* its own session, so a terminal's hangup never reaches it (corrald
	 * spawns it as a session leader already) */
	if (!fg && getsid(0) != getpid() && setsid() < 0) {
		fprintf(stderr, "corral-monitor: setsid: %s\n", strerror(errno));
		return 1;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/monitor.log", o.dir);
	if (!fg)
		log_set_file(path);
	/* out of corrald's cgroup before anything else: the container goes on
	 * without it, only a restart of corrald's unit would not */
	if (monitor_place(scope_slice, own_cgroup, o.id, &serr) < 0)
		log_cerr(LOG_LVL_WARN, &serr, "stays in corrald's cgroup");
	signal(SIGPIPE, SIG_IGN);
	/* orphans of the container come to us, not to init */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	cerr err = { 0 };
	int r = monitor_run(&o, &err);
	if (r < 0) {
		log_cerr(LOG_LVL_ERROR, &err, NULL);
		return 1;
	}
	return 0; /* also when a standby ends unused: quietly, leaving nothing */
}
