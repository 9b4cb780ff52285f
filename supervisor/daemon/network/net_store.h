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
/* Plan (netconf_plan: *field names the request's parameter at fault;
 * with no subnet, one clear of the host's routes now) and write it. */
int net_store_create(const char *dir, const char *data_dir, const netconf_req *req, netconf *out, const char **field,
		     cerr *err);
int net_store_remove(const char *dir, const char *name, cerr *err);
/* The conflist text of network name, for a CNI call (*text is malloc'd):
 * any valid CNI 1.0 conflist whose name is its file's. -ENOENT: none. */
int net_store_text(const char *dir, const char *name, char **text, cerr *err);
/* host-local's leases of corrald's own networks: <state>/networks/ipam. */
void net_ipam_dir(const struct corrald *d, char *buf, size_t n);
/* The default network, corral (bridge corral0, the first /16 from
 * 10.88.0.0/16 on that the host does not use), made on first use by the
 * code above and kept; for the attach code and NetworkList. */
int network_ensure_default(struct corrald *d, cerr *err);
