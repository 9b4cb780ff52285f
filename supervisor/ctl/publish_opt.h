/* publish_opt.c: -p/--publish [[IP:][HOSTPORT]:]CONTAINERPORT[/tcp|udp] into
 * the spec's ports, as podman and docker take it ([IPv6] in brackets);
 * without a host port (-p 80, -p 127.0.0.1::80) corrald picks a free one. */
#pragma once
#include "supervisor/ctl/ctl_spec.h"

/* "ports": [...] into g, from -p/--publish (publish_opt.c). */
int ctl_gen_ports(const ctl_args *a, yajl_gen g);
