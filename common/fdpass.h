/* File descriptors over unix sockets (SCM_RIGHTS), sent along with bytes
 * and received with them, close-on-exec. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define FDPASS_MAX 8 /* fds in one message, at most */

/* One sendmsg of len bytes with n fds (n <= FDPASS_MAX) attached; the bytes
 * sent, or -errno. flags as send()'s (MSG_NOSIGNAL is always added). */
ssize_t fd_send(int sock, const void *buf, size_t len, const int *fds, size_t n, int flags);
/* One recvmsg of up to len bytes; fds that came along go to fds (up to max,
 * the rest closed) and *n counts them; *lost (if not NULL) says some were
 * closed or cut. The bytes received, or -errno. */
ssize_t fd_recv(int sock, void *buf, size_t len, int *fds, size_t max, size_t *n, bool *lost, int flags);
