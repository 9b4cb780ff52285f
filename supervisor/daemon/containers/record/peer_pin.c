/* A member's bind sources, resolved and opened as the member: a forked
 * child takes its uid, gid and groups (peer_become), opens each path
 * O_PATH, symlinks followed, checks that the member could read what it
 * reached, and hands each fd back over a socketpair. corrald waits for it,
 * as it waits for its own open() of root's sources, at most
 * PEER_OPEN_TIMEOUT_USEC, and then kills it. */
#include "supervisor/daemon/containers/record/peer_pin.h"
#include "supervisor/daemon/core/peer_open.h"
#include "common/cleanup.h"
#include "common/fdpass.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The child: one message per path, {0} with its fd, or {errno} and the end. */
static _Noreturn void child_main(int sock, const peer_cred *peer, char *const *paths, size_t n, pid_t parent)
{
	if (peer_become(sock, peer, parent) < 0)
		_exit(1);
	for (size_t i = 0; i < n; i++) {
		int code = 0, fd = open(paths[i], O_PATH | O_CLOEXEC);
		char self[64];
		if (fd < 0) {
			code = errno;
		} else {
			snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
			if (access(self, R_OK) < 0) /* what the member could not read is not its to bind */
				code = errno;
		}
		if (fd_send(3, &code, sizeof(code), code ? NULL : &fd, code ? 0 : 1, 0) < 0 || code)
			_exit(0);
		close(fd);
	}
	_exit(0);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The next message of the child, before the deadline: 0 with *fd, or the
 * child's errno (EIO when it ended or said nothing). */
static int next_fd(int sock, long long deadline, int *fd)
{
	struct pollfd p = { .fd = sock, .events = POLLIN };
	long long left = deadline - now_ms();
	if (left <= 0 || poll(&p, 1, (int)left) != 1)
		return ETIMEDOUT;
	int code = 0;
	size_t got = 0;
	if (fd_recv(sock, &code, sizeof(code), fd, 1, &got, NULL, MSG_DONTWAIT) != (ssize_t)sizeof(code) || code < 0 ||
	    (code == 0 && got != 1)) {
		if (got == 1)
			close(*fd);
		return EIO;
	}
	return code;
}

int peer_pin_paths(const peer_cred *peer, char *const *paths, size_t n, int *fds, size_t *failed, cerr *err)
{
	*failed = n;
	if (n == 0)
		return 0;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0)
		return cerr_sys(err, errno, "socketpair");
	_cleanup_close_ int sock = sv[0];
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0)
		child_main(sv[1], peer, paths, n, parent);
	int e = errno;
	close(sv[1]);
	if (pid < 0)
		return cerr_sys(err, e, "fork");
	long long deadline = now_ms() + (long long)(PEER_OPEN_TIMEOUT_USEC / 1000);
	size_t i = 0;
	int code = 0;
	for (; i < n && !(code = next_fd(sock, deadline, &fds[i])); i++)
		;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (i == n)
		return 0;
	for (size_t k = 0; k < i; k++)
		close(fds[k]);
	*failed = i;
	return -code;
}
