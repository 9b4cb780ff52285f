#include "supervisor/daemon/network/net_metrics.h"
#include "supervisor/daemon/core/metrics.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

static const struct family {
	const char *name, *help;
	size_t off;
} families[] = {
	{ "corral_container_network_receive_bytes_total", "Bytes received by a container's network interface.",
	  offsetof(net_if_stats, rx_bytes) },
	{ "corral_container_network_transmit_bytes_total", "Bytes sent by a container's network interface.",
	  offsetof(net_if_stats, tx_bytes) },
	{ "corral_container_network_receive_packets_total", "Packets received by a container's network interface.",
	  offsetof(net_if_stats, rx_packets) },
	{ "corral_container_network_transmit_packets_total", "Packets sent by a container's network interface.",
	  offsetof(net_if_stats, tx_packets) },
};

int net_metrics_render_rows(const net_metrics_row *c, size_t n, strbuf *out)
{
	int r = 0;
	for (size_t f = 0; !r && f < ARRAY_SIZE(families); f++) {
		r = metrics_head(out, families[f].name, "counter", families[f].help);
		for (size_t i = 0; !r && i < n; i++)
			for (size_t k = 0; !r && k < c[i].n; k++) {
				const net_if_stats *s = &c[i].ifs[k];
				uint64_t v = *(const uint64_t *)((const char *)s + families[f].off);
				r = sb_addf(out, "%s{id=\"%s\",name=\"", families[f].name, c[i].id) ||
				    metrics_label(out, c[i].name) || sb_adds(out, "\",interface=\"") ||
				    metrics_label(out, s->name) || sb_addf(out, "\"} %" PRIu64 "\n", v);
			}
	}
	return r ? -ENOMEM : 0;
}

int net_metrics_render(const struct corrald *d, strbuf *out)
{
	size_t n = 0, cap = 0;
	for (const ctr *c = d->ctrs; c; c = c->next)
		cap += ctr_alive(c) && c->spec.network == CTR_NET_CNI;
	_cleanup_free_ net_metrics_row *cs = calloc(cap ? cap : 1, sizeof(*cs));
	if (!cs)
		return -ENOMEM;
	for (const ctr *c = d->ctrs; c && n < cap; c = c->next) {
		if (!ctr_alive(c) || c->spec.network != CTR_NET_CNI)
			continue;
		_cleanup_cerr_ cerr err = { 0 };
		net_metrics_row *m = &cs[n];
		if (net_stats_read(c->pid, m->ifs, NET_STATS_MAX_IFACES, &m->n, &err) < 0) {
			/* it ended a moment ago: not shown */
			continue;
		}
		m->id = c->id;
		m->name = c->name;
		n++;
	}
	return net_metrics_render_rows(cs, n, out);
}
