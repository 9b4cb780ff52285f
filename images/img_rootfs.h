/* A container rootfs from an image's layers: an overlayfs mount of the
 * layer directories under a per-bundle upper and work directory, or a
 * flattened copy with the whiteouts applied by deletion.
 *
 * On the host either is a mount nosuid,nodev (as podman mounts its
 * rootfs): nobody runs a container's setuid file, or opens its device
 * node, by its path on the host. The bundle's config.json says so with
 * ANNOT_ROOTFS_SUID (bundle/spec.h), and the runtime gives the container's
 * own view suid back where the kernel lets it. */
#pragma once
#include <sys/types.h>
#include "common/error.h"
#include "images/image.h"
#include "images/store.h"

/* A container in a user namespace: its layers are seen through idmapped
 * mounts (userns_fd's mappings), and its upper directory is its root's. */
typedef struct rootfs_ids {
	int userns_fd;
	uid_t root_uid; /* container root, on the host */
	gid_t root_gid;
} rootfs_ids;

/* Mount overlay on dir/rootfs with dir/upper and dir/work (all created);
 * ids: NULL, the layers as they are on disk. */
int rootfs_overlay(img_store *s, const img_handle *h, int bundle_fd, const char *bundle_path, const rootfs_ids *ids,
		   cerr *err);
/* The copy at bundle_fd's rootfs bound on itself, nosuid,nodev. */
int rootfs_bind_sealed(int bundle_fd, const char *bundle_path, cerr *err);
/* Copy the layers, bottom first, into the empty directory rootfs_fd. */
int rootfs_flatten(img_store *s, const img_handle *h, int rootfs_fd, cerr *err);
/* Copy one layer directory over dst, applying its overlay whiteouts and
 * opaque directories. Exposed for tests. */
int flatten_layer(int src_fd, int dst_fd, cerr *err);
