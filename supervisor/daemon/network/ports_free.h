/* Before a container's ADD: each host port it publishes must be free, not
 * published by another container of corrald's that runs or starts, and not
 * bound by a process of the host (portmap only adds DNAT rules, which a
 * listening socket would silently shadow for local clients). */
#pragma once
#include "common/error.h"
#include "supervisor/daemon/containers/record/ctr.h"

int ports_free(const struct corrald *d, const ctr *c, cerr *err);
