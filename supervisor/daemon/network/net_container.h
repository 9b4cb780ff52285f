/* net_container.c: spec.network "container:REF", another container's
 * network namespace, names and hostname. */
#pragma once
#include "common/error.h"
#include "common/json_get.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/varlink/peer.h"

/* In the container's directory: the namespace it joins, while it starts */
#define NET_CONTAINER_PIN "netns"

/* Create: REF is a container the peer sees, whose network is not the
 * host's, and the spec asks no names of its own (hostname, DNS, extra
 * hosts, aliases); s->net_container becomes its id. 0, or -errno with f. */
int net_container_check(struct corrald *d, ctr_spec *s, const peer_cred *peer, json_fault *f);
/* The container whose namespace and names a spec on a container's network
 * has (the end of a chain of them); NULL for another network, or once one
 * of the chain is gone. */
const ctr *net_container_names(const struct corrald *d, const ctr_spec *s);
/* Start: the namespace of the container it shares, which must be running,
 * pinned in its directory (NET_CONTAINER_PIN) for the runtime. 0, or
 * -errno with err (ESRCH: not running, or gone). */
int net_container_pin(struct corrald *d, ctr *c, cerr *err);
/* The start is over (or the container goes): the pin is let go. */
void net_container_unpin(struct corrald *d, ctr *c);
