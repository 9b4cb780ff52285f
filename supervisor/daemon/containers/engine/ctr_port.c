/* The host ports corrald picks for the ports a container publishes
 * without one (spec.ports). */
#include "supervisor/daemon/containers/engine/ctr_port.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/varlink/params.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "supervisor/daemon/core/corrald.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A port the kernel has free on p's address for p's protocol: bind to port
 * 0 and ask which it gave. */
static int kernel_port(const cni_port *p, uint16_t *port, cerr *err)
{
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in in4 = { .sin_family = AF_INET };
	bool v6 = p->host_ip[0] && inet_pton(AF_INET6, p->host_ip, &in6.sin6_addr) == 1;
	if (!v6 && inet_pton(AF_INET, p->host_ip[0] ? p->host_ip : "0.0.0.0", &in4.sin_addr) != 1)
		return cerr_set(err, EINVAL, "host IP %s: not an address", p->host_ip);
	struct sockaddr *sa = v6 ? (struct sockaddr *)&in6 : (struct sockaddr *)&in4;
	socklen_t len = v6 ? sizeof(in6) : sizeof(in4);
	_cleanup_close_ int fd = socket(sa->sa_family, (streq(p->protocol, "udp") ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, sa, len) < 0 || getsockname(fd, sa, &len) < 0)
		return cerr_sys(err, errno, "a free host port for %u/%s on %s", p->container_port, p->protocol,
				p->host_ip[0] ? p->host_ip : "0.0.0.0");
	*port = ntohs(v6 ? in6.sin6_port : in4.sin_port);
	return 0;
}

/* Whether another container, or an earlier port of the same spec, publishes p. */
static bool published(const struct corrald *d, const ctr_spec *cspec, const cni_port *p)
{
	for (const cni_port *q = cspec->ports; q < p; q++)
		if (cni_ports_overlap(p, q))
			return true;
	for (const ctr *o = d->ctrs; o; o = o->next)
		for (size_t j = 0; j < o->spec.n_ports; j++)
			if (cni_ports_overlap(p, &o->spec.ports[j]))
				return true;
	return false;
}

int ctr_ports_pick(const struct corrald *d, ctr_spec *cspec, cerr *err)
{
	for (size_t i = 0; i < cspec->n_ports; i++) {
		cni_port *p = &cspec->ports[i];
		for (int tries = 0; !p->host_port; tries++) {
			if (tries == 64)
				return cerr_set(err, EADDRINUSE, "no free host port for %u/%s", p->container_port,
						p->protocol);
			int r = kernel_port(p, &p->host_port, err);
			if (r < 0)
				return r;
			if (published(d, cspec, p))
				p->host_port = 0;
		}
	}
	return 0;
}
