/* At corrald's start, after the containers are adopted: what a crash left
 * of the networks is undone, and what runs is checked.
 *  - a container's ADD cut short (its pin with no attachment, or a further
 *    network listed and not attached) gets a DEL record, with no result,
 *    in networks/pending;
 *  - a DEL record left in networks/pending is run again (its container
 *    removed, or ended while corrald was down), or dropped when its
 *    container is attached again (the DEL to come covers it);
 *  - host-local leases (corrald's own, under networks/ipam), pinned
 *    namespaces and names of ids with no attachment and no DEL to come
 *    are freed;
 *  - corral<N> bridges that no network names are removed (net_bridges.h);
 *  - each running container's attachment is CHECKed, one at a time; a
 *    failed CHECK is logged and published (network-check-failed). */
#pragma once
#include "supervisor/daemon/network/net_globals.h"

struct corrald;

void net_reconcile(struct corrald *d);

void net_checks_free(net_globals *ns);
