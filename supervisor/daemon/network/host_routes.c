/* The host's IPv4 routes and addresses (host_routes.h). */
#include "supervisor/daemon/network/host_routes.h"
#include "common/cleanup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned bits_of(uint32_t mask_host_order)
{
	unsigned b = 0;
	while (b < 32 && (mask_host_order & (0x80000000u >> b)))
		b++;
	return b;
}

static void add(net_cidr *v, size_t *n, uint32_t addr_net_order, uint32_t mask_net_order)
{
	if (*n >= HOST_ROUTES_MAX)
		return;
	unsigned bits = bits_of(ntohl(mask_net_order));
	if (!bits) /* the default route covers everything: it is no one's subnet */
		return;
	uint32_t a = addr_net_order & mask_net_order;
	v[*n] = (net_cidr){ .family = AF_INET, .bits = bits };
	memcpy(v[*n].addr, &a, 4);
	(*n)++;
}

/* /proc/net/route: "Iface Destination Gateway Flags RefCnt Use Metric Mask
 * ...", addresses in hex as the kernel holds them (network order). */
static void add_routes(net_cidr *v, size_t *n)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/net/route", "re");
	char line[512];
	if (!f || !fgets(line, sizeof(line), f)) /* its header */
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned dst, mask;
		if (sscanf(line, "%*s %x %*x %*x %*d %*d %*d %x", &dst, &mask) == 2)
			add(v, n, dst, mask);
	}
}

static void add_addresses(net_cidr *v, size_t *n)
{
	struct ifaddrs *ifa = NULL;
	if (getifaddrs(&ifa) < 0)
		return;
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_netmask && i->ifa_addr->sa_family == AF_INET)
			add(v, n, ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr,
			    ((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr);
	freeifaddrs(ifa);
}

int host_routes(net_cidr **out, size_t *n, cerr *err)
{
	*n = 0;
	if (!(*out = calloc(HOST_ROUTES_MAX, sizeof(**out))))
		return cerr_set(err, ENOMEM, "out of memory");
	add_routes(*out, n);
	add_addresses(*out, n);
	return 0;
}
