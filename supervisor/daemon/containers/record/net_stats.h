/* A container's network counters: /proc/<pid>/net/dev shows the interfaces
 * of that process's network namespace, so the container init's pid is
 * enough; a procfs read never waits, so the loop may do it. lo is left out:
 * what a container says to itself is not network traffic. */
#pragma once
#include <net/if.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "common/error.h"

#define NET_STATS_MAX_IFACES 64 /* more interfaces than this are not counted */

typedef struct net_if_stats {
	char name[IF_NAMESIZE];
	uint64_t rx_bytes, rx_packets, tx_bytes, tx_packets;
} net_if_stats;

/* The interfaces of /proc/net/dev's text, lo excepted, at most max of them;
 * a line that is not "NAME: 16 numbers" (truncated, garbage) is skipped. */
size_t net_dev_parse(const char *text, net_if_stats *out, size_t max);
/* The same, read from /proc/<pid>/net/dev. */
int net_stats_read(pid_t pid, net_if_stats *out, size_t max, size_t *n, cerr *err);
/* The sum of n interfaces' counters. */
net_if_stats net_stats_total(const net_if_stats *s, size_t n);
