/* A member's bind sources, resolved and opened as the member: a forked
 * child takes its uid, gid and groups (peer_become), opens each path
 * O_PATH, symlinks followed, checks that the member could read what it
 * reached, and hands each fd back over a socketpair. The loop reads them
 * as they come and hears of the child's end; a child still at it after
 * PEER_OPEN_TIMEOUT_USEC is killed. */
#include "supervisor/daemon/containers/record/peer_pin.h"
#include "supervisor/daemon/core/peer_open.h"
#include "common/cleanup.h"
#include "common/fdpass.h"
#include "common/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct peer_pinning {
	int sock;
	pid_t pid;
	el_source *io, *timer;
	int *fds;
	bool *dirs;
	size_t n, got;
	int code;    /* the child's errno, ETIMEDOUT, or EIO; 0 while it goes well */
	bool reaped; /* its pid is no longer its own to signal */
	peer_pin_fn done;
	void *data;
} peer_pinning;

/* What the child says of a path: its errno, or 0 with its fd and whether
 * it is a directory (looked at as the member: root may not look into a
 * member's FUSE file system, or its server could hold the loop) */
typedef struct pin_said {
	int code;
	int dir;
} pin_said;

/* The child: one message per path, {0, dir} with its fd, or {errno} and the end. */
static _Noreturn void child_main(int sock, const peer_cred *peer, char *const *paths, const bool *create, size_t n,
				  pid_t parent)
{
	if (peer_become(sock, peer, parent) < 0)
		_exit(1);
	for (size_t i = 0; i < n; i++) {
		pin_said said = { 0 };
		int fd = open(paths[i], O_PATH | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && create && create[i] && pin_source_make(paths[i]) == 0)
			fd = open(paths[i], O_PATH | O_CLOEXEC);
		char self[64];
		struct stat st;
		if (fd < 0) {
			said.code = errno;
		} else {
			snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
			if (access(self, R_OK) < 0) /* what the member could not read is not its to bind */
				said.code = errno;
			else if (fstat(fd, &st) < 0)
				said.code = errno;
			said.dir = !said.code && S_ISDIR(st.st_mode);
		}
		if (fd_send(3, &said, sizeof(said), said.code ? NULL : &fd, said.code ? 0 : 1, 0) < 0 || said.code)
			_exit(0);
		close(fd);
	}
	_exit(0);
}

/* Every message the child has sent so far; once all are in, or one says
 * it failed, the child is done with. */
static void drain(peer_pinning *p)
{
	while (p->got < p->n && !p->code) {
		pin_said said = { 0 };
		int fd = -1;
		size_t nfd = 0;
		ssize_t len = fd_recv(p->sock, &said, sizeof(said), &fd, 1, &nfd, NULL, MSG_DONTWAIT);
		if (len < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (len != (ssize_t)sizeof(said) || said.code < 0 || (said.code == 0 && nfd != 1)) {
			if (nfd == 1)
				close(fd);
			p->code = EIO;
		} else if (said.code) {
			p->code = said.code;
		} else {
			p->dirs[p->got] = said.dir;
			p->fds[p->got++] = fd;
		}
	}
	if (!p->reaped)
		kill(p->pid, SIGKILL); /* all said: child_exited ends it */
}

static void on_readable(el_source *s, int fd, uint32_t events, void *data)
{
	(void)s, (void)fd, (void)events;
	drain(data);
}

static void on_timeout(el_source *s, void *data)
{
	(void)s;
	peer_pinning *p = data;
	if (!p->code)
		p->code = ETIMEDOUT;
	kill(p->pid, SIGKILL);
}

static void free_pinning(peer_pinning *p)
{
	el_remove(p->io);
	el_remove(p->timer);
	close(p->sock);
	if (p->fds)
		for (size_t i = 0; i < p->got; i++)
			close(p->fds[i]);
	free(p->fds);
	free(p->dirs);
	free(p);
}

static void child_exited(el_source *s, pid_t pid, const siginfo_t *si, void *data)
{
	(void)pid, (void)si;
	el_remove(s);
	peer_pinning *p = data;
	p->reaped = true;
	drain(p);
	if (p->got < p->n && !p->code)
		p->code = EIO; /* it ended, or was killed, before it said */
	peer_pin_fn done = p->done;
	void *done_data = p->data;
	int code = p->code;
	size_t failed = p->got;
	int *fds = NULL;
	bool *dirs = NULL;
	if (!code) {
		fds = TAKE_PTR(p->fds);
		dirs = TAKE_PTR(p->dirs);
	}
	free_pinning(p);
	done(fds, dirs, failed, code, done_data);
}

int pin_source_make(const char *path)
{
	mode_t old = umask(022);
	int r = mkdir_p(path, 0755);
	umask(old);
	return r;
}

int peer_pin_paths(el_loop *l, const peer_cred *peer, char *const *paths, const bool *create, size_t n,
		   peer_pin_fn done, void *data, cerr *err)
{
	int sv[2];
	peer_pinning *p = calloc(1, sizeof(*p));
	if (!p || !(p->fds = calloc(n + 1, sizeof(int))) || !(p->dirs = calloc(n + 1, sizeof(bool)))) {
		if (p)
			free(p->fds);
		free(p);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0) {
		int e = errno;
		free(p->fds);
		free(p);
		return cerr_sys(err, e, "socketpair");
	}
	p->sock = sv[0];
	p->n = n;
	p->done = done;
	p->data = data;
	pid_t parent = getpid();
	p->pid = fork();
	if (p->pid == 0)
		child_main(sv[1], peer, paths, create, n, parent);
	int e = errno;
	close(sv[1]);
	if (p->pid < 0) {
		free_pinning(p);
		return cerr_sys(err, e, "fork");
	}
	el_source *child;
	if (el_add_io(l, p->sock, EPOLLIN, on_readable, p, &p->io, err) < 0 ||
	    el_add_timer(l, PEER_OPEN_TIMEOUT_USEC, false, on_timeout, p, &p->timer, err) < 0 ||
	    el_add_child(l, p->pid, child_exited, p, &child, err) < 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
		free_pinning(p);
		return -EIO;
	}
	return 0;
}
