/* spec.network (none, loopback, host or a network's name) and spec.ports,
 * published through the network's portmap plugin. */
#include "supervisor/daemon/ctr_spec.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <arpa/inet.h>
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

static int parse_port(yajl_val v, const char *p, cni_port *out, json_fault *f)
{
	static const char *const known[] = { "hostIP", "hostPort", "containerPort", "protocol", NULL };
	const char *ip, *proto;
	long long hp = 0, cp = 0;
	int r;
	if ((r = json_want(v, yajl_t_object, p, f)) < 0 || (r = json_check_keys(v, p, known, "unknown field", f)) < 0 ||
	    (r = json_get_str(v, p, "hostIP", JSON_BOUNDED, &ip, f)) < 0 ||
	    (r = json_get_str(v, p, "protocol", JSON_BOUNDED, &proto, f)) < 0 ||
	    (r = json_get_int_in(v, p, "hostPort", JSON_REQUIRED, 1, 65535, &hp, NULL, f)) < 0 ||
	    (r = json_get_int_in(v, p, "containerPort", JSON_REQUIRED, 1, 65535, &cp, NULL, f)) < 0)
		return r;
	char field[JSON_PATH_MAX];
	unsigned char buf[16];
	if (ip && *ip && inet_pton(AF_INET, ip, buf) != 1 && inet_pton(AF_INET6, ip, buf) != 1)
		return json_fault_set(f, EINVAL, json_path(field, p, "hostIP"), "\"%s\" is not an IP address", ip);
	if (proto && !streq(proto, "tcp") && !streq(proto, "udp"))
		return json_fault_set(f, EINVAL, json_path(field, p, "protocol"), "must be tcp or udp, not \"%s\"", proto);
	snprintf(out->host_ip, sizeof(out->host_ip), "%s", ip ? ip : "");
	snprintf(out->protocol, sizeof(out->protocol), "%s", proto ? proto : "tcp");
	out->host_port = (uint16_t)hp;
	out->container_port = (uint16_t)cp;
	return 0;
}

static int parse_ports(yajl_val spec, ctr_spec *s, json_fault *f)
{
	yajl_val a;
	int r = json_get_array(spec, "spec", "ports", 0, CNI_MAX_PORTS, &a, f);
	if (r < 0 || !a || !a->u.array.len)
		return r;
	if (!(s->ports = calloc(a->u.array.len, sizeof(*s->ports))))
		return json_fault_oom(f);
	for (size_t i = 0; i < a->u.array.len; i++) {
		char p[JSON_PATH_MAX];
		json_path_idx(p, "spec.ports", i);
		if ((r = parse_port(a->u.array.values[i], p, &s->ports[i], f)) < 0)
			return r;
		s->n_ports++;
		for (size_t j = 0; j < i; j++)
			if (s->ports[j].host_port == s->ports[i].host_port && streq(s->ports[j].protocol, s->ports[i].protocol) &&
			    streq(s->ports[j].host_ip, s->ports[i].host_ip))
				return json_fault_set(f, EINVAL, p, "host port %u/%s is published twice", s->ports[i].host_port,
						      s->ports[i].protocol);
	}
	return 0;
}

static int set_network(ctr_spec *s, const char *net, json_fault *f)
{
	if (streq(net, "none"))
		s->network = CTR_NET_NONE;
	else if (streq(net, "loopback"))
		s->network = CTR_NET_LOOPBACK;
	else if (streq(net, "host"))
		s->network = CTR_NET_HOST;
	else if (!net_name_ok(net))
		return json_fault_set(f, EINVAL, "spec.network",
				      "must be none, loopback, host or a network's name (letters, digits, _ . -)");
	else if (!(s->net_name = strdup(net)))
		return json_fault_oom(f);
	else
		s->network = CTR_NET_CNI;
	return 0;
}

static int check_ports(const ctr_spec *s, json_fault *f)
{
	if (s->n_ports && s->network != CTR_NET_CNI)
		return json_fault_set(f, EINVAL, "spec.ports", "publishing ports needs a network (not none, loopback or host)");
	return 0;
}

int ctr_spec_parse_network(yajl_val spec, ctr_spec *s, json_fault *f)
{
	const char *net;
	int r = json_get_str(spec, "spec", "network", JSON_BOUNDED, &net, f);
	if (r < 0)
		return r;
	s->network_default = !net;
	if (net && (r = set_network(s, net, f)) < 0)
		return r;
	if ((r = parse_ports(spec, s, f)) < 0)
		return r;
	return net ? check_ports(s, f) : 0;
}

int ctr_spec_default_network(ctr_spec *s, const char *name, json_fault *f)
{
	if (!s->network_default)
		return 0;
	int r = set_network(s, name && *name ? name : "none", f);
	if (r < 0)
		return json_fault_reword(f, "corrald's default-network \"%s\" is not none, loopback, host or a name", name);
	return check_ports(s, f);
}

void ctr_spec_release_network(ctr_spec *s)
{
	free(s->net_name);
	free(s->ports);
	s->net_name = NULL;
	s->ports = NULL;
	s->n_ports = 0;
}
