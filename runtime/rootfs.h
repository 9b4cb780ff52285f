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

/* Make / private (or as configured), bind the rootfs, apply the config's
 * mounts in order, create devices and the /dev links. A container without
 * a mount namespace of its own gets none of it: its mounts would outlive
 * it in a namespace it does not own (create refuses what needs them). */
int rootfs_prepare(const struct rootfs_opts *o, cerr *err);
/* ANNOT_ROOTFS_SUID (rootfs_suid.c): its value true or false; whether it
 * is true and rootfs is a mount of its own; clear nosuid on the mount open
 * at fd (not below it). */
int rootfs_suid_check(const struct oci_spec *s, cerr *err);
bool rootfs_suid_wanted(const struct oci_spec *s, const char *rootfs);
int rootfs_suid_give(int fd, const char *path, cerr *err);
/* pivot_root (or MS_MOVE + chroot) into the rootfs; chroot alone without
 * a mount namespace of its own. */
int rootfs_enter(const struct rootfs_opts *o, cerr *err);
/* After entering: propagation, sysctls, masked and readonly paths,
 * readonly root. */
int rootfs_finish(const struct rootfs_opts *o, cerr *err);
/* linux.sysctl's key (net.ipv4.x) written under /proc/sys. */
int sysctl_write(const char *key, const char *value, cerr *err);
/* Bind the pty slave at /dev/console inside the rootfs (before entering). */
int rootfs_bind_console(const struct rootfs_opts *o, const char *slave, cerr *err);
/* Inside the root: stdio that is the host's /dev/null becomes the
 * container's own, as runc reopens it, so that nothing of the host's mount
 * namespace is held open, and criu can dump the tree. */
int rootfs_reopen_dev_null(void);
