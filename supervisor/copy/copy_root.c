/* The root a copy works in (copy.h). A pid can be reused once its process
 * has ended: the root is taken from /proc/PID only after a pidfd pins the
 * process and its cgroup shows it is the container's, and is kept only if
 * the process still lives once it is open. */
#include "supervisor/copy/copy.h"
#include "supervisor/copy/copy_root.h"
#include "bundle/bundle_userns.h"
#include "runtime/idmap.h"
#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Whether /proc/PID/cgroup puts the process in cgroup (or below it). */
static bool in_cgroup(pid_t pid, const char *cgroup)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	char *line = strstr(buf, "0::");
	if (!line || (line != buf && line[-1] != '\n'))
		return false;
	line += 3;
	line[strcspn(line, "\n")] = '\0';
	size_t k = strlen(cgroup);
	return !strncmp(line, cgroup, k) && (line[k] == '\0' || line[k] == '/');
}

int copy_open_root(const copy_root *r, cerr *err)
{
	if (r->dir) {
		int fd = open(r->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		return fd < 0 ? cerr_sys(err, errno, "%s", r->dir) : fd;
	}
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, r->pid, 0);
	if (pidfd < 0 || !in_cgroup(r->pid, r->cgroup))
		return cerr_set(err, ESRCH, "the container is not running");
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/root", (int)r->pid);
	_cleanup_close_ int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return cerr_sys(err, errno, "the container's root");
	if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
		return cerr_set(err, ESRCH, "the container is not running");
	return TAKE_FD(fd);
}

int copy_become_its_root(const char *ctr_dir, cerr *err)
{
	struct oci_idmap uid[2], gid[2];
	int r = bundle_userns_maps(ctr_dir, uid, gid, err);
	if (r <= 0)
		return r;
	_cleanup_close_ int userns = idmap_userns_open(uid, 2, gid, 2, err);
	if (userns < 0)
		return userns;
	if (setns(userns, CLONE_NEWUSER) < 0 || setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 ||
	    setresuid(0, 0, 0) < 0)
		return cerr_sys(err, errno, "become the root of the container's user namespace");
	return 0;
}
