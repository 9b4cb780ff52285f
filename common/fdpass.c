#include "common/fdpass.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef union {
	struct cmsghdr align;
	char buf[CMSG_SPACE(sizeof(int) * FDPASS_MAX)];
} cmsg_space;

ssize_t fd_send(int sock, const void *buf, size_t len, const int *fds, size_t n, int flags)
{
	if (n > FDPASS_MAX)
		return -EINVAL;
	cmsg_space u;
	memset(&u, 0, sizeof(u));
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (n) {
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * n);
	}
	ssize_t w = sendmsg(sock, &mh, flags | MSG_NOSIGNAL);
	return w < 0 ? -errno : w;
}

ssize_t fd_recv(int sock, void *buf, size_t len, int *fds, size_t max, size_t *n, bool *lost, int flags)
{
	cmsg_space u;
	struct iovec iov = { buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	*n = 0;
	if (lost)
		*lost = false;
	ssize_t r = recvmsg(sock, &mh, flags | MSG_CMSG_CLOEXEC);
	if (r < 0)
		return -errno;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (*n < max) {
				fds[(*n)++] = fd;
			} else {
				close(fd);
				if (lost)
					*lost = true;
			}
		}
	}
	if ((mh.msg_flags & MSG_CTRUNC) && lost)
		*lost = true;
	return r;
}
