/* Test helper: a seccomp notify listener at SOCKET. It receives the notify
 * fd and the container process state (checks the JSON names the fd), then
 * answers every notified syscall with VALUE as its return, and writes the
 * state to STATE_FILE. Usage: seccomp_listener SOCKET VALUE STATE_FILE */
#include <errno.h>
#include <poll.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: seccomp_listener SOCKET VALUE STATE_FILE\n");
		return 2;
	}
	long value = atol(argv[2]);
	int ls = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	unlink(argv[1]);
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 1) < 0) {
		perror("listener: bind");
		return 1;
	}
	struct pollfd p = { .fd = ls, .events = POLLIN };
	if (poll(&p, 1, 20000) != 1) {
		fprintf(stderr, "listener: no connection\n");
		return 1;
	}
	int c = accept(ls, NULL, NULL);
	char buf[65536];
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { buf, sizeof(buf) - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b) };
	ssize_t n = recvmsg(c, &mh, 0);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	if (n <= 0 || !cm || cm->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "listener: no fd\n");
		return 1;
	}
	buf[n] = '\0';
	int fd;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	FILE *f = fopen(argv[3], "w");
	if (f) {
		fputs(buf, f);
		fclose(f);
	}
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	if (seccomp_notify_alloc(&req, &resp) < 0)
		return 1;
	for (;;) {
		struct pollfd q = { .fd = fd, .events = POLLIN };
		if (poll(&q, 1, 20000) != 1 || (q.revents & (POLLHUP | POLLERR)))
			break;
		if (seccomp_notify_receive(fd, req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			break;
		}
		resp->id = req->id;
		resp->val = value;
		resp->error = 0;
		resp->flags = 0;
		if (seccomp_notify_respond(fd, resp) < 0 && errno != ENOENT)
			break;
	}
	seccomp_notify_free(req, resp);
	return 0;
}
