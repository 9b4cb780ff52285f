/* The fds a caller hands a container: 0 to 2 and, with --preserve-fds N
 * (or LISTEN_FDS), 3 to 3+N-1, exactly as the caller left them, holes
 * included. */
#pragma once
#include "common/error.h"

/* First thing in main: plug every hole in 0..3+N-1 with a close-on-exec
 * /dev/null, so that no fd of the runtime's (a cgroup directory, a sync
 * socket, an LSM attribute) is ever opened into the range that the
 * container inherits. N is read from argv and LISTEN_FDS before any option
 * is parsed; reading more than the real N only plugs more. */
void preserved_fds_plug(int argc, char *const *argv);
/* Just before the container's execve: the caller's fds in 3..3+preserve-1
 * (those that came through our own execve, so not close-on-exec) stay open;
 * every other fd is marked close-on-exec. */
int preserved_fds_pass(int preserve, cerr *err);
