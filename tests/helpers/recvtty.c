/* Test helper: accept one --console-socket connection, take the pty master,
 * type INPUT into it, and copy everything it prints to stdout until EOF or
 * TIMEOUT seconds pass. Usage: recvtty SOCKET INPUT [TIMEOUT] */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: recvtty SOCKET INPUT [TIMEOUT]\n");
		return 2;
	}
	int timeout = argc > 3 ? atoi(argv[3]) : 10;
	int ls = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	unlink(argv[1]);
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 1) < 0) {
		perror("recvtty: listen");
		return 1;
	}
	/* tell the test we are listening */
	printf("READY\n");
	fflush(stdout);
	struct pollfd lp = { .fd = ls, .events = POLLIN };
	if (poll(&lp, 1, timeout * 1000) != 1) {
		fprintf(stderr, "recvtty: no connection\n");
		return 1;
	}
	int c = accept(ls, NULL, NULL);
	char name[256] = "";
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { name, sizeof(name) - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	if (recvmsg(c, &mh, 0) < 0) {
		perror("recvtty: recvmsg");
		return 1;
	}
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "recvtty: no fd received\n");
		return 1;
	}
	int master;
	memcpy(&master, CMSG_DATA(cm), sizeof(int));
	fprintf(stderr, "recvtty: got %s\n", name);
	const char *in = argv[2];
	if (write(master, in, strlen(in)) < 0)
		perror("recvtty: write");
	char buf[4096];
	for (;;) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		int n = poll(&p, 1, timeout * 1000);
		if (n <= 0)
			break;
		ssize_t r = read(master, buf, sizeof(buf));
		if (r <= 0)
			break;
		fwrite(buf, 1, (size_t)r, stdout);
		fflush(stdout);
	}
	return 0;
}
