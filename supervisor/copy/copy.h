/* corral-copy, the child that does CopyFrom and CopyTo (ctr_copy.c starts
 * it), so that corrald itself never links libarchive nor walks a
 * container's files. It serves one upgraded connection (fd 3) in the
 * Streams frames: CopyFrom sends the tar in STDOUT frames, CopyTo takes it
 * in STDIN frames up to CLOSE_STDIN; both end with EXIT (0, or 1 after a
 * STDERR frame that says why).
 *
 * Every path is resolved inside the container's root (openat2
 * RESOLVE_IN_ROOT), and every name below it is opened without following
 * it, so that a container's symlinks and ".." lead nowhere outside its
 * root, however it changes its files while the copy runs. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "common/error.h"
#include "supervisor/varlink/streams.h"

/* A stalled client holds a copy this long at most, per read or write. */
#define COPY_IO_TIMEOUT_SEC 300
/* What a copy may hold, either way. */
#define COPY_MAX_ENTRIES 1000000u
#define COPY_MAX_DEPTH 256

/* The container's root: a running container's is its init's
 * (/proc/PID/root, with its mounts), checked to be the process in cgroup
 * at the moment it is opened; a stopped one's is its rootfs directory. */
typedef struct copy_root {
	const char *dir;    /* or NULL */
	pid_t pid;          /* with cgroup */
	const char *cgroup; /* its cgroup, below the cgroup2 mount */
} copy_root;

