#include "supervisor/daemon/containers/record/ctr_service.h"
#include "supervisor/daemon/containers/record/trash.h"
#include "supervisor/daemon/containers/record/img_source.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "common/log.h"
#include "common/pdeath.h"
#include "common/unmount.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/ioprio.h>
#include <sys/resource.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define TRASH_NAME_TRIES 16

static bool has_entries(int fd)
{
	_cleanup_closedir_ DIR *dir = fdopendir(openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	for (struct dirent *de; dir && (de = readdir(dir));)
		if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
			return true;
	return false;
}

/* Whatever is mounted in a container's directory: its overlay first, cleanly
 * where it can be (a deep upper/ takes the kernel a while), then every other
 * mount below it (its pins, and anything stacked); rm_rf never crosses
 * into a mount. */
static void unmount_ctr_dir(const char *path)
{
	imagesrc_release(path);
	unmount_below(path);
}

/* A container's directory, as a container left it: unmounted, then removed;
 * a mount that stays is logged, with where it is. */
static int remove_ctr_dir(int dirfd, const char *dir, const char *name)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	unmount_ctr_dir(path);
	int r = rm_rf_at(dirfd, name);
	if (r == -EXDEV)
		log_mounts_naming("trash: still mounted", name);
	return r;
}

/* The remover: everything in trash/ (fd), then exit; 0 if all went. */
static _Noreturn void remover_main(int fd, const char *path, pid_t parent)
{
	/* a corrald that dies takes its remover along: the next one restarts it */
	if (die_with_parent(parent) < 0)
		_exit(1);
	prctl(PR_SET_NAME, TRASH_COMM);
	/* nobody waits for it: it yields the CPU and the disk to what someone
	 * waits for (a pull, a start). Not the idle classes, which a host
	 * always busy would starve, and the trash would fill the disk. */
	setpriority(PRIO_PROCESS, 0, TRASH_NICE);
	syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 7));
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL); /* corrald's are for its signalfd */
	/* nothing of corrald's stays open here: not its sockets, not its logs */
	if (fd != 3 && dup2(fd, 3) < 0)
		_exit(1);
	close_range(4, ~0u, 0);
	int failed = 0;
	_cleanup_closedir_ DIR *dir = fdopendir(openat(3, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	for (struct dirent *de; dir && (de = readdir(dir));) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		int r = remove_ctr_dir(3, path, de->d_name);
		if (r < 0) {
			log_warn("trash: remove %s: %s", de->d_name, strerror(-r));
			failed = 1;
		}
	}
	_exit(dir ? failed : 1);
}

static void start(corrald *d);

static void on_remover_exit(el_source *s, pid_t pid, const siginfo_t *si, void *data)
{
	corrald *d = data;
	trash *t = &d->containers->trash;
	el_remove(s); /* closes the pidfd */
	t->src = NULL;
	t->pid = 0;
	t->pidfd = -1;
	if (si->si_code != CLD_EXITED || si->si_status != 0)
		log_warn("trash: the remover %s %d; what is left is tried again at the next removal or start",
			 si->si_code == CLD_EXITED ? "exited with" : "was killed by signal", si->si_status);
	if (t->again)
		start(d);
}

/* Run the remover, or have it run again once it ends: it may have listed
 * trash/ before the newest came in. */
static void start(corrald *d)
{
	trash *t = &d->containers->trash;
	if (t->fd < 0)
		return;
	if (t->pid) {
		t->again = true;
		return;
	}
	t->again = false;
	pid_t parent = getpid();
	pid_t pid = fork(); /* corrald is small and single-threaded */
	if (pid < 0) {
		log_warn("trash: fork: %s; tried again at the next removal", strerror(errno));
		return;
	}
	if (pid == 0)
		remover_main(t->fd, t->path, parent);
	/* our child, not yet reaped: the pid is still its own */
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	_cleanup_cerr_ cerr err = { 0 };
	if (pidfd < 0)
		cerr_sys(&err, errno, "pidfd_open");
	if (pidfd < 0 || el_add_pidfd(d->loop, pidfd, pid, on_remover_exit, d, &t->src, &err) < 0) {
		log_warn("trash: %s; tried again at the next removal", cerr_msg(&err));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return;
	}
	t->pid = pid;
	t->pidfd = pidfd;
}

int trash_init(corrald *d, cerr *err)
{
	trash *t = &d->containers->trash;
	if (asprintf(&t->path, "%s/" TRASH_DIR, d->cfg->state_dir) < 0) {
		t->path = NULL;
		return cerr_set(err, ENOMEM, "out of memory");
	}
	if (mkdir(t->path, 0700) < 0 && errno != EEXIST)
		return cerr_sys(err, errno, "%s", t->path);
	if ((t->fd = open(t->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return cerr_sys(err, errno, "%s", t->path);
	if (has_entries(t->fd)) {
		log_info("trash: removing what an earlier corrald left in %s", t->path);
		start(d);
	}
	return 0;
}

int trash_dir(corrald *d, const char *dir, cerr *err)
{
	trash *t = &d->containers->trash;
	const char *base = strrchr(dir, '/');
	base = base ? base + 1 : dir;
	for (int i = 0; t->fd >= 0 && i < TRASH_NAME_TRIES; i++) {
		char name[NAME_MAX + 1];
		snprintf(name, sizeof(name), "%.200s.%lu", base, t->seq++);
		if (renameat(AT_FDCWD, dir, t->fd, name) == 0) {
			start(d);
			return 0;
		}
		if (errno == ENOENT && faccessat(AT_FDCWD, dir, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
			return 0; /* already gone */
		if (errno != EEXIST && errno != ENOTEMPTY) {
			log_warn("trash: move %s into it: %s; removing it in place", dir, strerror(errno));
			break;
		}
	}
	unmount_ctr_dir(dir);
	int r = rm_rf(dir);
	return r < 0 ? cerr_sys(err, -r, "remove %s", dir) : 0;
}

void trash_shutdown(corrald *d)
{
	trash *t = &d->containers->trash;
	if (t->pid) {
		syscall(SYS_pidfd_send_signal, t->pidfd, SIGKILL, NULL, 0);
		siginfo_t si;
		waitid((idtype_t)P_PIDFD, (id_t)t->pidfd, &si, WEXITED);
		el_remove(t->src); /* closes the pidfd */
		log_info("trash: removal stopped at shutdown; the next start goes on with it");
	}
	if (t->fd >= 0)
		close(t->fd);
	free(t->path);
	*t = (trash)TRASH_INIT;
}
