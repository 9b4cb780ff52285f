#include "images/img_rootfs.h"
#include "images/overlay_probe.h"
#include "images/whiteout.h"
#include "common/cleanup.h"
#include "common/copytree.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "common/strbuf.h"
#include "common/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* EINVAL says nothing by itself: where the filesystem is why, say so */
static int overlay_failed(int e, const char *upper, const char *target, cerr *err)
{
	char why[PATH_MAX + 128];
	if (e == EINVAL && overlay_unfit(upper, why, sizeof(why))[0])
		return cerr_set(err, e, "mount overlay on %s: %s (use a store on ext4, xfs or btrfs)", target, why);
	return cerr_sys(err, e, "mount overlay on %s", target);
}

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
		return overlay_failed(errno, upper, target, err);
	_cleanup_close_ int mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (mnt < 0)
		return cerr_sys(err, errno, "mount overlay on %s: fsmount", target);
	if (move_mount(mnt, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return cerr_sys(err, errno, "mount overlay on %s: move_mount", target);
	return 0;
}

/* Each lower seen through userns_fd's mappings: a clone of it, idmapped and
 * attached at dir/lower/N (overlayfs takes layers by path from this mount
 * namespace); lowers[i] becomes that path. lower_detach takes them away
 * once the overlay holds its own private clones. */
static int lower_idmapped(char **lowers, size_t n, int bundle_fd, const char *bundle_path, int userns_fd, cerr *err)
{
	if (mkdirat(bundle_fd, "lower", 0700) < 0 && errno != EEXIST)
		return cerr_sys(err, errno, "%s/lower", bundle_path);
	for (size_t i = 0; i < n; i++) {
		char *at = NULL;
		if (asprintf(&at, "%s/lower/%zu", bundle_path, i) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
		_cleanup_free_ char *own = at;
		_cleanup_close_ int tree = open_tree(AT_FDCWD, lowers[i], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		struct mount_attr a = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd };
		if (tree < 0 || mount_setattr(tree, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)
			return cerr_sys(err, errno, "idmap layer %s (the kernel must idmap its filesystem)", lowers[i]);
		if ((mkdir(at, 0700) < 0 && errno != EEXIST) || move_mount(tree, "", AT_FDCWD, at, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return cerr_sys(err, errno, "idmapped layer at %s", at);
		free(lowers[i]);
		lowers[i] = TAKE_PTR(own);
	}
	return 0;
}

static void lower_detach(char **lowers, size_t n, int bundle_fd)
{
	for (size_t i = 0; i < n; i++)
		if (lowers[i] && umount2(lowers[i], MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
			rmdir(lowers[i]);
	unlinkat(bundle_fd, "lower", AT_REMOVEDIR);
}

static int overlay_mount(char **lowers, size_t n, const char *upper, const char *work, const char *target, cerr *err)
{
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
	if (mount("overlay", target, "overlay", MS_NOSUID | MS_NODEV, o.buf) < 0)
		return overlay_failed(errno, upper, target, err);
	return 0;
}

int rootfs_overlay(img_store *s, const img_handle *h, int bundle_fd, const char *bundle_path, const rootfs_ids *ids,
		   cerr *err)
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
	/* overlay lists the top layer first, and refuses a layer twice
	 * (ELOOP): a layer that comes again below (two steps that changed
	 * nothing, an old builder's empty layers) adds nothing to its top
	 * copy, whose files and whiteouts already cover all below it */
	size_t kept = 0;
	for (size_t i = 0; i < h->cfg.n_diff_ids; i++) {
		char *path = store_layer_path(s, h->cfg.diff_ids[h->cfg.n_diff_ids - 1 - i]);
		if (!path)
			return cerr_set(err, ENOMEM, "out of memory");
		if (strv_contains(lowers, path))
			free(path);
		else
			lowers[kept++] = path;
	}
	if (h->cfg.n_diff_ids)
		n = kept;
	if (h->cfg.n_diff_ids == 0) {
		/* an image without layers: an empty lower */
		if (mkdirat(bundle_fd, "empty", 0755) < 0 && errno != EEXIST)
			return cerr_sys(err, errno, "%s/empty", bundle_path);
		if (asprintf(&lowers[0], "%s/empty", bundle_path) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
	}
	if (!ids)
		return overlay_mount(lowers, n, upper, work, target, err);
	/* its root owns the upper directory: what it writes is on disk as its
	 * own ids, never as the host's root */
	if (fchownat(bundle_fd, "upper", ids->root_uid, ids->root_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return cerr_sys(err, errno, "%s: chown", upper);
	int r = lower_idmapped(lowers, n, bundle_fd, bundle_path, ids->userns_fd, err);
	if (r == 0)
		r = overlay_mount(lowers, n, upper, work, target, err);
	lower_detach(lowers, n, bundle_fd);
	return r;
}

int rootfs_bind_sealed(int bundle_fd, const char *bundle_path, cerr *err)
{
	_cleanup_close_ int tree = open_tree(bundle_fd, "rootfs", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);
	struct mount_attr a = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
	if (tree < 0 || mount_setattr(tree, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0 ||
	    move_mount(tree, "", bundle_fd, "rootfs", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return cerr_sys(err, errno, "bind %s/rootfs on itself nosuid,nodev", bundle_path);
	return 0;
}

/* A layer's overlay whiteouts delete what lower layers had; its opaque
 * directories hide their content. */
static int flatten_entry(void *ud, int src, int dst, const char *name, const struct stat *st, bool exists)
{
	if (!wh_is_overlay(st))
		return 0;
	int r = exists ? rm_rf_at(dst, name) : 0;
	return r < 0 ? r : 1;
}

static int flatten_merge_dir(void *ud, int src_dir, int dst_dir)
{
	return wh_is_opaque(src_dir) ? clear_dir(dst_dir, NULL, NULL, NULL) : 0;
}

int flatten_layer(int src_fd, int dst_fd, cerr *err)
{
	static const struct copy_hooks hooks = { .entry = flatten_entry, .merge_dir = flatten_merge_dir };
	return copy_tree(src_fd, dst_fd, &hooks, err);
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
