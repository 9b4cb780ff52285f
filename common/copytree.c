#include "copytree.h"
#include "cleanup.h"
#include "fileio.h"
#include "safepath.h"
#include "common/rm_rf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

static void copy_xattrs(int src, int dst)
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

/* Hardlinks stay hardlinks: the first copy of an inode is remembered by its
 * path in the copy, and later names link to it, looked up again within the
 * copy (never out of it by a symlink put there meanwhile). Every one is
 * remembered, so that an image's millions of links to one large file are
 * no million copies of it; past LINKS_MAX the copy is refused. */
#define LINKS_MAX (1u << 16)
typedef struct link_seen {
	dev_t dev;
	ino_t ino;
	char *path; /* in the copy, from its top; NULL: a free slot */
} link_seen;
typedef struct copy_ctx {
	const struct copy_hooks *hooks;
	int root;     /* the copy's top */
	link_seen *l; /* open addressing, at most half full */
	size_t n, cap;
} copy_ctx;

static size_t slot_of(const copy_ctx *c, dev_t dev, ino_t ino)
{
	size_t i = (size_t)((ino * 0x9e3779b97f4a7c15ull) ^ dev) & (c->cap - 1);
	while (c->l[i].path && (c->l[i].dev != dev || c->l[i].ino != ino))
		i = (i + 1) & (c->cap - 1);
	return i;
}

static int link_known(copy_ctx *c, int dst, const char *name, const struct stat *st)
{
	if (!c->cap)
		return 0;
	const link_seen *e = &c->l[slot_of(c, st->st_dev, st->st_ino)];
	if (!e->path)
		return 0;
	_cleanup_close_ int first = open_in_root(c->root, e->path, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	return first >= 0 && linkat(first, "", dst, name, AT_EMPTY_PATH) == 0 ? 1 : 0;
}

static int grow(copy_ctx *c)
{
	size_t cap = c->cap ? c->cap * 2 : 128;
	link_seen *old = c->l;
	size_t old_cap = c->cap;
	if (!(c->l = calloc(cap, sizeof(*c->l)))) {
		c->l = old;
		return -ENOMEM;
	}
	c->cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].path)
			c->l[slot_of(c, old[i].dev, old[i].ino)] = old[i];
	free(old);
	return 0;
}

/* sub: the entry's path in the copy ("/a/b"); 0, or -errno */
static int remember(copy_ctx *c, const char *sub, const struct stat *st)
{
	if (c->n >= LINKS_MAX)
		return -EMLINK;
	int r;
	if (2 * (c->n + 1) > c->cap && (r = grow(c)) < 0)
		return r;
	link_seen *e = &c->l[slot_of(c, st->st_dev, st->st_ino)];
	if (e->path)
		return 0;
	if (!(e->path = strdup(sub + 1)))
		return -ENOMEM;
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	c->n++;
	return 0;
}

static int copy_entry(copy_ctx *c, int src, int dst, const char *name, const char *sub, const struct stat *st)
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
		return st->st_nlink > 1 ? remember(c, sub, st) : 0;
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

static int copy_subdir(copy_ctx *c, int src, int dst, const char *name, const struct stat *st, bool exists,
		       const struct stat *cur, const char *sub, cerr *err);

static int copy_dir(copy_ctx *c, int src, int dst, const char *path, cerr *err)
{
	int fd = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return cerr_sys(err, errno, "copy %s", path[0] ? path : "/");
	}
	struct dirent *de;
	int r = 0;
	while (r == 0 && (de = readdir(d))) {
		const char *name = de->d_name;
		if (streq(name, ".") || streq(name, ".."))
			continue;
		_cleanup_free_ char *sub = NULL;
		if (asprintf(&sub, "%s/%s", path, name) < 0) {
			r = cerr_set(err, ENOMEM, "out of memory");
			break;
		}
		struct stat st, cur;
		if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = cerr_sys(err, errno, "copy %s", sub);
			break;
		}
		bool exists = fstatat(dst, name, &cur, AT_SYMLINK_NOFOLLOW) == 0;
		int h = c->hooks && c->hooks->entry ? c->hooks->entry(c->hooks->ud, src, dst, name, &st, exists) : 0;
		if (h != 0) {
			r = h < 0 ? cerr_sys(err, -h, "copy %s", sub) : 0;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			r = copy_subdir(c, src, dst, name, &st, exists, &cur, sub, err);
			continue;
		}
		if (exists && (r = rm_rf_at(dst, name)) < 0) {
			r = cerr_sys(err, -r, "copy %s", sub);
			break;
		}
		if ((r = copy_entry(c, src, dst, name, sub, &st)) < 0)
			r = cerr_sys(err, -r, "copy %s", sub);
	}
	closedir(d);
	return r;
}

static int copy_subdir(copy_ctx *c, int src, int dst, const char *name, const struct stat *st, bool exists,
		       const struct stat *cur, const char *sub, cerr *err)
{
	_cleanup_close_ int s2 = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s2 < 0)
		return cerr_sys(err, errno, "copy %s", sub);
	if (exists && !S_ISDIR(cur->st_mode)) {
		if (unlinkat(dst, name, 0) < 0)
			return cerr_sys(err, errno, "copy %s", sub);
		exists = false;
	}
	if (!exists && mkdirat(dst, name, 0700) < 0)
		return cerr_sys(err, errno, "copy %s", sub);
	_cleanup_close_ int d2 = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (d2 < 0)
		return cerr_sys(err, errno, "copy %s", sub);
	int r;
	if (exists && c->hooks && c->hooks->merge_dir && (r = c->hooks->merge_dir(c->hooks->ud, s2, d2)) < 0)
		return cerr_sys(err, -r, "copy %s", sub);
	if (fchown(d2, st->st_uid, st->st_gid) < 0 || fchmod(d2, st->st_mode & 07777) < 0)
		return cerr_sys(err, errno, "copy %s", sub);
	copy_xattrs(s2, d2);
	return copy_dir(c, s2, d2, sub, err);
}

int copy_tree(int src, int dst, const struct copy_hooks *hooks, cerr *err)
{
	copy_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return cerr_set(err, ENOMEM, "out of memory");
	c->hooks = hooks;
	c->root = dst;
	int r = copy_dir(c, src, dst, "", err);
	for (size_t i = 0; i < c->cap; i++)
		free(c->l[i].path);
	free(c->l);
	free(c);
	return r;
}
