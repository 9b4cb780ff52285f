#include "lsm_attr.h"
#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <sys/vfs.h>

int lsm_open_exec_attr(int proc_dir, const char *lsm, int min_fd, const char *what, cerr *err)
{
	/* the module's own directory (AppArmor's since Linux 5.1); the shared file before */
	char path[64];
	snprintf(path, sizeof(path), "thread-self/attr/%s/exec", lsm);
	_cleanup_close_ int fd = openat(proc_dir, path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		snprintf(path, sizeof(path), "thread-self/attr/exec");
		fd = openat(proc_dir, path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0)
		return cerr_sys(err, errno, "%s: open /proc/%s", what, path);
	struct statfs fs;
	if (fstatfs(fd, &fs) < 0)
		return cerr_sys(err, errno, "%s: /proc/%s", what, path);
	if (fs.f_type != PROC_SUPER_MAGIC)
		return cerr_set(err, EPERM, "%s: /proc/%s is not on procfs", what, path);
	if (fd >= min_fd)
		return TAKE_FD(fd);
	int high = fcntl(fd, F_DUPFD_CLOEXEC, min_fd);
	return high < 0 ? cerr_sys(err, errno, "%s: /proc/%s", what, path) : high;
}
