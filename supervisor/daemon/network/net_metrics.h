/* Prometheus families of the containers' network counters:
 * corral_container_network_{receive,transmit}_{bytes,packets}_total
 * {id,name,interface}, as cAdvisor's container_network_* are. */
#pragma once
#include <stddef.h>
#include "common/strbuf.h"
#include "supervisor/daemon/containers/record/net_stats.h"

struct corrald;

typedef struct net_metrics_row {
	const char *id, *name;
	net_if_stats ifs[NET_STATS_MAX_IFACES];
	size_t n;
} net_metrics_row;

/* The four families for these containers' interfaces. */
int net_metrics_render_rows(const net_metrics_row *c, size_t n, strbuf *out);
/* ... for every running container of d on a CNI network. */
int net_metrics_render(const struct corrald *d, strbuf *out);
