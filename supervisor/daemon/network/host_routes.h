/* The IPv4 subnets the host uses: its routes (but the default route) and
 * its interfaces' addresses, as corrald's network namespace sees them; a
 * network whose subnet corrald picks keeps clear of them. */
#pragma once
#include <stddef.h>
#include "common/error.h"
#include "supervisor/daemon/network/netconf.h"

#define HOST_ROUTES_MAX 4096

/* *out (malloc'd, *n of them, at most HOST_ROUTES_MAX). */
int host_routes(net_cidr **out, size_t *n, cerr *err);
