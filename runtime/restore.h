/* restore.c: corral restore: the container of a bundle made again from criu's
 * images, as runc restores it: its state directory and cgroup first, the
 * rootfs bound where criu roots the tree, the binds and masked files given
 * back as external mounts, and the restored init a child of ours. */
#pragma once
#include "runtime/checkpoint.h"

/* Create the container of o->bundle from the images in k->image_path; c
 * gets its restored init (a child of this process). */
int container_restore(const struct create_opts *o, const struct ckpt_opts *k, struct container *c, cerr *err);
/* The same with the bundle already prepared (corral-monitor's standby). */
int container_restore_prepared(const struct create_opts *o, const struct create_prep *p, const struct ckpt_opts *k,
			       struct container *c, cerr *err);
