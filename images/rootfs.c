#include "images/rootfs.h"
#include "images/whiteout.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/strbuf.h"
#include "common/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

/* The new mount API takes one lower layer per call ("lowerdir+", Linux
 * 6.8), so neither the page-sized option limit nor ':' and ',' in paths
 * matter. */
static int overlay_fsconfig(char **lowers, size_t n, const char *upper, const char *work, const char *target,
			    cerr *err)
{
	_cleanup_close_ int fs = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs < 0)
		return cerr_sys(err, errno, "mount overlay on %s: fsopen", target);
	for (size_t i = 0; i < n; i++)
		if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", lowers[i], 0) < 0)
			return cerr_sys(err, errno, "mount overlay on %s: lowerdir+ %s", target, lowers[i]);
	if (fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "workdir", work, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return cerr_sys(err, errno, "mount overlay on %s", target);
	_cleanup_close_ int mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV);
	if (mnt < 0)
		return cerr_sys(err, errno, "mount overlay on %s: fsmount", target);
	if (move_mount(mnt, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return cerr_sys(err, errno, "mount overlay on %s: move_mount", target);
	return 0;
}

int rootfs_overlay(img_store *s, const img_handle *h, int bundle_fd, const char *bundle_path, cerr *err)
{
	static const char *dirs[] = { "rootfs", "upper", "work" };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (mkdirat(bundle_fd, dirs[i], 0755) < 0 && errno != EEXIST)
			return cerr_sys(err, errno, "%s/%s", bundle_path, dirs[i]);
	size_t n = h->cfg.n_diff_ids ? h->cfg.n_diff_ids : 1;
	_cleanup_strv_ char **lowers = calloc(n + 1, sizeof(char *));
	_cleanup_free_ char *upper = NULL, *work = NULL, *target = NULL;
	if (!lowers || asprintf(&upper, "%s/upper", bundle_path) < 0 || asprintf(&work, "%s/work", bundle_path) < 0 ||
	    asprintf(&target, "%s/rootfs", bundle_path) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	/* overlay lists the top layer first */
	for (size_t i = 0; i < h->cfg.n_diff_ids; i++)
		if (!(lowers[i] = store_layer_path(s, h->cfg.diff_ids[h->cfg.n_diff_ids - 1 - i])))
			return cerr_set(err, ENOMEM, "out of memory");
	if (h->cfg.n_diff_ids == 0) {
		/* an image without layers: an empty lower */
		if (mkdirat(bundle_fd, "empty", 0755) < 0 && errno != EEXIST)
			return cerr_sys(err, errno, "%s/empty", bundle_path);
		if (asprintf(&lowers[0], "%s/empty", bundle_path) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
	}
	_cleanup_strbuf_ strbuf o = STRBUF_INIT;
	bool plain = !strpbrk(upper, ",:\\");
	sb_adds(&o, "lowerdir=");
	for (size_t i = 0; i < n; i++) {
		plain = plain && !strpbrk(lowers[i], ",:\\");
		sb_addf(&o, "%s%s", lowers[i], i + 1 < n ? ":" : "");
	}
	sb_addf(&o, ",upperdir=%s,workdir=%s", upper, work);
	if (!o.buf)
		return cerr_set(err, ENOMEM, "out of memory");
	if (!plain || o.len >= 4000)
		return overlay_fsconfig(lowers, n, upper, work, target, err);
	if (mount("overlay", target, "overlay", MS_NODEV, o.buf) < 0)
		return cerr_sys(err, errno, "mount overlay on %s", target);
	return 0;
}

static int copy_xattrs(int src, int dst)
{
	char names[4096];
	ssize_t n = flistxattr(src, names, sizeof(names));
	for (ssize_t off = 0; n > 0 && off < n; off += (ssize_t)strlen(names + off) + 1) {
		const char *name = names + off;
		if (strncmp(name, "trusted.overlay.", 16) == 0)
			continue;
		char val[4096];
		ssize_t vl = fgetxattr(src, name, val, sizeof(val));
		if (vl >= 0)
			fsetxattr(dst, name, val, (size_t)vl, 0);
	}
	return 0;
}

static int copy_data(int in, int out)
{
	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (n == 0)
			return 0;
		if (n > 0)
			continue;
		if (errno == EINTR)
			continue;
		if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
			return -errno;
		break;
	}
	char buf[65536];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (ssize_t w, off = 0; off < n; off += w)
			if ((w = write(out, buf + off, (size_t)(n - off))) < 0)
				return -errno;
	}
}

static int clear_dir(int dfd)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	struct dirent *de;
	int r = 0;
	while ((de = readdir(d)))
		if (!streq(de->d_name, ".") && !streq(de->d_name, "..")) {
			int q = rm_rf_at(dfd, de->d_name);
			if (q < 0 && !r)
				r = q;
		}
	closedir(d);
	return r;
}

/* Hardlinks inside one layer stay hardlinks: the first copy of an inode is
 * remembered by an O_PATH fd, later names link to it. */
#define LINKS_MAX 256
typedef struct flat_ctx {
	struct { dev_t dev; ino_t ino; int fd; } l[LINKS_MAX];
	size_t n;
} flat_ctx;

static int link_known(flat_ctx *c, int dst, const char *name, const struct stat *st)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->l[i].dev == st->st_dev && c->l[i].ino == st->st_ino)
			return linkat(c->l[i].fd, "", dst, name, AT_EMPTY_PATH) == 0 ? 1 : 0;
	return 0;
}

