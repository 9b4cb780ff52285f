#include "supervisor/daemon/core/peer_open.h"
#include "supervisor/daemon/core/owner.h"
#include "common/cleanup.h"
#include "common/fdpass.h"
#include "common/pdeath.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct peer_open_call {
	int sock;
	pid_t pid;
	el_source *child, *timer;
	peer_open_fn done;
	void *data;
	bool timed_out;
} peer_open_call;

int peer_become(int sock, const peer_cred *peer, pid_t parent)
{
	prctl(PR_SET_DUMPABLE, 0);
	if (dup2(sock, 3) < 0 || close_range(4, ~0u, 0) < 0)
		return -1;
	if (setgroups((size_t)peer->n_groups, peer->groups) < 0 || setresgid(peer->gid, peer->gid, peer->gid) < 0 ||
	    setresuid(peer->uid, peer->uid, peer->uid) < 0)
		return -1;
	/* after the change of credentials, which clears it */
	return die_with_parent(parent) < 0 ? -1 : 0;
}

/* FUSE, or overlayfs (which hands a close to its layers'): every close(2)
 * of a file there waits, without end and unkillably, for a server a
 * member may run to answer (FUSE_FLUSH). Such a file of a member's is
 * never opened for reading or writing, so neither this child nor corrald
 * nor a helper ever closes one. */
static bool close_may_hang(int fd)
{
	struct statfs sf;
	return fstatfs(fd, &sf) < 0 || sf.f_type == FUSE_SUPER_MAGIC || sf.f_type == OVERLAYFS_SUPER_MAGIC;
}

/* A member's file: looked at through an O_PATH fd first (whose close asks
 * no server), then opened through it; the fd, or -errno (EXDEV: on such a
 * file system, EINVAL: not a regular file). */
static int open_member_file(const char *path, int flags)
{
	_cleanup_close_ int at = -1;
	char where[PATH_MAX];
	if (flags & O_CREAT) { /* not there yet: its directory is looked at */
		const char *slash = strrchr(path, '/');
		size_t n = slash ? (size_t)(slash - path) : 0;
		if (!slash || n >= sizeof(where))
			return -EINVAL;
		memcpy(where, path, n);
		where[n] = '\0';
		if ((at = open(n ? where : "/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
			return -errno;
		if (close_may_hang(at))
			return -EXDEV;
		int fd = openat(at, slash + 1, flags | O_NOCTTY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW, 0600);
		return fd < 0 ? -errno : fd;
	}
	struct stat st;
	if ((at = open(path, O_PATH | O_CLOEXEC)) < 0)
		return -errno;
	if (close_may_hang(at))
		return -EXDEV;
	if (fstat(at, &st) < 0 || !S_ISREG(st.st_mode))
		return -EINVAL; /* a fifo or a device is never opened */
	snprintf(where, sizeof(where), "/proc/self/fd/%d", at);
	int fd = open(where, flags | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* The child: become the peer, open, send. Only syscalls from here on. */
static _Noreturn void child_main(int sock, const peer_cred *peer, const char *path, int flags, pid_t parent)
{
	int code = 0;
	if (peer_become(sock, peer, parent) < 0)
		_exit(1);
	/* made only when it is not there (O_EXCL), by the peer, for its eyes */
	if ((flags & O_CREAT) && !(flags & O_EXCL))
		flags &= ~O_CREAT;
	int fd = owner_is_member(peer) ? open_member_file(path, flags)
				       : open(path, flags | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0600);
	struct stat st;
	if (fd < 0)
		code = owner_is_member(peer) ? -fd : errno;
	else if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		code = EINVAL;
	fd_send(3, &code, sizeof(code), code ? NULL : &fd, code ? 0 : 1, 0);
	_exit(0);
}

static void finish(peer_open_call *j)
{
	int code = 0, fd = -1;
	size_t n = 0;
	ssize_t got = fd_recv(j->sock, &code, sizeof(code), &fd, 1, &n, NULL, MSG_DONTWAIT);
	if (got != (ssize_t)sizeof(code) || (code == 0 && n != 1) || code < 0) {
		if (n == 1)
			close(fd);
		fd = -1;
		code = j->timed_out ? ETIMEDOUT : EIO;
	}
	el_remove(j->timer);
	close(j->sock);
	j->done(code ? -1 : fd, code, j->data);
	free(j);
}

static void child_exited(el_source *s, pid_t pid, const siginfo_t *si, void *data)
{
	el_remove(s);
	finish(data);
}

static void on_timeout(el_source *s, void *data)
{
	peer_open_call *j = data;
	j->timed_out = true;
	kill(j->pid, SIGKILL); /* child_exited follows */
}

int peer_open(el_loop *l, const peer_cred *peer, const char *path, peer_open_fn done, void *data, cerr *err)
{
	return peer_open_flags(l, peer, path, O_RDONLY, done, data, err);
}

int peer_open_flags(el_loop *l, const peer_cred *peer, const char *path, int flags, peer_open_fn done, void *data,
		    cerr *err)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0)
		return cerr_sys(err, errno, "socketpair");
	peer_open_call *j = calloc(1, sizeof(*j));
	if (!j) {
		close(sv[0]);
		close(sv[1]);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	*j = (peer_open_call){ .sock = sv[0], .done = done, .data = data };
	pid_t parent = getpid();
	j->pid = fork();
	if (j->pid == 0)
		child_main(sv[1], peer, path, flags, parent);
	int e = errno;
	close(sv[1]);
	if (j->pid < 0) {
		close(sv[0]);
		free(j);
		return cerr_sys(err, e, "fork");
	}
	if (el_add_timer(l, PEER_OPEN_TIMEOUT_USEC, false, on_timeout, j, &j->timer, err) < 0 ||
	    el_add_child(l, j->pid, child_exited, j, &j->child, err) < 0) {
		kill(j->pid, SIGKILL);
		waitpid(j->pid, NULL, 0); /* killed: reaped at once */
		el_remove(j->timer);
		close(sv[0]);
		free(j);
		return -EIO;
	}
	return 0;
}
