/* The network feature, as the rest of corrald sees it: its part in each
 * container's life (registered by main_corrald.c), what a part whose own
 * objects hold attachments and ports tells it (net_holder), and what such
 * a part (sessions) uses to attach its own namespaces. */
#pragma once
#include <stdbool.h>
#include "common/error.h"
#include "supervisor/daemon/containers/record/ctr_service.h"
#include "supervisor/daemon/network/cni.h"
#include "supervisor/daemon/network/cni_run.h"
#include "supervisor/daemon/network/hosts.h"
#include "supervisor/daemon/network/net_attach.h"
#include "supervisor/daemon/network/net_store.h"
#include "supervisor/daemon/network/netns_pin.h"
#include "supervisor/daemon/network/ports_free.h"
#include "supervisor/daemon/spec/ports.h"
#include "supervisor/varlink/peer.h"

struct corrald;

extern const ctr_feature network_container_hooks;

/* A part other than the containers whose objects hold CNI attachments and
 * host ports (a session's namespace): the network asks it before it frees
 * a lease at reconcile, and before it lets a port be published. */
typedef struct net_holder {
	/* whether a CNI container id is one of its live attachments */
	bool (*holds_cni_id)(struct corrald *d, const char *cni_id);
	/* -EADDRINUSE with err (ports_taken) when one of its objects, other
	 * than self, publishes p; else 0 */
	int (*port_held)(const struct corrald *d, const cni_port *p, const void *self, const peer_cred *viewer,
			 cerr *err);
} net_holder;
void network_holder_set(const net_holder *h);
bool net_holders_cni_id(struct corrald *d, const char *cni_id);
int net_holders_port(const struct corrald *d, const cni_port *p, const void *self, const peer_cred *viewer, cerr *err);
/* The error for a port p that what ("container", "session") name holds,
 * naming it only when the viewer may see it (named). */
int ports_taken(const cni_port *p, const char *what, const char *name, bool named, cerr *err);
