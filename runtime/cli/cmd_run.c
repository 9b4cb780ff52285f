/* corral run: create, start, and (unless detached) wait, forwarding
 * signals or proxying the terminal; the exit code is the container's. */
#include "cli.h"
#include "runtime/cli/cmd_run.h"
#include "runtime/cli/cmd_lifecycle.h"
#include "runtime/container.h"
#include "runtime/lifecycle.h"
#include "runtime/create.h"
#include "runtime/procwait.h"
#include "runtime/terminal.h"
#include "cgroups/stats.h"
#include "cgroups/cg_stats.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Whether the kernel OOM-killed a process of the container: memory.events'
 * oom_kill count (oom alone only says the limit was hit). */
static bool oom_killed(const struct container *c)
{
	_cleanup_cg_ cg *g = NULL;
	uint64_t n = 0;
	return c->cgroup_path && cg_open(c->cgroup_mount, c->cgroup_path, &g, NULL) == 0 &&
	       cg_oom_kills(g, &n) == 0 && n > 0;
}

int cmd_run(int argc, char **argv)
{
	struct create_opts o = { 0 };
	bool detach = false, keep = false;
	char bundle[PATH_MAX];
	if (parse_create_opts(argc, argv, &o, &detach, &keep, bundle) < 0)
		return 1;
	if (optind >= argc || argc - optind != 1) {
		fprintf(stderr, "corral: run: expected exactly one container id\n");
		return 1;
	}
	o.id = argv[optind];
	o.keep_pty = !detach && !o.console_socket;
	/* block forwarded signals before the clone; the init resets its mask */
	sigset_t mask;
	forwarded_sigset(&mask);
	if (!detach)
		sigprocmask(SIG_BLOCK, &mask, NULL);
	struct container c;
	cerr err = { 0 };
	if (container_create(&o, &c, &err) < 0)
		return cli_fail(&err, "run %s", o.id);
	/* the terminal's size before its process runs, not after: a process
	 * that asks at once must not see 0x0 */
	if (c.pty_master >= 0 && isatty(STDIN_FILENO))
		tty_copy_size(c.pty_master);
	if (container_start(cli.root, o.id, &err) < 0) {
		_cleanup_cerr_ cerr ignored = { 0 };
		container_delete(cli.root, o.id, true, &ignored);
		container_release(&c);
		return cli_fail(&err, "run %s", o.id);
	}
	if (detach) {
		container_release(&c);
		return 0;
	}
	int code;
	if (c.pty_master >= 0) {
		tty_proxy(c.pty_master, c.pidfd, &err);
		code = wait_exit_code(c.pid);
	} else {
		_cleanup_close_ int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
		code = wait_forwarding(c.pid, c.pidfd, sfd);
	}
	if (code == 128 + SIGKILL && oom_killed(&c))
		log_error("run %s: the container was OOM-killed (its memory limit was reached)", o.id);
	container_release(&c);
	if (!keep && container_delete(cli.root, o.id, true, &err) < 0)
		cli_fail(&err, "run %s: clean up", o.id);
	return code;
}
