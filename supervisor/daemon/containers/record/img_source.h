/* What corrald needs of an image to build a bundle: a root filesystem and
 * the image's defaults. Until the image store is linked in, an image may be
 * given as the absolute path of a root filesystem directory (shared,
 * mounted read-only, with a tmpfs on /tmp). */
#pragma once
#include "images/img_rootfs.h"
#include <stdbool.h>
#include "common/error.h"

struct refs_view;

typedef struct image_ref {
	char *id;     /* digest, or the directory */
	char *manifest; /* the manifest digest of a store image, else NULL */
	char *name;   /* its full name (podman's ImageName), else what was given */
	char *rootfs; /* directory */
	bool shared;  /* rootfs is shared between containers: keep it read-only */
	char **env, **entrypoint, **cmd;
	char *workdir, *user, *stop_signal;
	char *healthcheck; /* the config's Healthcheck as JSON text; NULL: none */
	char **volumes;    /* the config's Volumes; NULL: none */
	struct img_store *store; /* open, and so locked against gc, until released */
} image_ref;

/* -ENOENT: no such image (err says so), or none in view v (refs.h; the
 * creator's, img_owner.h). An image of the store (under state_dir) gets an overlay rootfs at dir/rootfs; a directory image is
 * used as it is. The store stays locked (shared) until image_ref_release:
 * by then dir/config.json must carry GC_BUNDLE_ANNOTATION, which holds the
 * image against gc for as long as dir exists. */
int imagesrc_resolve(const char *state_dir, const struct refs_view *v, const char *image, const char *dir,
		     const rootfs_ids *ids, image_ref *out, cerr *err);
/* Mount a store image's overlay at dir/rootfs again unless it is mounted
 * (it is not after a reboot), with the ids of dir/config.json's own user
 * namespace when it has one (ctr_ids.h). */
int imagesrc_remount(const char *state_dir, const char *dir, const char *manifest, cerr *err);
/* The overlay at dir/rootfs, if it is mounted, made nosuid,nodev on the
 * host, as images/img_rootfs.h mounts it today (an older corrald did not);
 * the views of running containers are theirs, and keep their flags. */
int imagesrc_seal(const char *dir, cerr *err);
/* Undo what resolve made in dir (the overlay mount); idempotent. */
void imagesrc_release(const char *dir);
void image_ref_release(image_ref *r);
