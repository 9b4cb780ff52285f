#include "supervisor/daemon/network/network.h"

static const net_holder *holder;

void network_holder_set(const net_holder *h) { holder = h; }

bool net_holders_cni_id(struct corrald *d, const char *cni_id)
{
	return holder && holder->holds_cni_id && holder->holds_cni_id(d, cni_id);
}

int net_holders_port(const struct corrald *d, const cni_port *p, const void *self, const peer_cred *viewer, cerr *err)
{
	return holder && holder->port_held ? holder->port_held(d, p, self, viewer, err) : 0;
}
