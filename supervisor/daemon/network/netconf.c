#include "supervisor/daemon/network/netconf.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool net_name_valid(const char *n)
{
	size_t len = strlen(n);
	if (len == 0 || len > NET_NAME_MAX || !isalnum((unsigned char)n[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)n[i]) && !strchr("_.-", n[i]))
			return false;
	return true;
}

static bool bit(const unsigned char *a, unsigned i) { return a[i / 8] & (0x80 >> (i % 8)); }

int net_cidr_parse(const char *s, net_cidr *out, cerr *err)
{
	memset(out, 0, sizeof(*out));
	const char *slash = strchr(s, '/');
	char ip[NET_ADDR_MAX];
	if (!slash || (size_t)(slash - s) >= sizeof(ip))
		return cerr_set(err, EINVAL, "\"%s\" is not a CIDR (ADDRESS/BITS, such as 10.89.0.0/24)", s);
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	out->family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	unsigned max = out->family == AF_INET ? 32 : 128;
	char *end;
	unsigned long bits = strtoul(slash + 1, &end, 10);
	if (inet_pton(out->family, ip, out->addr) != 1 || !isdigit((unsigned char)slash[1]) || *end || bits > max)
		return cerr_set(err, EINVAL, "\"%s\" is not a CIDR (ADDRESS/BITS, such as 10.89.0.0/24)", s);
	/* a bridge's subnet needs room for the gateway and a container */
	if (bits > max - 2)
		return cerr_set(err, EINVAL, "%s: a subnet of /%lu has no room for containers (at most /%u)", s, bits,
				max - 2);
	out->bits = (unsigned)bits;
	for (unsigned i = out->bits; i < max; i++)
		if (bit(out->addr, i))
			return cerr_set(err, EINVAL, "%s: the address has bits set past /%u", s, out->bits);
	return 0;
}

static bool contains(const net_cidr *c, const unsigned char *a, unsigned bits)
{
	if (bits < c->bits)
		return false;
	for (unsigned i = 0; i < c->bits; i++)
		if (bit(c->addr, i) != bit(a, i))
			return false;
	return true;
}

bool net_cidr_holds(const net_cidr *c, const char *ip)
{
	unsigned char a[16] = { 0 };
	unsigned max = c->family == AF_INET ? 32 : 128, zeros = 0, ones = 0;
	if (inet_pton(c->family, ip, a) != 1 || !contains(c, a, max))
		return false;
	for (unsigned i = c->bits; i < max; i++)
		bit(a, i) ? ones++ : zeros++;
	/* not the subnet's own address, nor IPv4's broadcast */
	return ones && !(c->family == AF_INET && !zeros);
}

bool net_cidr_overlap(const net_cidr *a, const net_cidr *b)
{
	return a->family == b->family && (contains(a, b->addr, b->bits) || contains(b, a->addr, a->bits));
}

/* The subnet's first host address (network + 1). */
static void first_host(const net_cidr *c, char *buf, size_t n)
{
	unsigned char a[16];
	memcpy(a, c->addr, sizeof(a));
	size_t len = c->family == AF_INET ? 4 : 16;
	for (size_t i = len; i-- > 0;)
		if (++a[i])
			break;
	inet_ntop(c->family, a, buf, (socklen_t)n);
}

static int check_gateway(const char *gw, const net_cidr *c, cerr *err)
{
	unsigned char a[16] = { 0 };
	unsigned max = c->family == AF_INET ? 32 : 128;
	if (inet_pton(c->family, gw, a) != 1)
		return cerr_set(err, EINVAL, "\"%s\" is not an %s address", gw, c->family == AF_INET ? "IPv4" : "IPv6");
	if (!contains(c, a, max))
		return cerr_set(err, EINVAL, "%s is outside the subnet", gw);
	bool zeros = true, ones = true;
	for (unsigned i = c->bits; i < max; i++) {
		zeros &= !bit(a, i);
		ones &= bit(a, i);
	}
	if (zeros || (ones && c->family == AF_INET))
		return cerr_set(err, EINVAL, "%s is the subnet's %s address", gw, zeros ? "network" : "broadcast");
	return 0;
}

