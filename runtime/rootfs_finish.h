/* rootfs_finish.c: Inside the new root: propagation, sysctls, masked and
 * readonly paths, and the readonly root. */
#pragma once
#include "runtime/rootfs.h"

/* After entering: propagation, sysctls, masked and readonly paths,
 * readonly root. */
int rootfs_finish(const struct rootfs_opts *o, cerr *err);
/* linux.sysctl's key (net.ipv4.x) written under /proc/sys. */
int sysctl_write(const char *key, const char *value, cerr *err);
