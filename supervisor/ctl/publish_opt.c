/* -p/--publish [[IP:][HOSTPORT]:]CONTAINERPORT[/tcp|udp] into the spec's
 * ports, as podman and docker take it ([IPv6] in brackets); without a host
 * port (-p 80, -p 127.0.0.1::80) corrald picks a free one. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/ctl_spec.h"
#include "supervisor/ctl/publish_opt.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool port_of(const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < 1 || v > 65535)
		return false;
	*out = v;
	return true;
}

static int gen_one(yajl_gen g, const char *text)
{
	_cleanup_free_ char *s = strdup(text);
	if (!s)
		return ctl_fail("--publish", "out of memory");
	const char *proto = "tcp", *ip = NULL;
	char *slash = strrchr(s, '/');
	if (slash) {
		*slash = '\0';
		proto = slash + 1;
		if (strcmp(proto, "tcp") && strcmp(proto, "udp"))
			return ctl_failf("-p %s: the protocol must be tcp or udp", text);
	}
	char *rest = s;
	if (*rest == '[') { /* [IPv6]:HOST:CTR */
		char *close = strchr(rest, ']');
		if (!close || close[1] != ':')
			return ctl_failf("-p %s: an IPv6 address goes in brackets: [::1]:8080:80", text);
		*close = '\0';
		ip = rest + 1;
		rest = close + 2;
	}
	char *last = strrchr(rest, ':');
	if (!last && ip)
		return ctl_failf("-p %s: must be [[IP:][HOSTPORT]:]CONTAINERPORT[/tcp|udp]", text);
	const char *ctr_port = last ? last + 1 : rest, *host_port = last ? rest : "";
	if (last)
		*last = '\0';
	char *mid = last ? strrchr(rest, ':') : NULL;
	if (mid) {
		if (ip)
			return ctl_failf("-p %s: must be [[IP:][HOSTPORT]:]CONTAINERPORT[/tcp|udp]", text);
		*mid = '\0';
		ip = rest;
		host_port = mid + 1;
	}
	long hp = 0, cp;
	if (*host_port && !port_of(host_port, &hp))
		return ctl_failf("-p %s: the host port \"%s\" must be a number from 1 to 65535", text, host_port);
	if (!port_of(ctr_port, &cp))
		return ctl_failf("-p %s: the container port \"%s\" must be a number from 1 to 65535", text, ctr_port);
	int r = yajl_gen_map_open(g) || (ip && *ip && jg_key_str(g, "hostIP", ip)) || (hp && jg_key_int(g, "hostPort", hp)) ||
		jg_key_int(g, "containerPort", cp) || jg_key_str(g, "protocol", proto) || yajl_gen_map_close(g);
	return r ? ctl_fail("--publish", "out of memory") : 0;
}

int ctl_gen_ports(const ctl_args *a, yajl_gen g)
{
	const ctl_optval *v = opt_val(a, "publish");
	if (!v->n)
		return 0;
	if (jg_key(g, "ports") || yajl_gen_array_open(g))
		return ctl_fail("--publish", "out of memory");
	for (size_t i = 0; i < v->n; i++)
		if (gen_one(g, v->list[i]))
			return EXIT_CTL;
	return yajl_gen_array_close(g) ? ctl_fail("--publish", "out of memory") : 0;
}
