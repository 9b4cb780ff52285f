/* The network feature's globals: made at corrald's start, drained and freed
 * at its exit. */
#include "supervisor/daemon/network/network.h"
#include "supervisor/daemon/network/net_globals.h"
#include "supervisor/daemon/network/net_reconcile.h"
#include "supervisor/daemon/network/net_attach.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/log.h"

#include <errno.h>
#include <stdlib.h>

int network_start(struct corrald *d, cerr *err)
{
	net_globals *ns = calloc(1, sizeof(*ns));
	if (!ns)
		return cerr_set(err, ENOMEM, "out of memory");
	ns->cni.loop = d->loop;
	d->network = ns;
	return 0;
}

void network_drain(struct corrald *d, int timeout_ms)
{
	if (d->network)
		cni_run_drain(&d->network->cni, timeout_ms);
}

void network_free(struct corrald *d)
{
	net_globals *ns = d->network;
	if (!ns)
		return;
	if (ns->cni.live) { /* a plugin whose end never came still holds it */
		log_warn("network: a CNI plugin did not end: its run is left as it is");
		return;
	}
	net_checks_free(ns);
	net_pending_free_all(ns);
	for (size_t i = 0; i < NET_VERIFIED_MAX; i++)
		free(ns->verified[i]);
	free(ns);
	d->network = NULL;
}
