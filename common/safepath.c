#include "safepath.h"
#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define RESOLVE_SCOPED (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

int open_in_root(int rootfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (unsigned)flags | O_CLOEXEC,
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_SCOPED,
	};
	while (*path == '/')
		path++;
	if (!*path)
		path = ".";
	long fd;
	do
		fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	while (fd < 0 && (errno == EAGAIN || errno == EINTR));
	return fd < 0 ? -errno : (int)fd;
}

/* Walk components one by one so that each mkdir happens in a directory that
 * was itself resolved inside the root. */
int mkdir_in_root(int rootfd, const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	_cleanup_close_ int cur = open_in_root(rootfd, "/", O_PATH | O_DIRECTORY, 0);
	if (cur < 0)
		return cur;
	char *save = NULL;
	for (char *comp = strtok_r(buf, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		if (streq(comp, "."))
			continue;
		/* resolve the prefix so far again from the root: ".." and symlinks in
		 * it stay scoped */
		size_t off = (size_t)(comp - buf);
		char prefix[PATH_MAX];
		memcpy(prefix, path, off + strlen(comp));
		prefix[off + strlen(comp)] = '\0';
		int next = open_in_root(rootfd, prefix, O_PATH | O_DIRECTORY, 0);
		if (next == -ENOENT) {
			if (mkdirat(cur, comp, mode) < 0 && errno != EEXIST)
				return -errno;
			next = open_in_root(rootfd, prefix, O_PATH | O_DIRECTORY, 0);
		}
		if (next < 0)
			return next;
		close(cur);
		cur = next;
	}
	return TAKE_FD(cur);
}

int mkfile_in_root(int rootfd, const char *path, mode_t mode)
{
	char parent[PATH_MAX];
	if (strlen(path) >= sizeof(parent))
		return -ENAMETOOLONG;
	strcpy(parent, path);
	char *slash = strrchr(parent, '/');
	const char *name = path;
	if (slash) {
		*slash = '\0';
		name = path + (slash - parent) + 1;
	} else {
		strcpy(parent, "/");
	}
	if (!*name || streq(name, ".") || streq(name, ".."))
		return -EINVAL;
	_cleanup_close_ int dfd = mkdir_in_root(rootfd, parent[0] ? parent : "/", 0755);
	if (dfd < 0)
		return dfd;
	int fd = open_in_root(rootfd, path, O_PATH | O_NOFOLLOW, 0);
	if (fd >= 0)
		return fd;
	if (fd != -ENOENT)
		return fd;
	int c = openat(dfd, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode);
	if (c < 0 && errno != EEXIST)
		return -errno;
	if (c >= 0)
		close(c);
	return open_in_root(rootfd, path, O_PATH | O_NOFOLLOW, 0);
}

const char *fd_path(int fd, char buf[static 32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

bool path_is_clean_absolute(const char *path)
{
	if (!path || path[0] != '/')
		return false;
	for (const char *c = path + 1; *c;) {
		size_t n = strcspn(c, "/");
		if (n == 0 && c[n] == '/')
			return false; /* "//" */
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += n;
		if (*c == '/')
			c++;
	}
	return true;
}
