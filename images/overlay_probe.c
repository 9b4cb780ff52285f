#include "images/overlay_probe.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

static const struct {
	unsigned long magic;
	const char *name;
} fs_names[] = {
	{ 0x794c7630, "overlayfs" }, { 0x01021994, "tmpfs" },  { 0xef53, "ext4" },      { 0x58465342, "xfs" },
	{ 0x9123683e, "btrfs" },     { 0x6969, "nfs" },        { 0x65735546, "fuse" },  { 0x2fc12fc1, "zfs" },
	{ 0x01021997, "9p" },        { 0x858458f6, "ramfs" },  { 0x61756673, "aufs" },  { 0xf2f52010, "f2fs" },
	{ 0x73717368, "squashfs" },
};

const char *fs_name_of(const char *path, char *buf, size_t n)
{
	struct statfs sf;
	if (statfs(path, &sf) < 0) {
		snprintf(buf, n, "unknown (%s)", strerror(errno));
		return buf;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fs_names); i++)
		if ((unsigned long)sf.f_type == fs_names[i].magic)
			return fs_names[i].name;
	snprintf(buf, n, "type 0x%lx", (unsigned long)sf.f_type);
	return buf;
}

const char *overlay_unfit(const char *upper, char *buf, size_t n)
{
	char name[64];
	if (streq(fs_name_of(upper, name, sizeof(name)), "overlayfs"))
		snprintf(buf, n, "%s is on overlayfs, which overlayfs cannot take as an upper layer", upper);
	else
		buf[0] = '\0';
	return buf;
}

int overlay_probe(const char *dir, cerr *err)
{
	char root[PATH_MAX];
	if ((size_t)snprintf(root, sizeof(root), "%s/.overlay-probe-XXXXXX", dir) >= sizeof(root))
		return cerr_set(err, ENAMETOOLONG, "%s: path too long", dir);
	if (!mkdtemp(root))
		return cerr_sys(err, errno, "%s", dir);
	_cleanup_close_ int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char l[PATH_MAX + 8], u[PATH_MAX + 8], w[PATH_MAX + 8], m[PATH_MAX + 8], opts[4 * PATH_MAX];
	snprintf(l, sizeof(l), "%s/l", root);
	snprintf(u, sizeof(u), "%s/u", root);
	snprintf(w, sizeof(w), "%s/w", root);
	snprintf(m, sizeof(m), "%s/m", root);
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s", l, u, w);
	int r = 0;
	if (fd < 0 || mkdir(l, 0755) < 0 || mkdir(u, 0755) < 0 || mkdir(w, 0755) < 0 || mkdir(m, 0755) < 0)
		r = cerr_sys(err, errno, "%s", root);
	else if (mount("overlay", m, "overlay", MS_NOSUID | MS_NODEV, opts) < 0) {
		int e = errno;
		char why[PATH_MAX + 128];
		overlay_unfit(dir, why, sizeof(why));
		r = cerr_set(err, e, "overlayfs cannot mount a rootfs there: %s", why[0] ? why : strerror(e));
	} else
		umount2(m, MNT_DETACH);
	if (fd >= 0)
		clear_dir(fd, NULL, NULL, NULL);
	rmdir(root);
	return r;
}
