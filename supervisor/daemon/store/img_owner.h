/* Whose image names and images a peer reaches (corrald(8) SECURITY): a
 * member its own and root's (shared read-only, owner_may_use); root and
 * corrald itself everything. This turns owner.h's rule into the store's
 * view (images/refs.h); it is no second copy of it. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include "images/refs.h"
#include "supervisor/varlink/peer.h"

/* The view of peer (NULL: corrald itself), which v borrows. */
void img_view(const peer_cred *peer, refs_view *v);
/* owner_may(peer, owner), as refs_release asks it (ctx: the peer). */
bool img_mine(uid_t owner, const void *peer);
/* Whether peer holds image i itself (root: anyone does). */
bool img_held(const peer_cred *peer, const refs_db *db, size_t i);
/* Whether peer sees name k under its name: its own and root's (unless its
 * own of the same name hides root's); for root, every one. */
bool img_name_shown(const peer_cred *peer, const refs_db *db, size_t k);
/* Name k as peer writes it: NAME:TAG for its own and root's, and for root a
 * member's "~UID/NAME:TAG". */
char *img_name_for(const peer_cred *peer, const ref_name *n);
