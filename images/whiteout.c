#include "images/whiteout.h"
#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

enum wh_kind wh_classify(const char *name, const char **target)
{
	if (strncmp(name, WH_PREFIX, 4) != 0)
		return WH_NONE;
	if (streq(name, WH_OPAQUE_NAME))
		return WH_OPAQUE;
	if (strncmp(name, ".wh..wh.", 8) == 0)
		return WH_META;
	const char *t = name + 4;
	if (!*t || streq(t, ".") || streq(t, "..") || strchr(t, '/'))
		return WH_INVALID;
	if (target)
		*target = t;
	return WH_FILE;
}

int wh_set_opaque(int dirfd)
{
	return fsetxattr(dirfd, OVL_OPAQUE_XATTR, "y", 1, 0) < 0 ? -errno : 0;
}

bool wh_is_opaque(int dirfd)
{
	char v[4];
	ssize_t n = fgetxattr(dirfd, OVL_OPAQUE_XATTR, v, sizeof(v));
	return n == 1 && v[0] == 'y';
}

int wh_make(int dirfd, const char *name)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!S_ISDIR(st.st_mode))
			return 0; /* already a whiteout, or a new entry of this layer */
		/* a new directory of this layer: only its lower content goes */
		_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		return wh_set_opaque(fd);
	}
	if (errno != ENOENT)
		return -errno;
	return mknodat(dirfd, name, S_IFCHR | 0, makedev(0, 0)) < 0 ? -errno : 0;
}
