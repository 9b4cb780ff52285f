#include "common/tcp_listen.h"
#include "common/cleanup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int tcp_listen(const char *whose, const char *spec, int *fd, char addr[TCP_ADDR_MAX], cerr *err)
{
	_cleanup_free_ char *host = strdup(spec);
	if (!host)
		return cerr_set(err, ENOMEM, "out of memory");
	char *colon = strrchr(host, ':');
	if (!colon)
		return cerr_set(err, EINVAL, "%s %s: expected HOST:PORT", whose, spec);
	*colon = '\0';
	const char *port = colon + 1;
	char *h = host;
	if (h[0] == '[' && h[strlen(h) - 1] == ']') {
		h[strlen(h) - 1] = '\0';
		h++;
	}
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE };
	struct addrinfo *ai = NULL;
	int gr = getaddrinfo(h[0] ? h : NULL, port, &hints, &ai);
	if (gr != 0)
		return cerr_set(err, EINVAL, "%s %s: %s", whose, spec, gai_strerror(gr));
	_cleanup_close_ int s = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	int r = s < 0 ? -1 : setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (r == 0)
		r = bind(s, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	if (r < 0 || listen(s, 64) < 0)
		return cerr_sys(err, errno, "%s %s", whose, spec);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (getsockname(s, (struct sockaddr *)&ss, &sl) < 0)
		return cerr_sys(err, errno, "%s %s", whose, spec);
	bool v6 = ss.ss_family == AF_INET6;
	int p = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);
	char ip[INET6_ADDRSTRLEN] = "?";
	inet_ntop(ss.ss_family, v6 ? (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr : (void *)&((struct sockaddr_in *)&ss)->sin_addr,
		  ip, sizeof(ip));
	snprintf(addr, TCP_ADDR_MAX, v6 ? "[%s]:%d" : "%s:%d", ip, p);
	*fd = TAKE_FD(s);
	return 0;
}
