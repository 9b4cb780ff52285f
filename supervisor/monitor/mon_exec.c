/* corral-monitor --exec: what the monitor runs for corrald's Exec. It is
 * the runtime's exec (runtime/exec.c), with the container's whole process
 * confinement; only the command, env, working directory and uid/gid differ.
 * The monitor passes the init's pidfd, so a recycled pid is never joined,
 * and names a child cgroup, so that everything the command starts can be
 * killed with it. */
#include "supervisor/monitor/monitor.h"
#include "supervisor/monitor/mon_exec.h"
#include "runtime/exec.h"
#include "runtime/procwait.h"
#include "runtime/sealed_exe.h"
#include "common/cleanup.h"
#include "common/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int monitor_exec_main(int argc, char **argv)
{
	struct exec_opts o = { .init_pidfd = -1 };
	_cleanup_strv_ char **env = NULL;
	static const struct option longs[] = {
		{ "exec", 0, NULL, 'x' }, { "root", 1, NULL, 'r' }, { "id", 1, NULL, 'i' },
		{ "pidfd", 1, NULL, 'p' }, { "cgroup-leaf", 1, NULL, 'c' }, { "user", 1, NULL, 'u' },
		{ "cwd", 1, NULL, 'w' }, { "env", 1, NULL, 'e' }, { "console-fd", 1, NULL, 't' }, { 0 },
	};
	int c, console = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", longs, NULL)) != -1) {
		switch (c) {
		case 'x': break;
		case 'r': o.root = optarg; break;
		case 'i': o.id = optarg; break;
		case 'p': o.init_pidfd = atoi(optarg); break;
		case 'c': o.cgroup_leaf = optarg; break;
		case 'u': o.user = optarg; break;
		case 'w': o.cwd = optarg; break;
		case 't': console = atoi(optarg); break;
		case 'e': {
			char *d = strdup(optarg);
			if (!d || strv_push(&env, d) < 0) {
				free(d);
				return 126;
			}
			break;
		}
		default: return 126;
		}
	}
	if (!o.root || !o.id || o.init_pidfd < 3 || optind >= argc) {
		fprintf(stderr, "usage: corral-monitor --exec --root ROOT --id ID --pidfd N [...] -- COMMAND...\n");
		return 126;
	}
	o.args = argv + optind;
	o.env = env ? env : (char *[]){ NULL };
	_cleanup_cerr_ cerr err = { 0 };
	/* nothing of corrald's or the monitor's but the pidfd; and the process
	 * that joins the container runs from a sealed copy */
	if (close_other_fds(3, &o.init_pidfd, 1) < 0 || sealed_exe_ensure(argv, &err) < 0) {
		fprintf(stderr, "exec: %s\n", err.code ? cerr_msg(&err) : "close inherited fds");
		return 126;
	}
	/* a terminal: its master goes back to the monitor on the socket it gave
	 * us as stdin, which the process must not inherit */
	if (console >= 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		o.console_fd = fcntl(console, F_DUPFD_CLOEXEC, 3);
		if (null < 0 || o.console_fd < 0 || dup2(null, console) < 0) {
			fprintf(stderr, "exec: --console-fd %d: %s\n", console, strerror(errno));
			return 126;
		}
		close(null);
		o.tty = o.tty_set = true;
	}
	int code = 0;
	if (container_exec(&o, &code, &err) < 0) {
		/* as podman exec: 127 when there is nothing to run, 126 otherwise */
		code = err.code == ENOENT ? 127 : 126;
		fprintf(stderr, "%s\n", cerr_msg(&err));
	}
	return code;
}
