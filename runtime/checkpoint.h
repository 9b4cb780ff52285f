/* checkpoint and restore through criu, with runc's options and runc's
 * choices of what criu is told. */
#pragma once
#include <stdbool.h>
#include "container.h"

#define CRIU_ROOT "criu-root" /* in the state directory: the rootfs bound, while criu restores */

struct ckpt_opts {
	const char *criu;          /* binary (--criu) */
	const char *image_path;    /* images: dump writes, restore reads */
	const char *work_path;     /* logs; the image path when NULL */
	const char *parent_path;   /* a pre-dump's images, relative to image_path */
	const char *manage_cgroups; /* soft, full, strict or ignore; NULL: criu's */
	bool leave_running, tcp_established, ext_unix_sk, shell_job, file_locks, pre_dump, auto_dedup;
	bool empty_net;            /* --empty-ns network */
	const char *lsm_profile, *lsm_mount_context; /* restore: passed to criu (3.16 and later) */
};

/* Dump the running container; without leave_running (or pre_dump) it is
 * deleted after. Nothing is dumped, and the container runs on, when criu
 * could not restore what its config asks for (no_new_privs before criu
 * 3.19), when criu cannot work here, or when the dump fails. */
int container_checkpoint(const char *root, const char *id, const struct ckpt_opts *o, cerr *err);
