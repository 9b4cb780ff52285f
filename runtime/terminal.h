/* Pseudo-terminals: created inside the container's devpts, sent over a
 * console socket, or proxied to the caller's terminal. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include "common/error.h"

/* Open <rootfs>/dev/ptmx (scoped to the rootfs) and its peer. */
int tty_open_in_root(const char *rootfs, int *master, int *slave, cerr *err);
/* Make the pty peer of master our controlling terminal and stdio. */
int tty_attach_slave(int master, cerr *err);
void tty_set_size(int fd, unsigned rows, unsigned cols);
/* The size of the terminal on our stdin, onto the pty master (no terminal: nothing). */
void tty_copy_size(int master);
/* Send the master over a connected unix socket, as runc's console socket
 * protocol does. */
int tty_send_fd(int sock, int master, cerr *err);
/* Send the master to the unix socket at path, as runc's --console-socket. */
int tty_send_to_socket(const char *path, int master, cerr *err);
/* Copy between our stdio and master until the container's pidfd says it
 * exited and the master has drained; raw mode and SIGWINCH handled. */
int tty_proxy(int master, int pidfd, cerr *err);
