/* A container's address and its MAC, kept together, so that a restarted
 * container answers at once: the bridge, the host and the other containers
 * hold neighbour entries for its address, which a new random MAC would
 * leave pointing nowhere for tens of seconds. A restart asks for the
 * address it had and for the MAC made from it (Docker's rule), and every
 * attachment announces itself (a gratuitous ARP, an unsolicited NA) as
 * soon as its interface is up, which corrects what a first start or a
 * changed address left stale. */
#pragma once
#include <stddef.h>
#include <yajl/yajl_tree.h>

/* IPv4: 02:42 and its four octets, as Docker's; IPv6: 02 and its last five
 * bytes (host-local hands a subnet's addresses out in order, so these
 * differ). 0, or -EINVAL when ip is not an address. */
int net_mac_of_ip(const char *ip, char *buf, size_t n);
/* From inside the namespace pinned at netns, on ifname: a gratuitous ARP
 * for each IPv4 address of result's container interface and an
 * unsolicited NA (override) for each IPv6 one. Best effort: what cannot be
 * sent is logged at debug, and the neighbours then learn in their time. */
void net_announce(const char *netns, const char *ifname, yajl_val result);
