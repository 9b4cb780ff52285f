/* Open paths as a peer could, now: corrald never resolves a member's bind
 * source as root (corrald(8) SECURITY). */
#pragma once
#include <stddef.h>
#include "common/error.h"
#include "supervisor/varlink/peer.h"

/* Open each of paths[0..n) O_PATH, symlinks followed, in a child that has
 * peer's uid, gid and groups, and that the peer may read; fds[i] gets each
 * (the caller's to close). 0; or -errno with *failed the first path the
 * peer could not open or read (or that timed out), nothing left open; or
 * -errno with err set, *failed n, when the child could not be made. */
int peer_pin_paths(const peer_cred *peer, char *const *paths, size_t n, int *fds, size_t *failed, cerr *err);
