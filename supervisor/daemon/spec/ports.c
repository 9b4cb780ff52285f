/* Published ports, as CNI's portMappings capability carries them
 * ({hostIP, hostPort, containerPort, protocol}): read from a ContainerSpec
 * or a network record, and written for a plugin or a record. */
#include "supervisor/daemon/spec/ports.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_port(yajl_val v, const char *p, bool pick, cni_port *out, json_fault *f)
{
	static const char *const known[] = { "hostIP", "hostPort", "containerPort", "protocol", NULL };
	const char *ip, *proto;
	long long hp = 0, cp = 0;
	int r;
	if ((r = json_want(v, yajl_t_object, p, f)) < 0 || (r = json_check_keys(v, p, known, "unknown field", f)) < 0 ||
	    (r = json_get_str(v, p, "hostIP", JSON_BOUNDED, &ip, f)) < 0 ||
	    (r = json_get_str(v, p, "protocol", JSON_BOUNDED, &proto, f)) < 0 ||
	    (r = json_get_int_in(v, p, "hostPort", pick ? 0 : JSON_REQUIRED, pick ? 0 : 1, 65535, &hp, NULL, f)) < 0 ||
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

static int parse_ports(yajl_val a, const char *path, bool pick, cni_port **out, size_t *n, json_fault *f)
{
	*out = NULL;
	*n = 0;
	if (!YAJL_IS_ARRAY(a) || !a->u.array.len)
		return YAJL_IS_ARRAY(a) ? 0 : json_fault_set(f, EINVAL, path, "must be an array");
	if (a->u.array.len > CNI_MAX_PORTS)
		return json_fault_set(f, E2BIG, path, "at most %d ports", CNI_MAX_PORTS);
	if (!(*out = calloc(a->u.array.len, sizeof(**out))))
		return json_fault_oom(f);
	cni_port *v = *out;
	for (size_t i = 0; i < a->u.array.len; i++) {
		char p[JSON_PATH_MAX];
		json_path_idx(p, path, i);
		int r = parse_port(a->u.array.values[i], p, pick, &v[i], f);
		if (r < 0)
			return r;
		(*n)++;
		for (size_t j = 0; j < i; j++)
			if (v[i].host_port && v[j].host_port == v[i].host_port && streq(v[j].protocol, v[i].protocol) &&
			    streq(v[j].host_ip, v[i].host_ip))
				return json_fault_set(f, EINVAL, p, "host port %u/%s is published twice", v[i].host_port,
						      v[i].protocol);
	}
	return 0;
}

int cni_ports_parse(yajl_val a, const char *path, cni_port **out, size_t *n, json_fault *f)
{
	return parse_ports(a, path, false, out, n, f);
}

int cni_ports_parse_pick(yajl_val a, const char *path, cni_port **out, size_t *n, json_fault *f)
{
	return parse_ports(a, path, true, out, n, f);
}

int cni_ports_gen(yajl_gen g, const char *key, const cni_port *ports, size_t n)
{
	int r = jg_key(g, key) || yajl_gen_array_open(g);
	for (size_t i = 0; !r && i < n; i++) {
		const cni_port *p = &ports[i];
		r = yajl_gen_map_open(g) || jg_key_int(g, "hostPort", p->host_port) ||
		    jg_key_int(g, "containerPort", p->container_port) || jg_key_str(g, "protocol", p->protocol) ||
		    (p->host_ip[0] && jg_key_str(g, "hostIP", p->host_ip)) || yajl_gen_map_close(g);
	}
	return r || yajl_gen_array_close(g);
}

bool cni_ports_overlap(const cni_port *a, const cni_port *b)
{
	return a->host_port == b->host_port && streq(a->protocol, b->protocol) &&
	       (!a->host_ip[0] || !b->host_ip[0] || streq(a->host_ip, b->host_ip));
}
