/* corral run: create, start, and (unless detached) wait, forwarding
 * signals or proxying the terminal; the exit code is the container's. */
#include "cli.h"
#include "container.h"
#include "terminal.h"
#include "cgroups/stats.h"
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

int parse_create_opts(int argc, char **argv, struct create_opts *o, bool *detach, bool *keep, char bundle[PATH_MAX]);

static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM };

static int wait_forwarding(const struct container *c, int sfd)
{
	for (;;) {
		struct pollfd p[2] = { { .fd = sfd, .events = POLLIN }, { .fd = c->pidfd, .events = POLLIN } };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == sizeof(si))
				syscall(SYS_pidfd_send_signal, c->pidfd, (int)si.ssi_signo, NULL, 0);
		}
		if (p[1].revents & POLLIN)
			break;
	}
	int status = 0;
	if (waitpid(c->pid, &status, 0) < 0)
		return 255;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

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
	sigemptyset(&mask);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(&mask, forwarded[i]);
	if (!detach)
		sigprocmask(SIG_BLOCK, &mask, NULL);
	struct container c;
	cerr err = { 0 };
	if (container_create(&o, &c, &err) < 0)
		return cli_fail(&err, "run %s", o.id);
	if (container_start(cli.root, o.id, &err) < 0) {
		cerr ignored = { 0 };
		container_delete(cli.root, o.id, true, &ignored);
		cerr_clear(&ignored);
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
		int status = 0;
		waitpid(c.pid, &status, 0);
		code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
	} else {
		_cleanup_close_ int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
		code = wait_forwarding(&c, sfd);
	}
	if (code == 128 + SIGKILL && oom_killed(&c))
		log_error("run %s: the container was OOM-killed (its memory limit was reached)", o.id);
	container_release(&c);
	if (!keep && container_delete(cli.root, o.id, true, &err) < 0)
		cli_fail(&err, "run %s: clean up", o.id);
	return code;
}
