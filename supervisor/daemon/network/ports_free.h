/* Before a container's ADD: each host port it publishes must be free, not
 * published by another container of corrald's that runs or starts, and not
 * bound by a process of the host (portmap only adds DNAT rules, which a
 * listening socket would silently shadow for local clients). */
#pragma once
#include "common/error.h"
#include "supervisor/daemon/containers/record/ctr.h"

int ports_free(const struct corrald *d, const ctr *c, cerr *err);
/* The same for ports published by self (a container or a session), which
 * is not counted against itself. The error names the container or session
 * that holds a port only when viewer (the peer, or the owner of self) may
 * see it; else it says only that another user's does. */
int ports_free_of(const struct corrald *d, const cni_port *ports, size_t n, const void *self,
		  const peer_cred *viewer, cerr *err);
