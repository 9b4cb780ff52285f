/* Network namespaces held by a bind mount while CNI needs them. */
#include "supervisor/daemon/netfiles/netns_pin.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"
#include "common/unmount.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

int ns_bind(const char *path, pid_t pid, const char *kind, cerr *err)
{
	char src[64];
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return cerr_sys(err, errno, "%s", path);
	snprintf(src, sizeof(src), "/proc/%d/ns/%s", (int)pid, kind);
	if (mount(src, path, NULL, MS_BIND, NULL) < 0) {
		int e = errno;
		unlink(path);
		return cerr_sys(err, e, "bind %s on %s", src, path);
	}
	return 0;
}

int ns_bound(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	/* an nsfs file answers NS_GET_NSTYPE; a plain file does not */
	return ioctl(fd, NS_GET_NSTYPE) >= 0;
}

int netns_pin(const char *path, pid_t pid, cerr *err)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	if (mkdir_p(dir, 0700) < 0)
		return cerr_sys(err, errno, "%s", dir);
	netns_unpin(path); /* a stale one, from a start that did not finish */
	return ns_bind(path, pid, "net", err);
}

int netns_unpin(const char *path)
{
	/* EBUSY: still a mount point (a layer that came meanwhile), so
	 * unmount again; a pin that stays is logged, with why */
	for (int tries = 0; tries < 3; tries++) {
		while (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
			; /* every layer of it */
		if (unlink(path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
	}
	int e = errno;
	log_warn("%s: not removed: %s", path, strerror(e));
	if (e == EBUSY && strrchr(path, '/')) {
		char what[PATH_MAX + 8];
		snprintf(what, sizeof(what), "%s: busy", path);
		log_mounts_naming(what, strrchr(path, '/') + 1);
	}
	return -e;
}
