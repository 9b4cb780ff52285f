/* A member that outlived corrald (loaded at start, running) still has the
 * old socket's inode bound at SESSION_BROKER_PATH, which nobody serves any
 * more: the new socket is mounted over it in the member's mount namespace.
 * setns is per process, so a forked child does it; the loop reaps it. */
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/daemon/ctr.h"
#include "supervisor/daemon/service.h"
#include "supervisor/daemon/sessions/session.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_reaped(el_source *s, pid_t pid, const siginfo_t *si, void *data)
{
	char *name = data;
	if (si->si_code != CLD_EXITED || si->si_status != 0)
		log_warn("broker: %s: could not bind its new socket at %s: %s", name, SESSION_BROKER_PATH,
			 si->si_status == 1 ? "setns" : si->si_status == 3 ? "umount" : si->si_status > 100 ? strerror(si->si_status - 100) : "move_mount");
	free(name);
	el_remove(s);
}

int broker_rebind(struct corrald *d, struct ctr *c, const char *host_path, cerr *err)
{
	if (c->pid <= 0 || (c->status != CS_RUNNING && c->status != CS_PAUSED))
		return 0; /* not running: its next start binds the socket afresh */
	char nspath[64];
	snprintf(nspath, sizeof(nspath), "/proc/%d/ns/mnt", (int)c->pid);
	_cleanup_close_ int ns = open(nspath, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return cerr_sys(err, errno, "%s", nspath);
	/* its root, which need not be the namespace's (a runtime may chroot) */
	char rootpath[64];
	snprintf(rootpath, sizeof(rootpath), "/proc/%d/root", (int)c->pid);
	_cleanup_close_ int root = open(rootpath, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return cerr_sys(err, errno, "%s", rootpath);
	_cleanup_close_ int tree = (int)syscall(SYS_open_tree, AT_FDCWD, host_path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return cerr_sys(err, errno, "open_tree %s", host_path);
	char *name = strdup(c->name ? c->name : c->id);
	if (!name)
		return cerr_set(err, ENOMEM, "out of memory");
	pid_t pid = fork();
	if (pid < 0) {
		free(name);
		return cerr_sys(err, errno, "fork");
	}
	if (pid == 0) {
		if (setns(ns, CLONE_NEWNS) < 0)
			_exit(1);
		/* the old socket is gone from the host (unlinked): nothing may be
		 * mounted on it, so it goes first */
		if (fchdir(root) < 0 || (umount2(SESSION_BROKER_PATH + 1, MNT_DETACH) < 0 && errno != EINVAL))
			_exit(3);
		if (syscall(SYS_move_mount, tree, "", AT_FDCWD, SESSION_BROKER_PATH + 1, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			_exit(errno < 100 ? 100 + errno : 2); /* 100 + errno: which */
		_exit(0);
	}
	int r = el_add_child(d->loop, pid, on_reaped, name, NULL, err);
	if (r < 0) {
		waitpid(pid, NULL, 0); /* it does two syscalls: no wait to speak of */
		free(name);
	}
	return r;
}
