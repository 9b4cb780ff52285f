/* A rootfs that corral mounted nosuid on the host (ANNOT_ROOTFS_SUID,
 * bundle/spec.h), seen with suid again by the container, where the kernel
 * lets a mount's nosuid go: in the init's own bind of it when the
 * container has no user namespace, and on the idmapped tree the parent
 * hands over (run.oci.idmap-rootfs). A user namespace's copy of the host's
 * mount is locked nosuid (the kernel locks the flags of every mount copied
 * into a less privileged namespace), and stays so. */
#include "rootfs.h"
#include "runtime/rootfs_suid.h"
#include "bundle/spec_parse.h"
#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int rootfs_suid_check(const struct oci_spec *s, cerr *err)
{
	const char *v = spec_annotation(s, ANNOT_ROOTFS_SUID);
	if (v && !streq(v, "true") && !streq(v, "false"))
		return cerr_set(err, EINVAL, "annotations.%s: \"%s\" must be true or false", ANNOT_ROOTFS_SUID, v);
	return 0;
}

bool rootfs_suid_wanted(const struct oci_spec *s, const char *rootfs)
{
	const char *v = spec_annotation(s, ANNOT_ROOTFS_SUID);
	struct statx stx;
	/* only a mount of its own: never the nosuid of a mount the host's
	 * administrator made, which holds a plain directory */
	return v && streq(v, "true") && statx(AT_FDCWD, rootfs, 0, 0, &stx) == 0 &&
	       (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

int rootfs_suid_give(int fd, const char *path, cerr *err)
{
	struct mount_attr a = { .attr_clr = MOUNT_ATTR_NOSUID };
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)
		return cerr_sys(err, errno, "root.path: %s: let the container's setuid files take effect", path);
	return 0;
}
