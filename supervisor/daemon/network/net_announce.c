/* A container's MAC from its address, and its announcement (net_announce.h). */
#include "supervisor/daemon/network/net_announce.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_get.h"
#include "common/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int net_mac_of_ip(const char *ip, char *buf, size_t n)
{
	unsigned char a[16];
	unsigned char m[6] = { 0x02, 0x42 };
	if (inet_pton(AF_INET, ip, a) == 1)
		memcpy(m + 2, a, 4);
	else if (inet_pton(AF_INET6, ip, a) == 1)
		memcpy(m + 1, a + 11, 5); /* 0x02: a locally administered unicast MAC */
	else
		return -EINVAL;
	snprintf(buf, n, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return 0;
}

static int parse_mac(const char *s, unsigned char m[6])
{
	unsigned v[6];
	char end;
	if (!s || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &end) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		m[i] = (unsigned char)v[i];
	return 0;
}

/* An ARP request from ip for ip: the neighbours that know ip take mac. */
static int send_garp(int ifindex, const unsigned char mac[6], const struct in_addr *ip)
{
	_cleanup_close_ int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP));
	if (fd < 0)
		return -errno;
	struct {
		struct arphdr h;
		unsigned char sha[6], sip[4], tha[6], tip[4];
	} __attribute__((packed)) p = { .h = { .ar_hrd = htons(ARPHRD_ETHER), .ar_pro = htons(ETH_P_IP), .ar_hln = 6,
					       .ar_pln = 4, .ar_op = htons(ARPOP_REQUEST) } };
	memcpy(p.sha, mac, 6);
	memcpy(p.sip, ip, 4);
	memcpy(p.tip, ip, 4);
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP), .sll_ifindex = ifindex,
				  .sll_halen = 6, .sll_addr = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	return sendto(fd, &p, sizeof(p), 0, (struct sockaddr *)&to, sizeof(to)) < 0 ? -errno : 0;
}

/* An unsolicited NA to all nodes, with override: those that hold ip take
 * mac (RFC 4861 7.2.6). */
static int send_na(int ifindex, const unsigned char mac[6], const struct in6_addr *ip)
{
	_cleanup_close_ int fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (fd < 0)
		return -errno;
	int hops = 255;
	struct sockaddr_in6 from = { .sin6_family = AF_INET6, .sin6_addr = *ip, .sin6_scope_id = (uint32_t)ifindex };
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_scope_id = (uint32_t)ifindex };
	inet_pton(AF_INET6, "ff02::1", &to.sin6_addr);
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) < 0 ||
	    bind(fd, (struct sockaddr *)&from, sizeof(from)) < 0)
		return -errno;
	struct {
		struct nd_neighbor_advert na;
		struct nd_opt_hdr opt;
		unsigned char mac[6];
	} __attribute__((packed)) p = { .na = { .nd_na_type = ND_NEIGHBOR_ADVERT, .nd_na_target = *ip },
				       .opt = { .nd_opt_type = ND_OPT_TARGET_LINKADDR, .nd_opt_len = 1 } };
	p.na.nd_na_flags_reserved = ND_NA_FLAG_OVERRIDE; /* the kernel fills in the checksum */
	memcpy(p.mac, mac, 6);
	return sendto(fd, &p, sizeof(p), 0, (struct sockaddr *)&to, sizeof(to)) < 0 ? -errno : 0;
}

/* Each address of result's interface named ifname, announced with its MAC. */
static void announce_all(const char *ifname, yajl_val result)
{
	yajl_val ifaces = json_key(result, "interfaces"), ips = json_key(result, "ips");
	int ifindex = (int)if_nametoindex(ifname);
	size_t n_if = YAJL_IS_ARRAY(ifaces) ? ifaces->u.array.len : 0;
	for (size_t i = 0; ifindex && YAJL_IS_ARRAY(ips) && i < ips->u.array.len; i++) {
		yajl_val ip = ips->u.array.values[i];
		long long idx = -1;
		json_int_in(json_key(ip, "interface"), 0, (long long)n_if - 1, &idx);
		yajl_val iface = idx >= 0 ? ifaces->u.array.values[idx] : NULL;
		const char *name = YAJL_GET_STRING(json_key(iface, "name"));
		const char *addr = YAJL_GET_STRING(json_key(ip, "address"));
		unsigned char mac[6];
		char host[INET6_ADDRSTRLEN];
		if (!name || !streq(name, ifname) || !json_key(iface, "sandbox") || !addr ||
		    parse_mac(YAJL_GET_STRING(json_key(iface, "mac")), mac) < 0 ||
		    snprintf(host, sizeof(host), "%.*s", (int)strcspn(addr, "/"), addr) >= (int)sizeof(host))
			continue;
		struct in6_addr a;
		int r = inet_pton(AF_INET, host, &a) == 1	 ? send_garp(ifindex, mac, (struct in_addr *)&a)
			: inet_pton(AF_INET6, host, &a) == 1 ? send_na(ifindex, mac, &a)
							     : -EINVAL;
		if (r < 0)
			log_debug("network: announcing %s on %s: %s", host, ifname, strerror(-r));
	}
}

void net_announce(const char *netns, const char *ifname, yajl_val result)
{
	_cleanup_close_ int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int there = open(netns, O_RDONLY | O_CLOEXEC);
	if (home < 0 || there < 0 || setns(there, CLONE_NEWNET) < 0) {
		log_debug("network: announcing in %s: %s", netns, strerror(errno));
		return;
	}
	announce_all(ifname, result);
	/* corrald is one thread: it is back in its own namespace before it
	 * does anything else, or it cannot go on */
	if (setns(home, CLONE_NEWNET) < 0) {
		log_error("network: returning from %s to corrald's own network namespace: %s", netns, strerror(errno));
		abort();
	}
}
