#include "supervisor/daemon/containers/record/img_source.h"
#include "bundle/bundle_userns.h"
#include "supervisor/daemon/containers/record/ctr_ids.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "images/image.h"
#include "images/refs.h"
#include "images/img_rootfs.h"
#include "images/store.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void image_ref_release(image_ref *r)
{
	free(r->id);
	free(r->manifest);
	free(r->name);
	free(r->rootfs);
	strv_free(r->env);
	strv_free(r->entrypoint);
	strv_free(r->cmd);
	free(r->workdir);
	free(r->user);
	free(r->stop_signal);
	free(r->healthcheck);
	strv_free(r->volumes);
	if (r->store) {
		store_close(r->store);
		free(r->store);
	}
	memset(r, 0, sizeof(*r));
}

void imagesrc_release(const char *dir)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/rootfs", dir);
	if (umount2(p, UMOUNT_NOFOLLOW) < 0 && errno == EBUSY)
		umount2(p, MNT_DETACH | UMOUNT_NOFOLLOW);
}

int imagesrc_seal(const char *dir, cerr *err)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/rootfs", dir);
	struct statx stx;
	if (statx(AT_FDCWD, p, AT_SYMLINK_NOFOLLOW, 0, &stx) < 0 || !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		return 0; /* not mounted: a start mounts it so */
	struct mount_attr a = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
	if (mount_setattr(AT_FDCWD, p, AT_SYMLINK_NOFOLLOW, &a, sizeof(a)) < 0)
		return cerr_sys(err, errno, "%s: make it nosuid,nodev", p);
	return 0;
}

static char **copy_or_null(char **v)
{
	return v ? strv_copy(v) : NULL;
}

static int from_store(const char *state_dir, const refs_view *v, const char *image, const char *dir,
		      const rootfs_ids *ids, image_ref *out, cerr *err)
{
	_cleanup_free_ img_store *s = malloc(sizeof(*s));
	if (!s)
		return cerr_set(err, ENOMEM, "out of memory");
	int r = store_open_nowait(s, state_dir, err);
	if (r < 0)
		return r;
	_cleanup_(image_handle_free) img_handle h = { 0 };
	_cleanup_close_ int bfd = -1;
	if ((r = image_lookup(s, v, image, &h, err)) < 0) {
		r = r == -ENOENT || r == -EINVAL ? cerr_set(err, ENOENT, "no such image: %s", image) : r;
		goto fail;
	}
	if ((bfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = cerr_sys(err, errno, "%s", dir);
		goto fail;
	}
	if ((r = rootfs_overlay(s, &h, bfd, dir, ids, err)) < 0)
		goto fail;
	out->store = TAKE_PTR(s);
	char rootfs[PATH_MAX];
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", dir);
	out->id = strdup(h.id);
	out->manifest = strdup(h.manifest);
	out->name = strdup(h.name ? h.name : image); /* podman's: the name, not an ID typed */
	out->rootfs = strdup(rootfs);
	out->env = copy_or_null(h.cfg.env);
	out->entrypoint = copy_or_null(h.cfg.entrypoint);
	out->cmd = copy_or_null(h.cfg.cmd);
	out->workdir = h.cfg.workdir ? strdup(h.cfg.workdir) : NULL;
	out->user = h.cfg.user ? strdup(h.cfg.user) : NULL;
	out->stop_signal = h.cfg.stop_signal ? strdup(h.cfg.stop_signal) : NULL;
	out->healthcheck = h.cfg.healthcheck ? strdup(h.cfg.healthcheck) : NULL;
	out->volumes = copy_or_null(h.cfg.volumes);
	if (!out->id || !out->manifest || !out->name || !out->rootfs) {
		image_ref_release(out);
		imagesrc_release(dir);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	return 0;
fail:
	store_close(s);
	return r;
}

int imagesrc_resolve(const char *state_dir, const refs_view *v, const char *image, const char *dir,
		     const rootfs_ids *ids, image_ref *out, cerr *err)
{
	memset(out, 0, sizeof(*out));
	struct stat st;
	if (image[0] != '/')
		return from_store(state_dir, v, image, dir, ids, out, err);
	if (stat(image, &st) < 0 || !S_ISDIR(st.st_mode))
		return cerr_set(err, ENOENT, "no such image: %s", image);
	out->id = strdup(image);
	out->name = strdup(image);
	out->rootfs = strdup(image);
	out->shared = true;
	if (!out->id || !out->name || !out->rootfs) {
		image_ref_release(out);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

/* After a reboot the overlay is gone, while upper/ keeps what the container
 * wrote: mount it again from the manifest its config.json holds. */
int imagesrc_remount(const char *state_dir, const char *dir, const char *manifest, cerr *err)
{
	char rootfs[PATH_MAX];
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", dir);
	struct stat a, b;
	if (stat(dir, &a) < 0)
		return cerr_sys(err, errno, "%s", dir);
	if (stat(rootfs, &b) == 0 && a.st_dev != b.st_dev)
		return 0; /* mounted */
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	int r = store_open_nowait(&s, state_dir, err);
	if (r < 0)
		return r;
	_cleanup_(image_handle_free) img_handle h = { 0 };
	if ((r = image_load(&s, manifest, &h, err)) < 0)
		return cerr_wrap(err, "mount the rootfs again");
	for (size_t i = 0; i < h.cfg.n_diff_ids; i++)
		if (!store_has_layer(&s, h.cfg.diff_ids[i]))
			return cerr_set(err, ENOENT, "mount the rootfs again: layer %s is missing from the store",
					h.cfg.diff_ids[i]);
	_cleanup_close_ int bfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bfd < 0)
		return cerr_sys(err, errno, "%s", dir);
	ctr_ids ci;
	rootfs_ids rids = { .userns_fd = -1 };
	if ((r = bundle_userns_maps(dir, ci.uid, ci.gid, err)) < 0 || (r > 0 && (r = ctr_ids_rootfs(&ci, &rids, err)) < 0))
		return cerr_wrap(err, "mount the rootfs again");
	_cleanup_close_ int userns = rids.userns_fd;
	return rootfs_overlay(&s, &h, bfd, dir, userns >= 0 ? &rids : NULL, err);
}
