/* Running OCI hooks. The state goes in through a memfd rather than a pipe,
 * so a hook that never reads stdin cannot block us; a CLOEXEC pipe reports
 * a failed execve, so a missing binary is named as such. */
#include "hooks.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/monotonic.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int state_memfd(const char *state_json, cerr *err)
{
	_cleanup_close_ int fd = memfd_create("corral-hook-state", MFD_CLOEXEC);
	if (fd < 0)
		return cerr_sys(err, errno, "memfd_create");
	size_t len = strlen(state_json);
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, state_json + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return cerr_sys(err, errno, "write hook state");
		}
		off += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) < 0)
		return cerr_sys(err, errno, "seek hook state");
	return TAKE_FD(fd);
}

static _Noreturn void hook_child(const struct oci_hook *h, int in, int errpipe)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	int e = 0;
	if (dup2(in, STDIN_FILENO) < 0) {
		e = errno;
	} else {
		char *dflt[] = { h->path, NULL };
		char *noenv[] = { NULL };
		execve(h->path, h->args && h->args[0] ? h->args : dflt, h->env ? h->env : noenv);
		e = errno;
	}
	if (write(errpipe, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* Wait for pid until deadline_ms (-1: forever); kill it past the deadline. */
static int wait_hook(pid_t pid, int timeout_s, int *status, bool *timed_out)
{
	*timed_out = false;
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0 && timeout_s > 0) {
		long long deadline = mono_ms() + (long long)timeout_s * 1000;
		for (;;) {
			long long left = deadline - mono_ms();
			struct pollfd p = { .fd = pidfd, .events = POLLIN };
			int n = left > 0 ? poll(&p, 1, (int)left) : 0;
			if (n < 0 && errno == EINTR)
				continue;
			if (n == 0) {
				syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
				*timed_out = true;
			}
			break;
		}
	}
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static int run_one(const struct oci_hook *h, const char *what, const char *state_json, cerr *err)
{
	_cleanup_close_ int in = state_memfd(state_json, err);
	if (in < 0)
		return cerr_wrap(err, "%s", what);
	int ep[2];
	if (pipe2(ep, O_CLOEXEC) < 0)
		return cerr_sys(err, errno, "%s: pipe", what);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(ep[0]);
		close(ep[1]);
		return cerr_sys(err, e, "%s: fork", what);
	}
	if (pid == 0)
		hook_child(h, in, ep[1]);
	close(ep[1]);
	int e = 0;
	ssize_t n;
	do
		n = read(ep[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(ep[0]);
	int status = 0;
	bool timed_out = false;
	if (n == (ssize_t)sizeof(e)) {
		waitpid(pid, NULL, 0);
		return cerr_sys(err, e, "%s: exec %s", what, h->path);
	}
	if (wait_hook(pid, h->timeout, &status, &timed_out) < 0)
		return cerr_sys(err, errno, "%s: wait for %s", what, h->path);
	if (timed_out)
		return cerr_set(err, ETIMEDOUT, "%s: %s timed out after %d s and was killed", what, h->path, h->timeout);
	if (WIFSIGNALED(status))
		return cerr_set(err, EINTR, "%s: %s was killed by signal %d", what, h->path, WTERMSIG(status));
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		return cerr_set(err, EIO, "%s: %s exited with status %d", what, h->path, WEXITSTATUS(status));
	return 0;
}

int hooks_run(const struct oci_spec *s, enum oci_hook_kind kind, const char *state_json, cerr *err)
{
	for (size_t i = 0; i < s->n_hooks[kind]; i++) {
		char what[64];
		snprintf(what, sizeof(what), "hooks.%s[%zu]", oci_hook_names[kind], i);
		int r = run_one(&s->hooks[kind][i], what, state_json, err);
		if (r < 0)
			return r;
	}
	return 0;
}

void hooks_run_warn(const struct oci_spec *s, enum oci_hook_kind kind, const char *state_json)
{
	for (size_t i = 0; i < s->n_hooks[kind]; i++) {
		char what[64];
		snprintf(what, sizeof(what), "hooks.%s[%zu]", oci_hook_names[kind], i);
		_cleanup_cerr_ cerr err = { 0 };
		if (run_one(&s->hooks[kind][i], what, state_json, &err) < 0)
			log_warn("%s", cerr_msg(&err));
	}
}

bool hooks_need_sync(const struct oci_spec *s)
{
	return s->n_hooks[HOOK_PRESTART] || s->n_hooks[HOOK_CREATE_RUNTIME] || s->n_hooks[HOOK_CREATE_CONTAINER] ||
	       s->n_hooks[HOOK_START_CONTAINER];
}
