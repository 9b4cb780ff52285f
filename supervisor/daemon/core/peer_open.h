/* Open a file as a peer could: in a forked child that has taken the peer's
 * uid, gid and groups (and nothing of corrald's: its other fds are closed
 * first), so corrald never opens a peer's path as root. The child hands the
 * fd back over a socketpair (SCM_RIGHTS); the loop hears of its exit and
 * never waits for it. A child that takes longer than PEER_OPEN_TIMEOUT_USEC
 * (a hung NFS server) is killed. */
#pragma once
#include "common/error.h"
#include "supervisor/loop/eventloop.h"
#include "supervisor/varlink/peer.h"

#define PEER_OPEN_TIMEOUT_USEC (10ull * 1000000)

/* fd: the open file (the callee's to close), or -1 with code (a positive
 * errno: EACCES, ENOENT, EINVAL for what is not a regular file, EXDEV
 * for a member's file on FUSE or overlayfs, whose close a server the
 * member runs could hold up for ever, ...). */
typedef void (*peer_open_fn)(int fd, int code, void *data);

/* In a forked child of parent: keep sock as fd 3 (closing every other fd),
 * take peer's uid, gid and groups, and die with parent; -1 when that
 * failed. */
int peer_become(int sock, const peer_cred *peer, pid_t parent);

/* Open path read-only as peer; done runs once from the loop, unless this
 * fails (then it never runs). */
int peer_open(el_loop *l, const peer_cred *peer, const char *path, peer_open_fn done, void *data, cerr *err);
/* The same with open(2)'s flags: O_WRONLY | O_TRUNC for a file the peer
 * writes; a regular file still, created (mode 0600, by the peer) only with
 * O_CREAT | O_EXCL. */
int peer_open_flags(el_loop *l, const peer_cred *peer, const char *path, int flags, peer_open_fn done, void *data,
		    cerr *err);
