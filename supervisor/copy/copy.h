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

/* An O_PATH fd of the root, or -errno with err set. */
int copy_open_root(const copy_root *r, cerr *err);
/* Once the root is open: a container in a user namespace of its own (its
 * directory's config.json, bundle_userns.h) is copied as its root, in a user
 * namespace of the same ids, so that a tar's owners land as the container's
 * ids (a member's setuid "root" file in a bind is the member's); 0 when it
 * has none. */
int copy_become_its_root(const char *ctr_dir, cerr *err);
/* CopyFrom: a tar of path (its last name not followed) in STDOUT frames;
 * files' setuid and setgid bits kept only with keep_setid (a member's copy). */
int copy_out(int rootfd, const char *path, int sock, bool keep_setid, cerr *err);
/* Changes (changes.c): each path the upper directory changed, against
 * the lower layer directories (bottom first), as "KIND PATH" lines to out:
 * A added, C changed, D deleted. */
int copy_changes(const char *upper, char *const *lowers, FILE *out, cerr *err);
/* CopyTo: the tar in sock's STDIN frames unpacked into the directory path,
 * owned by root, or as the tar says with owners. */
int copy_in(int rootfd, const char *path, int sock, bool owners, cerr *err);
/* ImageLoad without a path: the archive in sock's STDIN frames (at most max
 * bytes) spooled into an unnamed file of spool_dir, then argv (corral-images
 * image load, reading /proc/self/fd/3) run with it as fd 3. ImageSave
 * without one: argv (image save, writing /proc/self/fd/3) run with a pipe
 * as fd 3, which goes out in STDOUT frames. Either tells the client how
 * corral-images ended (STDOUT: what it printed, for a load; STDERR: its
 * last complaint; EXIT: its code) and returns that code; -errno with err
 * set when it could not run it, the client told nothing yet. */
int image_stream_load(const char *spool_dir, uint64_t max, char *const *argv, int sock, cerr *err);
int image_stream_save(char *const *argv, int sock, cerr *err);
