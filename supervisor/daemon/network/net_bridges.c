#include "supervisor/daemon/network/net_bridges.h"
#include "supervisor/daemon/network/check_path.h"
#include "runtime/netlink.h"
#include "common/spawn.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <limits.h>
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

/* The firewall plugin's two rules for the bridge (its ingressPolicy
 * same-bridge, netconf_json.c): it makes them at a first ADD and, as it
 * cannot know when the bridge's last container has gone, never removes
 * them; its network's removal does, or the host's firewall keeps them. */
static void drop_isolation_rules(const char *name)
{
	static const char *const tools[] = { "iptables", "ip6tables" };
	char *bridge = (char *)name, comment[] = "CNI firewall plugin rules (ingressPolicy: same-bridge)";
	for (size_t t = 0; t < ARRAY_SIZE(tools); t++) {
		char path[PATH_MAX], why[256];
		if (check_path_find(tools[t], path, sizeof(path)) < 0)
			continue;
		/* -w 2: the xtables lock, should a plugin hold it, is waited on a while */
		char *stage1[] = { path, "-w", "2", "-t", "filter", "-D", "CNI-ISOLATION-STAGE-1", "-i", bridge, "!", "-o",
				   bridge, "-m", "comment", "--comment", comment, "-j", "CNI-ISOLATION-STAGE-2", NULL };
		char *stage2[] = { path, "-w", "2", "-t", "filter", "-D", "CNI-ISOLATION-STAGE-2", "-o", bridge, "-m",
				   "comment", "--comment", comment, "-j", "DROP", NULL };
		/* a rule that is not there (no container came, or not this family) is no error */
		(void)spawn_wait(path, stage1, why, sizeof(why));
		(void)spawn_wait(path, stage2, why, sizeof(why));
	}
}

int net_bridge_remove(const char *name, cerr *err)
{
	if (!picked_name(name))
		return 0;
	drop_isolation_rules(name);
	return is_bridge(name) ? net_link_delete(name, err) : 0;
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
		drop_isolation_rules(i->if_name);
		if (net_link_delete(i->if_name, &err) < 0)
			log_cerr(LOG_LVL_WARN, &err, "network: a bridge no network names");
		else
			log_info("network: removed bridge %s, which no network names", i->if_name);
	}
	if_freenameindex(all);
}
