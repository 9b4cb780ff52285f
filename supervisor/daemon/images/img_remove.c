/* ImageRemove: taking names and images away, each peer only its own
 * (img_owner.h): a member never reaches root's names or images,
 * which it sees shared read-only, nor another member's, which it does not
 * see at all. */
#include "supervisor/daemon/images/img_methods.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/images/img_remove.h"
#include "supervisor/daemon/images/images.h"
#include "supervisor/daemon/store/img_lookup.h"
#include "supervisor/daemon/images/img_internal.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/core/events.h"
#include "supervisor/daemon/store/img_owner.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"
#include "images/refs.h"
#include "images/refs_find.h"
#include "images/store.h"

#include <stdio.h>
#include <stdlib.h>

/* The container is named only to a peer that may see it. */
static int in_use(vl_call *call, const ctr *c, const char *ref)
{
	char why[512];
	if (ctr_visible_to(c, vl_call_peer(call)))
		snprintf(why, sizeof(why), "image %s is used by container %s (%.12s); remove it first, or force", ref,
			 c->name, c->id);
	else
		snprintf(why, sizeof(why), "image %s is used by another user's container; remove it with force", ref);
	return sv_invalid_state(call, ref, "in-use", why);
}

/* Whether everyone who hears of an event of who may see container c,
 * which it may then name: root alone, or c's owner and root. */
static bool event_may_name(event_owner who, const ctr *c)
{
	return who.uid != 0 ? c->owner == who.uid : !who.shared;
}

/* Root's shared image, which a member sees and may not change. */
static int not_yours(vl_call *call, const char *ref)
{
	char why[512];
	snprintf(why, sizeof(why), "image %s is root's, shared read-only: a member removes only its own images", ref);
	return sv_permission_denied(call, why);
}

/* A reply's {"removed": [ ... opened, for what a removal took away. */
static yajl_gen removed_open(void)
{
	yajl_gen g = json_gen_new(false);
	if (g && (yajl_gen_map_open(g) || jg_key(g, "removed") || yajl_gen_array_open(g))) {
		yajl_gen_free(g);
		return NULL;
	}
	return g;
}

int sv_image_remove(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	const char *ref;
	bool force;
	json_fault f = { 0 };
	if (sp_dispatch(params, SP_PARAMS(SP_REF("image", true, &ref), SP_BOOL("force", false, &force)), &f) < 0)
		return sv_invalid_fault(call, &f);
	const peer_cred *peer = vl_call_peer(call);
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_close_ int lk = -1;
	bool opened;
	int ni, i = img_find_ref(d, peer, ref, &s, &db, &ni, &lk, &opened, &err);
	if (!opened)
		return sv_internal_err(call, &err);
	if (i < 0 && ni < 0)
		return sv_no_such_image(call, ref);
	/* by name: that name, the peer's own; by ID: what the peer holds of it */
	if (ni >= 0 ? !owner_may(peer, db.names[ni].owner) : !img_held(peer, &db, (size_t)i))
		return not_yours(call, ref);
	_cleanup_free_ char *name = ni >= 0 ? img_name_for(peer, &db.names[ni]) : NULL;
	_cleanup_free_ char *qualified = ni >= 0 ? ref_qualified(db.names[ni].owner, db.names[ni].name) : NULL;
	if (ni >= 0 && (!name || !qualified))
		return sv_internal(call, "out of memory");
	ref_image im = { 0 };
	if (i >= 0)
		im = db.images[i];
	/* the event is the name's owner's, or by ID the peer's; root's is shared */
	event_owner who = ni >= 0 ? EV_SHARED(db.names[ni].owner)
				  : (event_owner){ peer->uid, peer->uid != 0 || refs_held_by(&db, (size_t)i, 0) };
	int dropped = ni >= 0 ? refs_unname(&db, (size_t)ni) : refs_release(&db, (size_t)i, img_mine, peer);
	const ctr *user = dropped ? img_user_of(d, &im) : NULL;
	if (user && !force)
		return in_use(call, user, ref);
	if (refs_save(&s, &db, &err) < 0)
		return sv_internal_err(call, &err);
	/* removed: the name dropped, then the image ID when the peer's image went */
	_cleanup_json_gen_ yajl_gen g = removed_open();
	if (!g)
		return sv_internal(call, "out of memory");
	if (name)
		jg_str(g, name);
	if (dropped || (ni < 0 && i >= 0))
		jg_str(g, im.config);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	bool shown = user && event_may_name(who, user);
	events_publish(d->events, who, "image", dropped ? "remove" : "untag", im.config, qualified ? qualified : ref,
		       (const char *const[]){ "manifest", im.manifest, shown ? "usedBy" : NULL, shown ? user->id : NULL,
					      NULL },
		       0);
	int r = vl_call_reply_gen(call, g);
	corrald_update_image_gauges(d, NULL);
	return r;
}
