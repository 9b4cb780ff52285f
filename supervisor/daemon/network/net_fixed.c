/* A container's fixed address and MAC on its network (spec.ipAddress,
 * spec.macAddress: docker run --ip, --mac-address, compose's
 * ipv4_address): checked at Create against the network's subnet and the
 * addresses the other containers fix there, asked of host-local at each
 * ADD (CNI_ARGS IP=, MAC=). */
#include "supervisor/daemon/network/net_fixed.h"
#include "supervisor/daemon/network/net_announce.h"
#include "supervisor/daemon/network/cni_conf.h"
#include "supervisor/daemon/network/net_store.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* a and b name one address */
static bool same_address(const char *a, const char *b)
{
	unsigned char x[16] = { 0 }, y[16] = { 0 };
	int fa = strchr(a, ':') ? AF_INET6 : AF_INET, fb = strchr(b, ':') ? AF_INET6 : AF_INET;
	return fa == fb && inet_pton(fa, a, x) == 1 && inet_pton(fb, b, y) == 1 && !memcmp(x, y, sizeof(x));
}

int net_fixed_check(corrald *d, const ctr_spec *s, const peer_cred *peer, json_fault *f)
{
	if (s->network != CTR_NET_CNI || !s->ip_address)
		return 0;
	_cleanup_cerr_ cerr err = { 0 };
	netconf nc;
	int r = streq(s->net_name, NET_DEFAULT_NAME) ? network_ensure_default(d, &err) : 0;
	if (r == 0)
		r = net_store_get(d->cfg->cni_config_dir, s->net_name, &nc, &err);
	if (r < 0 && r != -ENOENT)
		return json_fault_set(f, -r, "spec.ipAddress", "%s", cerr_msg(&err));
	net_cidr subnet;
	if (r == 0 && net_cidr_parse(nc.subnet, &subnet, NULL) == 0 && !net_cidr_holds(&subnet, s->ip_address))
		return json_fault_set(f, EINVAL, "spec.ipAddress", "%s is not a host's address in network %s's subnet %s",
				      s->ip_address, s->net_name, nc.subnet);
	if (r == 0 && same_address(nc.gateway, s->ip_address))
		return json_fault_set(f, EINVAL, "spec.ipAddress", "%s is network %s's gateway", s->ip_address, s->net_name);
	/* one that another container fixes is its own, even while it is stopped */
	char name[256];
	for (const ctr *o = d->ctrs; o; o = o->next)
		if (o->spec.network == CTR_NET_CNI && o->spec.ip_address && streq(o->spec.net_name, s->net_name) &&
		    same_address(o->spec.ip_address, s->ip_address))
			return json_fault_set(f, EADDRINUSE, "spec.ipAddress", "%s on network %s is fixed for %s%s",
					      s->ip_address, s->net_name,
					      ctr_visible_to(o, peer) ? "container " : "another user's container",
					      ctr_visible_to(o, peer) ? ctr_shown_name(o, peer, name, sizeof(name)) : "");
	return 0;
}

/* Whether host-local (the list's first plugin's IPAM) has no lease on ip */
static bool lease_free(const char *conf, const char *net, const char *ip)
{
	_cleanup_json_ yajl_val v = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (json_parse(conf, "network config", &v, &err) < 0)
		return false;
	yajl_val ipam = json_get(cni_list_plugin(v, 0), "ipam");
	const char *type = YAJL_GET_STRING(json_get(ipam, "type")), *dir = YAJL_GET_STRING(json_get(ipam, "dataDir"));
	if (!type || !streq(type, "host-local"))
		return false;
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/%s/%s", dir ? dir : "/var/lib/cni/networks", net, ip) >= (int)sizeof(path))
		return false;
	return access(path, F_OK) < 0 && errno == ENOENT;
}

int net_fixed_args(const ctr *c, const char *conf, cni_args *a, char *mac, size_t n, cerr *err)
{
	const ctr_spec *s = &c->spec;
	if (s->ip_address && !lease_free(conf, s->net_name, s->ip_address))
		return cerr_set(err, EADDRINUSE, "address %s on network %s is in use", s->ip_address, s->net_name);
	/* else the address it had, while nobody took it meanwhile */
	a->ip = s->ip_address		? s->ip_address
		: c->net_last_ip[0] && lease_free(conf, s->net_name, c->net_last_ip) ? c->net_last_ip
									       : NULL;
	/* the MAC that goes with the address, as Docker's */
	a->mac = s->mac_address ? s->mac_address : a->ip && net_mac_of_ip(a->ip, mac, n) == 0 ? mac : NULL;
	return 0;
}
