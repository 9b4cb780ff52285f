/* spec.network (none, loopback, host, a network's name or container:REF)
 * and spec.ports, published through the network's portmap plugin. */
#include "supervisor/daemon/spec/ctr_spec.h"
#include "supervisor/daemon/spec/ctr_spec_net.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool net_name_ok(const char *s)
{
	size_t n = strlen(s);
	return n && n <= NAME_MAX && s[0] != '.' && s[0] != '-' &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

static int parse_ports(yajl_val cspec_json, ctr_spec *s, json_fault *f)
{
	yajl_val a;
	int r = json_get_array(cspec_json, "spec", "ports", 0, CNI_MAX_PORTS, &a, f);
	return r < 0 || !a ? r : cni_ports_parse_pick(a, "spec.ports", &s->ports, &s->n_ports, f);
}

static int set_network(ctr_spec *s, const char *net, json_fault *f)
{
	if (streq(net, "none"))
		s->network = CTR_NET_NONE;
	else if (streq(net, "loopback"))
		s->network = CTR_NET_LOOPBACK;
	else if (streq(net, "host"))
		s->network = CTR_NET_HOST;
	else if (!strncmp(net, "container:", 10)) {
		if (!net[10])
			return json_fault_set(f, EINVAL, "spec.network", "container: needs a container's id or name");
		int r = json_name_check(net + 10, CTR_NET_CONTAINER_REF_MAX, 0, "spec.network", f);
		if (r < 0)
			return r;
		if (!(s->net_container = strdup(net + 10)))
			return json_fault_oom(f);
		s->network = CTR_NET_CONTAINER;
	} else if (!net_name_ok(net))
		return json_fault_set(f, EINVAL, "spec.network",
				      "must be none, loopback, host, container:REF or a network's name (letters, digits, _ . -)");
	else if (!(s->net_name = strdup(net)))
		return json_fault_oom(f);
	else
		s->network = CTR_NET_CNI;
	return 0;
}

/* A unicast MAC address, six hex octets with ':' between */
static bool mac_ok(const char *s)
{
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return false;
	return !s[17] && !(strtoul(s, NULL, 16) & 1);
}

/* spec.ipAddress and spec.macAddress: eth0's on its network, fixed */
static int parse_fixed(yajl_val cspec_json, ctr_spec *s, json_fault *f)
{
	int r;
	if ((r = json_dup_str(cspec_json, "spec", "ipAddress", JSON_NAME, &s->ip_address, f)) < 0 ||
	    (r = json_dup_str(cspec_json, "spec", "macAddress", JSON_NAME, &s->mac_address, f)) < 0)
		return r;
	unsigned char a[16];
	if (s->ip_address && inet_pton(AF_INET, s->ip_address, a) != 1 && inet_pton(AF_INET6, s->ip_address, a) != 1)
		return json_fault_set(f, EINVAL, "spec.ipAddress", "not an IPv4 or IPv6 address");
	if (s->mac_address && !mac_ok(s->mac_address))
		return json_fault_set(f, EINVAL, "spec.macAddress", "must be a unicast MAC address, xx:xx:xx:xx:xx:xx");
	return 0;
}

/* What only a CNI network gives: published ports, a fixed address */
static int check_ports(const ctr_spec *s, json_fault *f)
{
	const char *field = s->n_ports ? "spec.ports" : s->ip_address ? "spec.ipAddress" : s->mac_address ? "spec.macAddress" : NULL;
	if (field && s->network != CTR_NET_CNI)
		return json_fault_set(f, EINVAL, field, "%s needs a network (not none, loopback, host or a container's)",
				      s->n_ports ? "publishing ports" : "a fixed address");
	return 0;
}

int ctr_spec_parse_network(yajl_val cspec_json, ctr_spec *s, json_fault *f)
{
	const char *net;
	int r = json_get_str(cspec_json, "spec", "network", JSON_NAME, &net, f);
	if (r < 0)
		return r;
	s->network_default = !net;
	if (net && (r = set_network(s, net, f)) < 0)
		return r;
	if ((r = parse_ports(cspec_json, s, f)) < 0 || (r = parse_fixed(cspec_json, s, f)) < 0)
		return r;
	return net ? check_ports(s, f) : 0;
}

int ctr_spec_default_network(ctr_spec *s, const char *name, json_fault *f)
{
	if (!s->network_default)
		return 0;
	int r = set_network(s, name && *name ? name : "none", f);
	if (r == 0 && s->network == CTR_NET_CONTAINER)
		r = json_fault_set(f, EINVAL, "spec.network", "a container's network is no default");
	if (r < 0)
		return json_fault_reword(f, "corrald's default-network \"%s\" is not none, loopback, host or a name", name);
	return check_ports(s, f);
}

void ctr_spec_release_network(ctr_spec *s)
{
	free(s->net_name);
	free(s->net_container);
	free(s->ip_address);
	free(s->mac_address);
	free(s->ports);
	s->net_name = s->net_container = s->ip_address = s->mac_address = NULL;
	s->ports = NULL;
	s->n_ports = 0;
}
