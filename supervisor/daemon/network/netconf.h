/* Network configs: the conflist NAME.conflist in corrald's cni-config-dir
 * (its name field must be NAME). The network `corral` is written there on
 * its first use: bridge corral0, 10.88.0.0/16 from host-local (its leases
 * under the state dir, not /var/lib/cni), portmap, firewall and tuning. */
#pragma once
#include <stddef.h>
#include "common/error.h"

#define NET_DEFAULT "corral"
#define NET_DEFAULT_BRIDGE "corral0"
#define NET_DEFAULT_SUBNET "10.88.0.0/16"
#define NET_MAX_CONF (256 * 1024)

/* The default network's conflist, host-local's leases in ipam_dir. */
char *netconf_default(const char *ipam_dir);
/* The conflist text of network name: *text is malloc'd. ENOENT: no such network. */
int netconf_load(const char *conf_dir, const char *state_dir, const char *name, char **text, cerr *err);
