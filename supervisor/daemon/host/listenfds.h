/* Socket activation: the fds systemd passes with LISTEN_PID/LISTEN_FDS. */
#pragma once
#include <stdbool.h>
#include "common/error.h"

#define LISTEN_FDS_START 3

/* Number of passed fds (from fd 3), 0 when none are meant for us. They are
 * made close-on-exec. With unset, the variables are removed from the
 * environment so children do not inherit them. */
int listen_fds(bool unset, cerr *err);
/* Whether fd is a listening AF_UNIX SOCK_STREAM socket. */
bool listen_fd_is_unix_stream(int fd);
/* Whether systemd named fd so (FileDescriptorName=, LISTEN_FDNAMES). */
bool listen_fd_is_named(int fd, const char *name);
