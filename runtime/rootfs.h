/* The container's filesystem view, built in the child's mount namespace. */
#pragma once
#include <stdbool.h>
#include "bundle/spec.h"

struct rootfs_opts {
	const struct oci_spec *spec;
	const char *rootfs;  /* absolute host path */
	const char *bundle;  /* absolute; relative mount sources resolve here */
	bool userns;         /* mknod is not allowed: bind host devices */
	bool no_pivot;
	bool shared_mountns; /* no mount namespace of its own: chroot, never mount */
	int rootfs_tree;         /* idmapped rootfs from the parent, or -1 */
	const int *mount_trees;  /* per mount: an idmapped tree, or -1; may be NULL */
};

