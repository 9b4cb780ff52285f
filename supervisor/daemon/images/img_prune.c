/* Pruning the image store (ImagePrune, SystemPrune): images no container
 * uses go (with all), or only those without a name; then gc collects the
 * blobs and layers that no image and no container holds. A member prunes
 * only its own: it lets go of the images it holds and of its names; an
 * image goes when no one holds it any more (img_owner.h). */
#include "supervisor/daemon/images/img_methods.h"
#include "supervisor/daemon/core/img_owner.h"
#include "supervisor/daemon/images/img_size.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/containers/ctr_prune.h"
#include "supervisor/varlink/params.h"
#include "supervisor/varlink/sv_errors.h"
#include "common/json.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "images/gc.h"
#include "images/refs.h"
#include "images/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int store_bytes(corrald *d, uint64_t *out, cerr *err)
{
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	int r = store_open(&s, d->cfg->state_dir, false, err);
	if (r == 0)
		*out = imgsize_store(d->imgsizes, &s);
	return r;
}

/* Drop from refs.json peer's images to prune; their IDs go to *removed. */
static int drop_unused(corrald *d, const peer_cred *peer, bool all, char ***removed, cerr *err)
{
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	int r = store_open(&s, d->cfg->state_dir, false, err);
	if (r < 0)
		return r;
	_cleanup_close_ int lk = store_lock_refs(&s, err);
	_cleanup_refs_ refs_db db = { 0 };
	if (lk < 0 || (r = refs_load(&s, &db, err)) < 0)
		return lk < 0 ? lk : r;
	for (size_t i = 0; i < db.n_images;) {
		ref_image im = db.images[i];
		bool named = false;
		for (size_t k = 0; k < db.n_names && !named; k++)
			named = streq(db.names[k].manifest, im.manifest) && owner_may(peer, db.names[k].owner);
		if (!img_held(peer, &db, i) || img_user_of(d, &im) || (named && !all)) {
			i++;
			continue;
		}
		if (!refs_release(&db, i, img_mine, peer))
			i++; /* still held by others; else another image is at i now */
		char *id = strdup(im.config);
		if (!id || strv_push(removed, id) < 0) {
			free(id);
			return cerr_set(err, ENOMEM, "out of memory");
		}
	}
	return *removed ? refs_save(&s, &db, err) : 0;
}

int img_prune(corrald *d, const peer_cred *peer, bool all, char ***removed, uint64_t *reclaimed, cerr *err)
{
	uint64_t before = 0, after = 0;
	int r;
	if ((r = store_bytes(d, &before, err)) < 0 || (r = drop_unused(d, peer, all, removed, err)) < 0)
		return r;
	/* drop_unused let go of the shared lock: gc takes it exclusively */
	gc_stats st;
	if ((r = image_gc(d->cfg->state_dir, &st, err)) < 0 || (r = store_bytes(d, &after, err)) < 0)
		return r;
	*reclaimed = before > after ? before - after : 0;
	for (char **id = *removed; id && *id; id++)
		events_publish(d->events, EV_OWNER(peer ? peer->uid : 0), "image", "remove", *id, NULL, NULL, 0);
	char n[32];
	snprintf(n, sizeof(n), "%zu", strv_length(*removed));
	events_publish(d->events, EV_OWNER(peer ? peer->uid : 0), "image", "prune", "", NULL,
		       (const char *const[]){ "images", n, NULL }, 0);
	corrald_update_image_gauges(d, NULL);
	return 0;
}

int sv_system_prune(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	bool all;
	json_fault f = { 0 };
	if (sp_known(params, KNOWN("all"), &f) < 0 || sp_bool(params, "all", false, &all, &f) < 0)
		return sv_invalid_fault(call, &f);
	_cleanup_strv_ char **containers = NULL, **images = NULL;
	if (ctr_prune_stopped(d, vl_call_peer(call), &containers) < 0)
		return sv_internal(call, "out of memory");
	/* the containers went first: the images they held may go now */
	uint64_t reclaimed = 0;
	cerr err = { 0 };
	if (img_prune(d, vl_call_peer(call), all, &images, &reclaimed, &err) < 0)
		return sv_internal_err(call, &err);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return sv_internal(call, "out of memory");
	yajl_gen_map_open(g);
	jg_key_strv(g, "containers", containers);
	jg_key_strv(g, "images", images);
	jg_key_int(g, "reclaimedBytes", (long long)reclaimed);
	yajl_gen_map_close(g);
	return vl_call_reply_gen(call, g);
}
