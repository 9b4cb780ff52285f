/* Open paths as a peer could, without waiting for it: corrald never
 * resolves a member's bind source as root (corrald(8) SECURITY), and a
 * lookup the member made slow (a FUSE server that never answers) holds up
 * no one else. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "common/error.h"
#include "supervisor/loop/eventloop.h"
#include "supervisor/varlink/peer.h"

/* Once, from the loop: code 0 with fds[0..n) all open (the callee's to
 * close, and fds itself to free) and dirs[i] whether fds[i] is a directory
 * (the callee's to free); or a positive errno, fds and dirs NULL, with
 * failed the first path not opened: the one the peer could not open or
 * read, that timed out, or that the child ended at. */
typedef void (*peer_pin_fn)(int *fds, bool *dirs, size_t failed, int code, void *data);

/* Open each of paths[0..n) O_PATH, symlinks followed, in a child that has
 * peer's uid, gid and groups, and that the peer may read; one that does not
 * exist is made first where create (NULL: none) says so, as the peer
 * (pin_source_make). done tells how it went, at most PEER_OPEN_TIMEOUT_USEC
 * later. -errno with err when the child could not be made (done never
 * runs). paths and create must stay until done. */
int peer_pin_paths(el_loop *l, const peer_cred *peer, char *const *paths, const bool *create, size_t n,
		   peer_pin_fn done, void *data, cerr *err);
/* A bind source that does not exist, made as Docker's -v makes it: each
 * missing directory of path, mode 0755 whatever the umask. 0 or -errno. */
int pin_source_make(const char *path);
