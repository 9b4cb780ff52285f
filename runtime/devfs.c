/* /dev: the default devices, linux.devices, and the standard links. */
#include "rootfs.h"
#include "runtime/devfs.h"
#include "common/cleanup.h"
#include "common/safepath.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const struct oci_device default_devices[] = {
	{ .path = "/dev/null", .type = 'c', .major = 1, .minor = 3, .has_mode = true, .file_mode = 0666 },
	{ .path = "/dev/zero", .type = 'c', .major = 1, .minor = 5, .has_mode = true, .file_mode = 0666 },
	{ .path = "/dev/full", .type = 'c', .major = 1, .minor = 7, .has_mode = true, .file_mode = 0666 },
	{ .path = "/dev/random", .type = 'c', .major = 1, .minor = 8, .has_mode = true, .file_mode = 0666 },
	{ .path = "/dev/urandom", .type = 'c', .major = 1, .minor = 9, .has_mode = true, .file_mode = 0666 },
	{ .path = "/dev/tty", .type = 'c', .major = 5, .minor = 0, .has_mode = true, .file_mode = 0666 },
};

static int split_parent(const char *path, char parent[PATH_MAX], const char **name)
{
	snprintf(parent, PATH_MAX, "%s", path);
	char *slash = strrchr(parent, '/');
	if (!slash || !slash[1])
		return -EINVAL;
	*name = path + (slash - parent) + 1;
	if (slash == parent)
		slash[1] = '\0';
	else
		*slash = '\0';
	return 0;
}

static int create_device(const struct rootfs_opts *o, int rootfd, const struct oci_device *d, cerr *err)
{
	char parent[PATH_MAX], fdp[32];
	const char *name;
	if (split_parent(d->path, parent, &name) < 0)
		return cerr_set(err, EINVAL, "device %s: invalid path", d->path);
	_cleanup_close_ int dfd = mkdir_in_root(rootfd, parent, 0755);
	if (dfd < 0)
		return cerr_sys(err, -dfd, "device %s: create %s", d->path, parent);
	/* replace whatever the image had there, but never follow a link */
	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT && errno != EISDIR)
		return cerr_sys(err, errno, "device %s: remove old node", d->path);
	mode_t mode = d->has_mode ? d->file_mode : 0666;
	if (o->userns) {
		/* mknod is refused in a user namespace: bind the host's node */
		int f = openat(dfd, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (f < 0)
			return cerr_sys(err, errno, "device %s: create bind target", d->path);
		close(f);
		_cleanup_close_ int tfd = open_in_root(rootfd, d->path, O_PATH | O_NOFOLLOW, 0);
		if (tfd < 0)
			return cerr_sys(err, -tfd, "device %s: open bind target", d->path);
		if (mount(d->path, fd_path(tfd, fdp), NULL, MS_BIND, NULL) < 0)
			return cerr_sys(err, errno, "device %s: bind from host", d->path);
		return 0;
	}
	mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
	if (mknodat(dfd, name, type | (mode & 07777), makedev((unsigned)d->major, (unsigned)d->minor)) < 0)
		return cerr_sys(err, errno, "device %s: mknod", d->path);
	/* mknod honours the umask; set the exact mode and owner */
	if (fchmodat(dfd, name, mode & 07777, 0) < 0)
		return cerr_sys(err, errno, "device %s: chmod", d->path);
	if ((d->has_uid || d->has_gid) &&
	    fchownat(dfd, name, d->has_uid ? d->uid : 0, d->has_gid ? d->gid : 0, AT_SYMLINK_NOFOLLOW) < 0)
		return cerr_sys(err, errno, "device %s: chown", d->path);
	return 0;
}

static int make_link(int rootfd, const char *target, const char *path, cerr *err)
{
	char parent[PATH_MAX];
	const char *name;
	split_parent(path, parent, &name);
	_cleanup_close_ int dfd = mkdir_in_root(rootfd, parent, 0755);
	if (dfd < 0)
		return cerr_sys(err, -dfd, "create %s", parent);
	if (symlinkat(target, dfd, name) < 0 && errno != EEXIST)
		return cerr_sys(err, errno, "symlink %s -> %s", path, target);
	return 0;
}

static bool has_mount_at(const struct oci_spec *s, const char *dest)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (streq(s->mounts[i].destination, dest))
			return true;
	return false;
}

int devices_create(const struct rootfs_opts *o, int rootfd, cerr *err)
{
	const struct oci_spec *s = o->spec;
	int r;
	for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++) {
		bool overridden = false;
		for (size_t k = 0; k < s->linux_.n_devices; k++)
			overridden |= streq(s->linux_.devices[k].path, default_devices[i].path);
		if (!overridden && (r = create_device(o, rootfd, &default_devices[i], err)) < 0)
			return r;
	}
	for (size_t k = 0; k < s->linux_.n_devices; k++)
		if ((r = create_device(o, rootfd, &s->linux_.devices[k], err)) < 0)
			return r;
	static const char *links[][2] = {
		{ "/proc/self/fd", "/dev/fd" }, { "/proc/self/fd/0", "/dev/stdin" },
		{ "/proc/self/fd/1", "/dev/stdout" }, { "/proc/self/fd/2", "/dev/stderr" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if ((r = make_link(rootfd, links[i][0], links[i][1], err)) < 0)
			return r;
	if (has_mount_at(s, "/dev/pts")) {
		/* the container's ptmx must be its own devpts instance's */
		_cleanup_close_ int dev = open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY, 0);
		if (dev >= 0) {
			struct stat st;
			if (fstatat(dev, "ptmx", &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISLNK(st.st_mode))
				unlinkat(dev, "ptmx", 0);
		}
		if ((r = make_link(rootfd, "pts/ptmx", "/dev/ptmx", err)) < 0)
			return r;
	}
	return 0;
}

int rootfs_reopen_dev_null(void)
{
	struct stat st, in;
	_cleanup_close_ int fd = -1;
	for (int i = 0; i < 3; i++) {
		if (fstat(i, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
			continue;
		/* the container's own node: a planted file is not one */
		if (fd < 0 && ((fd = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOFOLLOW)) < 0 || fstat(fd, &in) < 0 ||
			       !S_ISCHR(in.st_mode) || in.st_rdev != makedev(1, 3)))
			return fd < 0 ? -errno : -EPERM;
		if (dup3(fd, i, 0) < 0)
			return -errno;
	}
	return 0;
}
