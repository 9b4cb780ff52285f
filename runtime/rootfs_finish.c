/* Inside the new root: propagation, sysctls, masked and readonly paths,
 * and the readonly root. */
#include "rootfs.h"
#include "runtime/rootfs_finish.h"
#include "selinux.h"
#include "common/cleanup.h"
#include "common/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int remount_bind(const char *target, unsigned long flags);

int sysctl_write(const char *key, const char *value, cerr *err)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "/proc/sys/%s", key);
	for (char *p = path + 10; p < path + n; p++)
		if (*p == '.')
			*p = '/';
	int r = write_file_str(path, value);
	return r < 0 ? cerr_sys(err, -r, "linux.sysctl.%s: write %s", key, path) : 0;
}

static int mask_path(const char *path, const char *label, cerr *err)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : cerr_sys(err, errno, "linux.maskedPaths: %s", path);
	if (S_ISDIR(st.st_mode)) {
		/* labelled as the container's other tmpfs, as runc does */
		char data[512] = "size=0k";
		if (label && label[0] && selinux_mount_data("size=0k", label, data, sizeof(data)) < 0)
			return cerr_set(err, E2BIG, "linux.mountLabel: too long");
		if (mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, data) < 0)
			return cerr_sys(err, errno, "linux.maskedPaths: mask %s", path);
		return 0;
	}
	if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0)
		return cerr_sys(err, errno, "linux.maskedPaths: mask %s", path);
	return 0;
}

static int readonly_path(const char *path, cerr *err)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return errno == ENOENT ? 0 : cerr_sys(err, errno, "linux.readonlyPaths: bind %s", path);
	int r = remount_bind(path, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
	return r < 0 ? cerr_sys(err, -r, "linux.readonlyPaths: remount %s read-only", path) : 0;
}

int rootfs_finish(const struct rootfs_opts *o, cerr *err)
{
	const struct oci_spec *s = o->spec;
	const struct oci_linux *l = &s->linux_;
	int r;
	if (o->shared_mountns)
		return 0;
	if (l->rootfs_propagation_flags && mount(NULL, "/", NULL, l->rootfs_propagation_flags, NULL) < 0)
		return cerr_sys(err, errno, "linux.rootfsPropagation: %s", l->rootfs_propagation);
	for (size_t i = 0; i < l->n_sysctl; i++)
		if ((r = sysctl_write(l->sysctl[i].key, l->sysctl[i].value, err)) < 0)
			return r;
	for (size_t i = 0; l->readonly_paths && l->readonly_paths[i]; i++)
		if ((r = readonly_path(l->readonly_paths[i], err)) < 0)
			return r;
	for (size_t i = 0; l->masked_paths && l->masked_paths[i]; i++)
		if ((r = mask_path(l->masked_paths[i], l->mount_label, err)) < 0)
			return r;
	if (s->root_readonly && (r = remount_bind("/", MS_RDONLY)) < 0)
		return cerr_sys(err, -r, "root.readonly: remount / read-only");
	return 0;
}
