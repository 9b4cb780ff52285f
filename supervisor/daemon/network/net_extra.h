/* The networks a container is on beside its spec's (docker network
 * connect): containers/<id>/networks.json, {"attachments": [{network,
 * interface, aliases}]}, kept across its starts and corrald's restarts.
 * Each is ADDed at every start after eth0 (net_connect.c), and its CNI
 * record is network-<interface>.json beside network.json while attached.
 * A container without the file has none. */
#pragma once
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include "common/error.h"
#include "supervisor/daemon/containers/record/ctr.h"

struct corrald;

typedef struct net_extra {
	char network[NAME_MAX + 1], ifname[16];
	char **aliases; /* NULL: none */
} net_extra;

typedef struct net_extras {
	net_extra *v;
	size_t n;
} net_extras;

int net_extras_load(const struct corrald *d, const ctr *c, net_extras *x, cerr *err);
/* Written atomically; no file when there are none. */
int net_extras_save(const struct corrald *d, const ctr *c, const net_extras *x, cerr *err);
void net_extras_release(net_extras *x);
/* The entry for network net, or NULL. */
net_extra *net_extras_find(const net_extras *x, const char *net);
/* Add net with aliases (copied) on the first interface past eth0 that no
 * entry holds and busy (a DEL under way or waiting) does not say is c's still;
 * -ENOSPC past NET_ATTACH_MAX. */
typedef bool (*net_if_busy_fn)(const struct corrald *d, const char *id, const char *ifname);
int net_extras_add(const struct corrald *d, const ctr *c, net_extras *x, const char *net, char *const *aliases,
		   net_if_busy_fn busy, cerr *err);
void net_extras_drop(net_extras *x, const char *net);
