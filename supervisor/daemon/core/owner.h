/* Every object corrald keeps (a container, an image name, a secret, a
 * session and its state, a broker session, a job, a workload, a network)
 * has an owner: the uid of the peer that made it. This is the one answer,
 * for every method, to "may this peer see or change it" (corrald(8)
 * SECURITY): root and corrald itself (no peer) reach everything; a member
 * of the access group reaches only what it made, and everything else is
 * not there for it. Root through the CRI socket (own_only) reaches only
 * root's: kubelet's node is its pods, and a member's objects, whose labels
 * it would trust (a log path it deletes, a pod it kills), are not there
 * for it, nor for its image and container GC. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include "supervisor/varlink/peer.h"

static inline bool owner_may(const peer_cred *peer, uid_t owner)
{
	return !peer || peer->uid == owner || (peer->uid == 0 && !peer->own_only);
}

/* Root's images are shared read-only: every peer may see and use what
 * root owns, and change only what owner_may lets it. */
static inline bool owner_may_use(const peer_cred *peer, uid_t owner)
{
	return owner == 0 || owner_may(peer, owner);
}

/* Whether peer is a member, bounded by the policy, rather than root. */
static inline bool owner_is_member(const peer_cred *peer) { return peer && peer->uid != 0; }
