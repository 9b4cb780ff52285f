/* corrald's networks: the conflists in its cni-config-dir (netconf.h), one
 * <name>.conflist each, written atomically. */
#pragma once
#include <stddef.h>
#include "common/error.h"
#include "supervisor/daemon/network/netconf.h"

struct corrald;

#define NET_STORE_MAX 1024
#define NET_CONFLIST_MAX (64 * 1024)

/* Every network, by name; a conflist that cannot be read is logged and
 * left out. */
int net_store_list(const char *dir, netconf **out, size_t *n, cerr *err);
/* -ENOENT when there is none of that name. */
int net_store_get(const char *dir, const char *name, netconf *out, cerr *err);
/* Plan (netconf_plan: *field names the request's parameter at fault) and
 * write it. */
int net_store_create(const char *dir, const netconf_req *req, netconf *out, const char **field, cerr *err);
int net_store_remove(const char *dir, const char *name, cerr *err);
/* The default network, corral (10.88.0.0/16, bridge corral0), made on
 * first use by the code above; for the attach code and NetworkList. */
int network_ensure_default(struct corrald *d, cerr *err);
