/* linux.netDevices across the container's life. The container's network
 * namespace is pinned by a bind mount in its state directory, so that when
 * the init exits on its own the namespace (and any virtual device in it)
 * survives until delete moves the devices back to the host. */
#include "container.h"
#include "runtime/netdevices.h"
#include "netlink.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

#define NETNS_PIN "netns"

int netdev_pin(const char *dir, pid_t pid, cerr *err)
{
	char src[64], dst[PATH_MAX];
	snprintf(src, sizeof(src), "/proc/%d/ns/net", (int)pid);
	snprintf(dst, sizeof(dst), "%s/" NETNS_PIN, dir);
	int fd = open(dst, O_CREAT | O_EXCL | O_RDONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		return cerr_sys(err, errno, "linux.netDevices: create %s", dst);
	close(fd);
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0) {
		int e = errno;
		unlink(dst);
		return cerr_sys(err, e, "linux.netDevices: pin the network namespace at %s", dst);
	}
	return 0;
}

void netdev_release(const char *dir, const struct oci_linux *l)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" NETNS_PIN, dir);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return; /* never pinned */
	_cleanup_cerr_ cerr err = { 0 };
	if (l && net_return_devices(l, fd, &err) < 0)
		log_warn("%s", cerr_msg(&err));
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL)
		log_warn("network: unmount %s: %m", path);
	unlink(path);
}
