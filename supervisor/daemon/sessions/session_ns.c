/* A session's shared namespaces, held by nsfs bind mounts under
 * <dir>/ns/: a child of corrald is cloned straight into new namespaces
 * (clone with CLONE_NEW*: they exist once clone returns, so nothing waits
 * on the child), corrald binds /proc/<child>/ns/<kind> onto the files, then
 * closes the pipe the child waits on; the loop reaps it. The mounts live in
 * corrald's mount namespace and outlive it. */
#include "supervisor/daemon/sessions/session_int.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/network/network.h"
#include "supervisor/daemon/core/netns_pin.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <linux/nsfs.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct { const char *kind; unsigned bit; int flag; } kinds[] = {
	{ "net", SESSION_SHARE_NET, CLONE_NEWNET },
	{ "ipc", SESSION_SHARE_IPC, CLONE_NEWIPC },
	{ "uts", SESSION_SHARE_UTS, CLONE_NEWUTS },
};

void session_ns_path(const session *s, const char *kind, char *buf, size_t n)
{
	snprintf(buf, n, "%s/ns/%s", s->dir, kind);
}

static bool is_nsfs(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	/* an nsfs file answers NS_GET_NSTYPE; a plain file does not */
	return fd >= 0 && ioctl(fd, NS_GET_NSTYPE) >= 0;
}

bool session_ns_present(const session *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		char p[PATH_MAX];
		session_ns_path(s, kinds[i].kind, p, sizeof(p));
		if ((s->share & kinds[i].bit) && !is_nsfs(p))
			return false;
	}
	return true;
}

void session_ns_release(const session *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		char p[PATH_MAX];
		session_ns_path(s, kinds[i].kind, p, sizeof(p));
		netns_unpin(p); /* unmount every layer, then unlink; nothing there is fine */
	}
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/ns", s->dir);
	rmdir(dir);
}

static void on_reaped(el_source *src, pid_t pid, const siginfo_t *si, void *data)
{
	(void)pid, (void)si, (void)data;
	el_remove(src);
}

/* The child: in the new namespaces from its first instruction; it names
 * the uts one, then waits for corrald to have bound them. */
/* lo up: the runtime brings up the lo of a namespace it makes, never of
 * one a member joins by path */
static void loopback_up(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = { 0 };
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		(void)ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	if (fd >= 0)
		close(fd);
}

static _Noreturn void holder(int rfd, const char *hostname, bool net)
{
	if (net)
		loopback_up();
	if (hostname && sethostname(hostname, strlen(hostname)) < 0)
		_exit(1); /* the members set it again: their hostname is the session's */
	char b;
	while (read(rfd, &b, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

static int bind_ns(const char *src, const char *dst, cerr *err)
{
	_cleanup_close_ int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return cerr_sys(err, errno, "%s", dst);
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0) {
		int e = errno;
		unlink(dst);
		return cerr_sys(err, e, "bind %s on %s", src, dst);
	}
	return 0;
}

int session_ns_make(corrald *d, session *s, cerr *err)
{
	int flags = 0;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (s->share & kinds[i].bit)
			flags |= kinds[i].flag;
	if (!flags)
		return 0;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/ns", s->dir);
	if (mkdir_p(dir, 0700) < 0)
		return cerr_sys(err, errno, "%s", dir);
	session_ns_release(s); /* leftovers of a create that did not finish */
	if (mkdir_p(dir, 0700) < 0)
		return cerr_sys(err, errno, "%s", dir);
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return cerr_sys(err, errno, "pipe");
	pid_t pid = (pid_t)syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid == 0) {
		close(p[1]);
		holder(p[0], (s->share & SESSION_SHARE_UTS) ? s->name : NULL, s->share & SESSION_SHARE_NET);
	}
	int e = errno;
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		return cerr_sys(err, e, "session %s: new namespaces", s->name);
	}
	int r = 0;
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(kinds); i++) {
		if (!(s->share & kinds[i].bit))
			continue;
		char src[64], dst[PATH_MAX];
		snprintf(src, sizeof(src), "/proc/%d/ns/%s", (int)pid, kinds[i].kind);
		session_ns_path(s, kinds[i].kind, dst, sizeof(dst));
		r = bind_ns(src, dst, err);
	}
	close(p[1]); /* the holder may go */
	_cleanup_cerr_ cerr e2 = { 0 };
	if (el_add_child(d->loop, pid, on_reaped, NULL, NULL, &e2) < 0) {
		/* rare (out of memory): reap it here, it exits at once */
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (r < 0)
		session_ns_release(s);
	return r;
}
