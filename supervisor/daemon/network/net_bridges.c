#include "supervisor/daemon/network/net_bridges.h"
#include "runtime/netlink.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#define PICKED_PREFIX "corral" /* netconf.c's pick_bridge: corral<N> */

static bool picked_name(const char *name)
{
	size_t k = strlen(PICKED_PREFIX);
	if (strncmp(name, PICKED_PREFIX, k) || !name[k])
		return false;
	return strspn(name + k, "0123456789") == strlen(name + k);
}

/* Its driver, as ethtool asks it: in the caller's network namespace, which
 * /sys/class/net is not once corrald runs in a namespace of its own. */
static bool is_bridge(const char *name)
{
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = { .ifr_data = (void *)&info };
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	return fd >= 0 && ioctl(fd, SIOCETHTOOL, &ifr) == 0 && streq(info.driver, "bridge");
}

bool net_bridge_name_taken(const char *name) { return if_nametoindex(name) != 0; }

int net_bridge_remove(const char *name, cerr *err)
{
	if (!picked_name(name) || !is_bridge(name))
		return 0;
	return net_link_delete(name, err);
}

void net_bridges_sweep(const netconf *have, size_t n)
{
	struct if_nameindex *all = if_nameindex();
	if (!all)
		return;
	_cleanup_cerr_ cerr err = { 0 };
	for (struct if_nameindex *i = all; i->if_index; i++) {
		bool named = false;
		for (size_t k = 0; k < n && !named; k++)
			named = streq(have[k].bridge, i->if_name);
		if (named || !picked_name(i->if_name) || !is_bridge(i->if_name))
			continue;
		if (net_link_delete(i->if_name, &err) < 0)
			log_cerr(LOG_LVL_WARN, &err, "network: a bridge no network names");
		else
			log_info("network: removed bridge %s, which no network names", i->if_name);
	}
	if_freenameindex(all);
}
