/* The network feature, as the rest of corrald sees it: its part in each
 * container's life (registered by main_corrald.c), what a part whose own
 * objects hold attachments and ports tells it (net_holder), and what such
 * a part (sessions) uses to attach its own namespaces (net_ns). It declares
 * what it gives itself: the feature's other headers are its own. */
#pragma once
#include <stdbool.h>
#include "common/error.h"
#include "supervisor/daemon/containers/record/ctr_service.h"
#include "supervisor/daemon/spec/ports.h"
#include "supervisor/varlink/peer.h"

struct corrald;

extern const ctr_feature network_container_hooks;
/* The feature's state, behind d->network (net_globals.c): made before the
 * first container is adopted. At exit, the CNI runs under way (a DEL at a
 * container's end) have timeout_ms to finish and the rest are cut short;
 * then, once the containers are shut down, the state goes. */
int network_start(struct corrald *d, cerr *err);
void network_drain(struct corrald *d, int timeout_ms);
void network_free(struct corrald *d);

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
/* The same check as a container's Start makes, for ports published by
 * self (a container or a session), which is not counted against itself:
 * each must be free, not published by another of corrald's objects, and
 * not bound by a process of the host. The error names the container or
 * session that holds a port only when viewer (the peer, or the owner of
 * self) may see it; else it says only that another user's does. */
int ports_free_of(const struct corrald *d, const cni_port *ports, size_t n, const void *self,
		  const peer_cred *viewer, cerr *err);

/* A network namespace that is not a container's (a session's), on a CNI
 * network (net_ns.c): its ADD is recorded at record, in a container's
 * record's shape, and its DEL runs from that record, after a restart too. */
typedef struct net_ns {
	const char *network; /* the network's name */
	const char *cni_id;  /* its CNI container id */
	const char *netns;   /* the namespace's path; "" for a DEL once it is gone */
	const cni_port *ports;
	size_t n_ports;
	const char *record;
} net_ns;
typedef struct net_ns_addr {
	char ip[48], gateway[48];
} net_ns_addr;
/* r: 0 or -errno (err says why); addr: the ADD's address, NULL after a DEL. */
typedef void (*net_ns_done_fn)(struct corrald *d, int r, const net_ns_addr *addr, const cerr *err, void *data);
/* ADD ns (the default network made first, when it is the one), then write
 * its record; one that cannot be written undoes the ADD. done runs once,
 * from the loop, unless an error is returned. */
int net_ns_attach(struct corrald *d, const net_ns *ns, net_ns_done_fn done, void *data, cerr *err);
/* An ADD that corrald's death may have cut short before its record was
 * written: a DEL from the network's config first, for whatever it made
 * (a veth in the namespace, a lease), then as net_ns_attach. */
int net_ns_attach_again(struct corrald *d, const net_ns *ns, net_ns_done_fn done, void *data, cerr *err);
/* DEL what ns->record says (its ports, config and result; ns gives the
 * rest), then remove it; done as for net_ns_attach. NET_NS_NO_RECORD, and
 * done never runs, when there is no record to undo (one that cannot be
 * read is removed). */
#define NET_NS_NO_RECORD 1
int net_ns_detach(struct corrald *d, const net_ns *ns, net_ns_done_fn done, void *data, cerr *err);
/* The address the record at path holds; -ENOENT when there is none. */
int net_ns_address(const char *record, net_ns_addr *addr);
