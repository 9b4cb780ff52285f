#include "supervisor/daemon/store/img_owner.h"
#include "supervisor/daemon/core/owner.h"
#include "common/cleanup.h"

#include <string.h>

static bool may_use(uid_t owner, const void *peer)
{
	return owner_may_use(peer, owner);
}

void img_view(const peer_cred *peer, refs_view *v)
{
	*v = (refs_view){ .uid = peer ? peer->uid : 0, .may = may_use, .ctx = peer };
}

bool img_mine(uid_t owner, const void *peer)
{
	return owner_may(peer, owner);
}

bool img_held(const peer_cred *peer, const refs_db *db, size_t i)
{
	for (size_t k = 0; k < db->n_holds; k++)
		if (streq(db->holds[k].manifest, db->images[i].manifest) && owner_may(peer, db->holds[k].owner))
			return true;
	return !owner_is_member(peer);
}

bool img_name_shown(const peer_cred *peer, const refs_db *db, size_t k)
{
	const ref_name *n = &db->names[k];
	if (!owner_may_use(peer, n->owner))
		return false;
	if (n->owner != 0 || !owner_is_member(peer))
		return true;
	for (size_t i = 0; i < db->n_names; i++) /* its own of that name hides root's */
		if (db->names[i].owner == peer->uid && streq(db->names[i].name, n->name))
			return false;
	return true;
}

char *img_name_for(const peer_cred *peer, const ref_name *n)
{
	return ref_qualified(owner_is_member(peer) ? 0 : n->owner, n->name);
}
