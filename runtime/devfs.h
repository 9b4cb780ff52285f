/* devfs.c: /dev: the default devices, linux.devices, and the standard
 * links. */
#pragma once
#include "runtime/rootfs.h"

/* Inside the root: stdio that is the host's /dev/null becomes the
 * container's own, as runc reopens it, so that nothing of the host's mount
 * namespace is held open, and criu can dump the tree. */
int rootfs_reopen_dev_null(void);
