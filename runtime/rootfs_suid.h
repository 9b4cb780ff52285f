/* rootfs_suid.c: A rootfs that corral mounted nosuid on the host
 * (ANNOT_ROOTFS_SUID, bundle/spec.h), seen with suid again by the container,
 * where the kernel lets a mount's nosuid go: in the init's own bind of it
 * when the container has no user namespace, and on the idmapped tree the
 * parent hands over (run.oci.idmap-rootfs). */
#pragma once
#include "runtime/rootfs.h"

/* ANNOT_ROOTFS_SUID (rootfs_suid.c): its value true or false; whether it
 * is true and rootfs is a mount of its own; clear nosuid on the mount open
 * at fd (not below it). */
int rootfs_suid_check(const struct oci_spec *s, cerr *err);
bool rootfs_suid_wanted(const struct oci_spec *s, const char *rootfs);
int rootfs_suid_give(int fd, const char *path, cerr *err);
