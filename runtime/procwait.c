#include "procwait.h"
#include "common/cleanup.h"
#include "common/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM };

void forwarded_sigset(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(set, forwarded[i]);
}

void reset_signals(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	for (int sig = 1; sig < NSIG; sig++) {
		if (sigaction(sig, &dfl, NULL) == 0 || sig == SIGKILL || sig == SIGSTOP)
			continue;
#if !defined(__mips__) && !defined(__alpha__) && !defined(__sparc__)
		/* libc keeps signals 32 and 33 to itself, but posix_spawn gave
		 * them to corral-monitor ignored, and execve keeps that */
		struct { void *handler; unsigned long flags; void *restorer; uint64_t mask; } k = { SIG_DFL, 0, NULL, 0 };
		syscall(SYS_rt_sigaction, sig, &k, NULL, sizeof(k.mask));
#endif
	}
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

int wait_exit_code(pid_t pid)
{
	int status = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 255;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

int wait_forwarding(pid_t pid, int pidfd, int sfd)
{
	for (;;) {
		struct pollfd p[2] = { { .fd = sfd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == sizeof(si))
				syscall(SYS_pidfd_send_signal, pidfd, (int)si.ssi_signo, NULL, 0);
		}
		if (p[1].revents & POLLIN)
			break;
	}
	return wait_exit_code(pid);
}

int close_other_fds(int first, const int *keep, size_t n)
{
	/* a handful of fds: sort a copy, then close the gaps between them */
	int k[16];
	if (n > ARRAY_SIZE(k))
		return -E2BIG;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < first)
			continue;
		size_t j = m++;
		for (; j > 0 && k[j - 1] > keep[i]; j--)
			k[j] = k[j - 1];
		k[j] = keep[i];
	}
	unsigned lo = (unsigned)first;
	for (size_t i = 0; i <= m; i++) {
		unsigned hi = i < m ? (unsigned)k[i] : ~0u;
		if (hi > lo && syscall(SYS_close_range, lo, hi == ~0u ? hi : hi - 1, 0) < 0)
			return -errno;
		if (i < m)
			lo = (unsigned)k[i] + 1;
	}
	return 0;
}
