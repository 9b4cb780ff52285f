/* A corral network: a CNI conflist (bridge, host-local IPAM, portmap,
 * firewall, tuning) in corrald's cni-config-dir, named <name>.conflist.
 * Here: its plan from a NetworkCreate request, checked against the
 * networks there are (subnets must not overlap, bridges are corral<N>), its
 * text, and what is read back from a conflist. Pure: no files. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "common/error.h"
#include "common/strbuf.h"

#define NET_NAME_MAX 64
#define NET_BRIDGE_MAX 15 /* IFNAMSIZ - 1 */
#define NET_ADDR_MAX 64
#define NET_DEFAULT_NAME "corral"
#define NET_DEFAULT_BRIDGE "corral0"

typedef struct net_cidr {
	int family; /* AF_INET, AF_INET6 */
	unsigned char addr[16];
	unsigned bits;
} net_cidr;

typedef struct netconf {
	char name[NET_NAME_MAX + 1];
	char bridge[NET_BRIDGE_MAX + 1];
	char subnet[NET_ADDR_MAX], gateway[NET_ADDR_MAX];
	bool internal; /* no default route, no masquerade, no gateway on the bridge */
} netconf;

typedef struct netconf_req {
	const char *name;
	const char *subnet;  /* NULL: the first free 10.89.<N>.0/24, or with wide the first free /16 of
			      * 10.88.0.0, then 10.90.0.0 to 10.127.0.0 (the default network's) */
	bool wide;
	const net_cidr *avoid; /* with no subnet: what the host routes (host_routes.h), kept clear of */
	size_t n_avoid;
	const char *gateway; /* NULL: the subnet's first address */
	const char *bridge;  /* NULL: the first free corral<N>, N >= 1 */
	bool (*bridge_taken)(const char *name); /* a device of that name exists: not free; NULL: none does */
	bool internal;
} netconf_req;

/* "10.88.0.0/16", "fd00::/64": host bits must be zero. */
int net_cidr_parse(const char *s, net_cidr *out, cerr *err);
bool net_cidr_overlap(const net_cidr *a, const net_cidr *b);
/* ip (of c's family) is a host's address in c: not c's own, nor IPv4's
 * broadcast */
bool net_cidr_holds(const net_cidr *c, const char *ip);
bool net_name_valid(const char *name);
/* The plan of req among have[n]; on a refusal, *field names the request's
 * parameter at fault ("name", "subnet", "gateway") and err says why (an
 * overlap names the other network). */
int netconf_plan(const netconf_req *req, const netconf *have, size_t n, netconf *out, const char **field,
		 cerr *err);
