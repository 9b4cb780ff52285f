/* The namespace is entered by a thread of its own, made for the one
 * socket: the loop's thread never leaves corrald's namespace, whatever
 * fails (setns of CLONE_NEWNET changes the calling thread alone). */
#include "supervisor/daemon/stream/netns_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct netns_ask {
	int netns;
	uint16_t port;
	bool v6;
	int fd, err;
	const char *what;
};

static void *in_netns(void *arg)
{
	struct netns_ask *j = arg;
	if (j->netns >= 0 && setns(j->netns, CLONE_NEWNET) < 0) {
		j->err = errno, j->what = "enter the network namespace";
		return NULL;
	}
	int fd = socket(j->v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		j->err = errno, j->what = "socket";
		return NULL;
	}
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(j->port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(j->port), .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int r = j->v6 ? connect(fd, (struct sockaddr *)&a6, sizeof(a6)) : connect(fd, (struct sockaddr *)&a4, sizeof(a4));
	if (r < 0 && errno != EINPROGRESS) {
		j->err = errno, j->what = "connect";
		close(fd);
		return NULL;
	}
	j->fd = fd;
	return NULL;
}

int netns_connect_loopback(int netns, uint16_t port, bool v6, cerr *err)
{
	struct netns_ask j = { .netns = netns, .port = port, .v6 = v6, .fd = -1 };
	pthread_t t;
	int r = pthread_create(&t, NULL, in_netns, &j);
	if (r != 0)
		return cerr_sys(err, r, "a thread to enter the network namespace");
	pthread_join(t, NULL);
	if (j.fd < 0)
		return cerr_sys(err, j.err, "localhost:%u (%s): %s", (unsigned)port, v6 ? "IPv6" : "IPv4", j.what);
	return j.fd;
}
