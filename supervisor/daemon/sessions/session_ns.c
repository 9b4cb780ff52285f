/* A session's shared namespaces, held by nsfs bind mounts under
 * <dir>/ns/: a child of corrald is cloned straight into new namespaces
 * (clone with CLONE_NEW*: they exist once clone returns, so nothing waits
 * on the child), corrald binds /proc/<child>/ns/<kind> onto the files, then
 * closes the pipe the child waits on; the loop reaps it. The mounts live in
 * corrald's mount namespace and outlive it. A PID namespace dies with its
 * pid 1, so there the child stays, as the host's catatonit in pause mode
 * (reaping the members' orphans), its pid in ns/pid.init; releasing the
 * namespaces kills it, and with it every process left in the namespace. */
#include "supervisor/daemon/sessions/session_int.h"
#include "supervisor/daemon/sessions/session_ns.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/network/network.h"
#include "supervisor/daemon/netfiles/netns_pin.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct { const char *kind; unsigned bit; int flag; } kinds[] = {
	{ "net", SESSION_SHARE_NET, CLONE_NEWNET },
	{ "ipc", SESSION_SHARE_IPC, CLONE_NEWIPC },
	{ "uts", SESSION_SHARE_UTS, CLONE_NEWUTS },
	{ "pid", SESSION_SHARE_PID, CLONE_NEWPID },
};

/* podman's pause: catatonit -P, static, reaps and waits for SIGKILL */
static const char *const pause_binaries[] = { "/usr/libexec/podman/catatonit", "/usr/bin/catatonit" };

void session_ns_path(const session *s, const char *kind, char *buf, size_t n)
{
	snprintf(buf, n, "%s/ns/%s", s->dir, kind);
}

static void init_record_path(const session *s, char *buf, size_t n) { snprintf(buf, n, "%s/ns/pid.init", s->dir); }

int session_pid_init(const session *s)
{
	char p[PATH_MAX], ns[64];
	init_record_path(s, p, sizeof(p));
	_cleanup_free_ char *text = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	size_t len;
	long pid = 0;
	if (read_file(p, 32, &text, &len, &err) < 0 || (pid = strtol(text, NULL, 10)) <= 1)
		return -1;
	int fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	/* with the pidfd open, the pid is that process's: is it in the
	 * namespace held (same nsfs inode), so the namespace's pid 1? */
	struct stat held, its;
	session_ns_path(s, "pid", p, sizeof(p));
	snprintf(ns, sizeof(ns), "/proc/%ld/ns/pid", pid);
	if (fd >= 0 && stat(p, &held) == 0 && stat(ns, &its) == 0 && held.st_ino == its.st_ino && held.st_dev == its.st_dev)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

bool session_ns_present(const session *s)
{
	if (s->share & SESSION_SHARE_PID) {
		_cleanup_close_ int init = session_pid_init(s);
		if (init < 0)
			return false;
	}
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		char p[PATH_MAX];
		session_ns_path(s, kinds[i].kind, p, sizeof(p));
		if ((s->share & kinds[i].bit) && ns_bound(p) != 1)
			return false;
	}
	return true;
}

void session_ns_release(const session *s)
{
	_cleanup_close_ int init = session_pid_init(s);
	if (init >= 0 && syscall(SYS_pidfd_send_signal, init, SIGKILL, NULL, 0) < 0)
		log_warn("session %s: kill its PID namespace's init: %s", s->name, strerror(errno));
	char rec[PATH_MAX];
	init_record_path(s, rec, sizeof(rec));
	unlink(rec);
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

static const char *pause_binary(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(pause_binaries); i++)
		if (access(pause_binaries[i], X_OK) == 0)
			return pause_binaries[i];
	return NULL;
}

/* pause: the PID namespace's init, which stays (pause_binary()) */
static _Noreturn void holder(int rfd, const char *hostname, bool net, const char *pause)
{
	if (net)
		loopback_up();
	if (hostname && sethostname(hostname, strlen(hostname)) < 0)
		_exit(1); /* the members set it again: their hostname is the session's */
	char b;
	ssize_t n;
	while ((n = read(rfd, &b, 1)) < 0 && errno == EINTR)
		;
	if (!pause || n != 1) /* corrald closes the pipe; a byte: stay, as pid 1 */
		_exit(0);
	/* nothing of corrald's: its signal mask (for its signalfd), its group,
	 * its fds (all close-on-exec, the terminal's aside) */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0)
		dup2(null, 0), dup2(null, 1);
	execl(pause, pause, "-P", (char *)NULL);
	_exit(127);
}

int session_ns_make(corrald *d, session *s, cerr *err)
{
	int flags = 0;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (s->share & kinds[i].bit)
			flags |= kinds[i].flag;
	if (!flags)
		return 0;
	const char *pause = (s->share & SESSION_SHARE_PID) ? pause_binary() : NULL;
	if ((s->share & SESSION_SHARE_PID) && !pause)
		return cerr_set(err, ENOENT, "session %s: a shared PID namespace needs catatonit on the host (its init)", s->name);
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
		holder(p[0], (s->share & SESSION_SHARE_UTS) ? session_hostname(s) : NULL, s->share & SESSION_SHARE_NET, pause);
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
		char dst[PATH_MAX];
		session_ns_path(s, kinds[i].kind, dst, sizeof(dst));
		r = ns_bind(dst, pid, kinds[i].kind, err);
	}
	if (r == 0 && pause) {
		char rec[PATH_MAX], text[32];
		init_record_path(s, rec, sizeof(rec));
		snprintf(text, sizeof(text), "%d\n", (int)pid);
		r = write_file_atomic(rec, text, strlen(text), 0600, err);
		if (r == 0 && write(p[1], "p", 1) != 1)
			r = cerr_sys(err, errno, "session %s: its PID namespace's init", s->name);
	}
	close(p[1]); /* the holder may go (or, a byte read, stays as pid 1) */
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
