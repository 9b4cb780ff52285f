/* mounts.c: Mounts from config.json, applied inside the rootfs. */
#pragma once
#include "runtime/rootfs.h"

/* Make / private (or as configured), bind the rootfs, apply the config's
 * mounts in order, create devices and the /dev links. A container without
 * a mount namespace of its own gets none of it: its mounts would outlive
 * it in a namespace it does not own (create refuses what needs them). */
int rootfs_prepare(const struct rootfs_opts *o, cerr *err);
/* pivot_root (or MS_MOVE + chroot) into the rootfs; chroot alone without
 * a mount namespace of its own. */
int rootfs_enter(const struct rootfs_opts *o, cerr *err);
/* Bind the pty slave at /dev/console inside the rootfs (before entering). */
int rootfs_bind_console(const struct rootfs_opts *o, const char *slave, cerr *err);
