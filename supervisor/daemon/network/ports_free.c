/* A published host port is free, or Start says which and why not. */
#include "supervisor/daemon/network/ports_free.h"
#include "supervisor/daemon/containers/engine/ctr_spawn.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/network/network.h"
#include "common/cleanup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* bind it, and let it go: EADDRINUSE says a socket of the host holds it */
static int try_bind(const cni_port *p)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	const char *ip = p->host_ip[0] ? p->host_ip : "0.0.0.0";
	if (inet_pton(AF_INET, ip, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(p->host_port);
		len = sizeof(*in4);
	} else if (inet_pton(AF_INET6, ip, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(p->host_port);
		len = sizeof(*in6);
	} else {
		return -EINVAL;
	}
	_cleanup_close_ int fd = socket(ss.ss_family, (streq(p->protocol, "udp") ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)); /* TIME_WAIT is no owner */
	return bind(fd, (struct sockaddr *)&ss, len) < 0 ? -errno : 0;
}

int ports_free(const struct corrald *d, const ctr *c, cerr *err)
{
	peer_cred owner = { .uid = c->owner }; /* its owner hears why it did not start */
	return ports_free_of(d, c->spec.ports, c->spec.n_ports, c, &owner, err);
}

/* The holder of p, named only to a viewer that may see it (owner.h). */
int ports_taken(const cni_port *p, const char *what, const char *name, bool named, cerr *err)
{
	if (!named)
		return cerr_set(err, EADDRINUSE, "host port %u/%s: published by another user's %s already",
				p->host_port, p->protocol, what);
	return cerr_set(err, EADDRINUSE, "host port %u/%s: published by %s %s already", p->host_port, p->protocol,
			what, name);
}

int ports_free_of(const struct corrald *d, const cni_port *ports, size_t n, const void *self,
		  const peer_cred *viewer, cerr *err)
{
	for (size_t i = 0; i < n; i++) {
		const cni_port *p = &ports[i];
		for (const ctr *o = d->ctrs; o; o = o->next) {
			if ((const void *)o == self || (!ctr_alive(o) && !ctr_is_starting(o)))
				continue;
			for (size_t j = 0; j < o->spec.n_ports; j++)
				if (cni_ports_overlap(p, &o->spec.ports[j])) {
					char name[256];
					return ports_taken(p, "container", ctr_shown_name(o, viewer, name, sizeof(name)),
							   ctr_visible_to(o, viewer), err);
				}
		}
		int r = net_holders_port(d, p, self, viewer, err);
		if (r < 0)
			return r;
		r = try_bind(p);
		if (r == -EADDRINUSE)
			return cerr_set(err, EADDRINUSE, "host port %u/%s: in use on the host", p->host_port, p->protocol);
		if (r == -EADDRNOTAVAIL)
			return cerr_set(err, EADDRNOTAVAIL, "host port %u/%s: %s is not an address of the host",
					p->host_port, p->protocol, p->host_ip);
	}
	return 0;
}