/* Candidate k of a picked subnet, or false past the last. */
static bool candidate(bool wide, int k, char *buf, size_t len)
{
	if (wide && k < 39) /* 10.89.0.0/16 is the created networks' */
		snprintf(buf, len, "10.%d.0.0/16", k ? 89 + k : 88);
	else if (!wide && k < 256)
		snprintf(buf, len, "10.89.%d.0/24", k);
	else
		return false;
	return true;
}

static bool overlaps_any(const net_cidr *c, const net_cidr *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (net_cidr_overlap(c, &v[i]))
			return true;
	return false;
}

/* The first candidate that neither a network of have nor the host uses. */
static int pick_subnet(const netconf_req *req, const netconf *have, size_t n, char *buf, size_t len, cerr *err)
{
	for (int k = 0; candidate(req->wide, k, buf, len); k++) {
		net_cidr c, o;
		net_cidr_parse(buf, &c, NULL);
		bool taken = overlaps_any(&c, req->avoid, req->n_avoid);
		for (size_t i = 0; i < n && !taken; i++)
			taken = net_cidr_parse(have[i].subnet, &o, NULL) == 0 && net_cidr_overlap(&c, &o);
		if (!taken)
			return 0;
	}
	return cerr_set(err, ENOSPC, "no subnet of %s is free of corral's networks and the host's routes: give --subnet",
			req->wide ? "10.88.0.0/16 and 10.90.0.0-10.127.255.255" : "10.89.0.0/16");
}

static int pick_bridge(const netconf_req *req, const netconf *have, size_t n, char *buf, size_t len, cerr *err)
{
	for (int k = 1; k < 10000; k++) {
		snprintf(buf, len, "corral%d", k);
		bool taken = req->bridge_taken && req->bridge_taken(buf);
		for (size_t i = 0; i < n && !taken; i++)
			taken = streq(have[i].bridge, buf);
		if (!taken)
			return 0;
	}
	return cerr_set(err, ENOSPC, "no bridge name is free");
}

int netconf_plan(const netconf_req *req, const netconf *have, size_t n, netconf *out, const char **field,
		 cerr *err)
{
	memset(out, 0, sizeof(*out));
	*field = "name";
	if (!net_name_valid(req->name))
		return cerr_set(err, EINVAL,
				"must be 1-%d letters, digits, '_', '.' or '-', starting with a letter or digit",
				NET_NAME_MAX);
	for (size_t i = 0; i < n; i++)
		if (streq(have[i].name, req->name))
			return cerr_set(err, EEXIST, "network %s exists", req->name);
	snprintf(out->name, sizeof(out->name), "%s", req->name);
	out->internal = req->internal;
	*field = "subnet";
	if (req->subnet && strlen(req->subnet) >= sizeof(out->subnet))
		return cerr_set(err, EINVAL, "\"%.64s...\" is not a CIDR", req->subnet);
	int r = req->subnet ? (snprintf(out->subnet, sizeof(out->subnet), "%s", req->subnet), 0)
			    : pick_subnet(req, have, n, out->subnet, sizeof(out->subnet), err);
	net_cidr c, o;
	if (r < 0 || (r = net_cidr_parse(out->subnet, &c, err)) < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (net_cidr_parse(have[i].subnet, &o, NULL) == 0 && net_cidr_overlap(&c, &o))
			return cerr_set(err, EEXIST, "%s overlaps %s of network %s", out->subnet, have[i].subnet,
					have[i].name);
	*field = "gateway";
	if (req->gateway && strlen(req->gateway) >= sizeof(out->gateway))
		return cerr_set(err, EINVAL, "\"%.64s...\" is not an address", req->gateway);
	if (req->gateway)
		snprintf(out->gateway, sizeof(out->gateway), "%s", req->gateway);
	else
		first_host(&c, out->gateway, sizeof(out->gateway));
	if ((r = check_gateway(out->gateway, &c, err)) < 0)
		return r;
	*field = "bridge";
	if (req->bridge)
		snprintf(out->bridge, sizeof(out->bridge), "%s", req->bridge);
	else if ((r = pick_bridge(req, have, n, out->bridge, sizeof(out->bridge), err)) < 0)
		return r;
	*field = NULL;
	return 0;
}
