#include "supervisor/daemon/host/listenfds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_LISTEN_FDS 64

/* LISTEN_FDNAMES, kept past the unset: FileDescriptorName= of each */
static char *names[MAX_LISTEN_FDS];

static void keep_names(long n)
{
	const char *all = getenv("LISTEN_FDNAMES");
	for (long i = 0; all && i < n; i++) {
		size_t len = strcspn(all, ":");
		free(names[i]);
		names[i] = strndup(all, len);
		all = all[len] ? all + len + 1 : NULL;
	}
}

bool listen_fd_is_named(int fd, const char *name)
{
	int i = fd - LISTEN_FDS_START;
	return i >= 0 && i < MAX_LISTEN_FDS && names[i] && strcmp(names[i], name) == 0;
}

static void unset_all(void)
{
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
}

int listen_fds(bool unset, cerr *err)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int r = 0;
	if (!pid || !fds)
		goto out;
	char *end;
	errno = 0;
	long p = strtol(pid, &end, 10);
	if (errno || *end || p <= 0) {
		r = cerr_set(err, EINVAL, "LISTEN_PID: not a pid: %s", pid);
		goto out;
	}
	if (p != (long)getpid())
		goto out; /* for another process (we were exec'd by the one it named) */
	long n = strtol(fds, &end, 10);
	if (errno || *end || n < 0 || n > MAX_LISTEN_FDS) {
		r = cerr_set(err, EINVAL, "LISTEN_FDS: not a count: %s", fds);
		goto out;
	}
	for (int fd = LISTEN_FDS_START; fd < LISTEN_FDS_START + n; fd++) {
		int fl = fcntl(fd, F_GETFD);
		if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0) {
			r = cerr_sys(err, errno, "LISTEN_FDS: fd %d", fd);
			goto out;
		}
	}
	keep_names(n);
	r = (int)n;
out:
	if (unset)
		unset_all();
	return r;
}

bool listen_fd_is_unix_stream(int fd)
{
	int v;
	socklen_t l = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &l) < 0 || v != AF_UNIX)
		return false;
	l = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &l) < 0 || v != SOCK_STREAM)
		return false;
	l = sizeof(v);
	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &l) == 0 && v;
}