static void remember(flat_ctx *c, int dst, const char *name, const struct stat *st)
{
	if (c->n >= LINKS_MAX)
		return;
	int fd = openat(dst, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	c->l[c->n].dev = st->st_dev;
	c->l[c->n].ino = st->st_ino;
	c->l[c->n].fd = fd;
	c->n++;
}

static int copy_entry(flat_ctx *c, int src, int dst, const char *name, const struct stat *st)
{
	if (S_ISREG(st->st_mode) && st->st_nlink > 1 && link_known(c, dst, name, st))
		return 0;
	if (S_ISREG(st->st_mode)) {
		_cleanup_close_ int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		_cleanup_close_ int out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (in < 0 || out < 0)
			return -errno;
		int r = copy_data(in, out);
		if (r < 0)
			return r;
		if (fchown(out, st->st_uid, st->st_gid) < 0)
			return -errno;
		copy_xattrs(in, out);
		if (fchmod(out, st->st_mode & 07777) < 0)
			return -errno;
		struct timespec ts[2] = { st->st_atim, st->st_mtim };
		futimens(out, ts);
		if (st->st_nlink > 1)
			remember(c, dst, name, st);
		return 0;
	}
	if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		if (symlinkat(target, dst, name) < 0 || fchownat(dst, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		return 0;
	}
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) || S_ISFIFO(st->st_mode)) {
		if (mknodat(dst, name, st->st_mode, st->st_rdev) < 0 ||
		    fchownat(dst, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
		    fchmodat(dst, name, st->st_mode & 07777, 0) < 0)
			return -errno;
		return 0;
	}
	return 0; /* sockets are not copied */
}

/* Every descent opens the next directory with O_NOFOLLOW from its parent's
 * fd, so a symlink in the tree being built is replaced, never followed. */
static int flatten_dir(flat_ctx *c, int src, int dst, const char *path, cerr *err)
{
	int fd = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return cerr_sys(err, errno, "flatten %s", path);
	}
	struct dirent *de;
	int r = 0;
	while (r == 0 && (de = readdir(d))) {
		const char *name = de->d_name;
		if (streq(name, ".") || streq(name, ".."))
			continue;
		struct stat st, cur;
		if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = cerr_sys(err, errno, "flatten %s/%s", path, name);
			break;
		}
		bool exists = fstatat(dst, name, &cur, AT_SYMLINK_NOFOLLOW) == 0;
		if (wh_is_overlay(&st)) {
			if (exists && (r = rm_rf_at(dst, name)) < 0)
				r = cerr_sys(err, -r, "flatten %s/%s: whiteout", path, name);
			continue;
		}
		_cleanup_free_ char *sub = NULL;
		if (asprintf(&sub, "%s/%s", path, name) < 0) {
			r = cerr_set(err, ENOMEM, "out of memory");
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			_cleanup_close_ int s2 = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (s2 < 0) {
				r = cerr_sys(err, errno, "flatten %s", sub);
				break;
			}
			if (exists && !S_ISDIR(cur.st_mode)) {
				if (unlinkat(dst, name, 0) < 0) {
					r = cerr_sys(err, errno, "flatten %s", sub);
					break;
				}
				exists = false;
			}
			if (!exists && mkdirat(dst, name, 0700) < 0) {
				r = cerr_sys(err, errno, "flatten %s", sub);
				break;
			}
			_cleanup_close_ int d2 = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (d2 < 0) {
				r = cerr_sys(err, errno, "flatten %s", sub);
				break;
			}
			if (exists && wh_is_opaque(s2) && (r = clear_dir(d2)) < 0) {
				r = cerr_sys(err, -r, "flatten %s: opaque", sub);
				break;
			}
			if (fchown(d2, st.st_uid, st.st_gid) < 0 || fchmod(d2, st.st_mode & 07777) < 0) {
				r = cerr_sys(err, errno, "flatten %s", sub);
				break;
			}
			copy_xattrs(s2, d2);
			r = flatten_dir(c, s2, d2, sub, err);
			continue;
		}
		if (exists && (r = rm_rf_at(dst, name)) < 0) {
			r = cerr_sys(err, -r, "flatten %s", sub);
			break;
		}
		if ((r = copy_entry(c, src, dst, name, &st)) < 0)
			r = cerr_sys(err, -r, "flatten %s", sub);
	}
	closedir(d);
	return r;
}

int flatten_layer(int src_fd, int dst_fd, cerr *err)
{
	flat_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return cerr_set(err, ENOMEM, "out of memory");
	int r = flatten_dir(c, src_fd, dst_fd, "", err);
	for (size_t i = 0; i < c->n; i++)
		close(c->l[i].fd);
	free(c);
	return r;
}

int rootfs_flatten(img_store *s, const img_handle *h, int rootfs_fd, cerr *err)
{
	for (size_t i = 0; i < h->cfg.n_diff_ids; i++) {
		const char *hex = digest_hex(h->cfg.diff_ids[i]);
		_cleanup_close_ int l = openat(s->layers_fd, hex, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (l < 0)
			return cerr_sys(err, errno, "layer %s", h->cfg.diff_ids[i]);
		struct stat st;
		if (fstat(l, &st) == 0 && i == 0)
			(void)(fchown(rootfs_fd, st.st_uid, st.st_gid) || fchmod(rootfs_fd, st.st_mode & 07777));
		int r = flatten_layer(l, rootfs_fd, err);
		if (r < 0)
			return cerr_wrap(err, "layer %s", h->cfg.diff_ids[i]);
	}
	return 0;
}
