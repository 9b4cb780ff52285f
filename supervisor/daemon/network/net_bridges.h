/* The bridges of corral's networks as devices in corrald's network
 * namespace. The CNI bridge plugin makes a network's bridge and gives it
 * the gateway's address, but nothing removes it: a bridge left behind kept
 * its old address, and the next network given its name failed every
 * container ("already has an IP address different from ..."). Only names
 * corral picks (corral<N>) are touched: a bridge a user named may be the
 * host's own. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "common/error.h"
#include "supervisor/daemon/network/netconf.h"

/* A device of that name exists (a network's bridge or a leftover): a new
 * network's bridge is named clear of it. */
bool net_bridge_name_taken(const char *name);
/* The bridge of a network being removed, and the firewall plugin's rules
 * for it; 0 if it is not corral's or is gone. */
int net_bridge_remove(const char *name, cerr *err);
/* At start: every corral<N> bridge that none of the networks have[n] names is removed. */
void net_bridges_sweep(const netconf *have, size_t n);
