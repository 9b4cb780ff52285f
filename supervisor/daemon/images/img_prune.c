/* Pruning the image store (ImagePrune, SystemPrune): images no container
 * uses go (with all), or only those without a name; then gc collects the
 * blobs and layers that no image and no container holds. A member prunes
 * only its own: it lets go of the images it holds and of its names; an
 * image goes when no one holds it any more (img_owner.h). The gc runs in
 * corral-images, which waits for the store's lock: a pull that holds it
 * delays the prune's answer, never corrald's loop. */
#include "supervisor/daemon/images/img_methods.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/images/images.h"
#include "supervisor/daemon/store/img_lookup.h"
#include "supervisor/daemon/images/img_internal.h"
#include "supervisor/daemon/images/img_prune.h"
#include "supervisor/daemon/store/img_owner.h"
#include "supervisor/daemon/images/img_size.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/core/store_gate.h"
#include "supervisor/daemon/store/build_cache.h"
#include "supervisor/daemon/containers/engine/ctr_prune.h"
#include "supervisor/loop/child.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "images/gc.h"
#include "images/refs.h"
#include "images/refs_find.h"
#include "images/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int store_bytes(corrald *d, uint64_t *out, cerr *err)
{
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	int r = store_open_nowait(&s, d->cfg->state_dir, err);
	if (r == 0)
		*out = imgsize_store(d->imgsizes, &s);
	return r;
}

/* Drop from refs.json peer's images to prune; their IDs go to *removed. */
static int drop_unused(corrald *d, const peer_cred *peer, bool all, char ***removed, cerr *err)
{
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	_cleanup_close_ int lk = img_lock_refs(d, &s, &db, err);
	if (lk < 0)
		return lk;
	/* a build's steps stay while the cache names them (builder prune forgets them) */
	_cleanup_strv_ char **steps = build_cache_manifests(d, peer ? peer->uid : 0);
	for (size_t i = 0; i < db.n_images;) {
		ref_image im = db.images[i];
		bool named = false;
		for (size_t k = 0; k < db.n_names && !named; k++)
			named = streq(db.names[k].manifest, im.manifest) && owner_may(peer, db.names[k].owner);
		if (!img_held(peer, &db, i) || img_user_of(d, &im) || ((named || strv_contains(steps, im.manifest)) && !all)) {
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

typedef struct prune_call {
	event_owner who;
	char **removed;
	uint64_t before;
	img_pruned_fn done;
	void *ctx;
} prune_call;

static void gc_done(corrald *d, vl_call *call, int rc, const strbuf *out, const strbuf *errout, void *data)
{
	prune_call *j = data;
	_cleanup_cerr_ cerr err = { 0 };
	uint64_t after = 0;
	if (rc != 0) {
		_cleanup_free_ char *msg = rc < 0 ? NULL : imghelper_last_line(errout, "corral: ");
		cerr_set(&err, EIO, "gc: %s", msg ? msg : "corral-images did not run");
	} else if (store_bytes(d, &after, NULL) < 0) {
		after = j->before; /* a gc of someone else's runs now: said as nothing reclaimed */
	}
	for (char **id = j->removed; id && *id; id++)
		events_publish(d->events, j->who, "image", "remove", *id, NULL, NULL, 0);
	char n[32];
	snprintf(n, sizeof(n), "%zu", strv_length(j->removed));
	events_publish(d->events, j->who, "image", "prune", "", NULL, (const char *const[]){ "images", n, NULL }, 0);
	corrald_update_image_gauges(d, NULL);
	j->done(d, call, j->removed, j->before > after ? j->before - after : 0, rc != 0 ? &err : NULL, j->ctx);
	strv_free(j->removed);
	free(j);
	store_gate_gc_end(d);
}

int img_prune_start(corrald *d, vl_call *call, const peer_cred *peer, bool all, img_pruned_fn done, void *ctx,
		    cerr *err)
{
	/* refused before an image is dropped: a member at its helpers' bound */
	int r = el_child_member_room(d->loop, call ? vl_call_peer(call)->uid : 0, err);
	if (r < 0)
		return r;
	prune_call *j = calloc(1, sizeof(*j));
	if (!j)
		return cerr_set(err, ENOMEM, "out of memory");
	*j = (prune_call){ .who = EV_OWNER(peer ? peer->uid : 0), .done = done, .ctx = ctx };
	char *args[] = { "image", "gc", "--store", d->cfg->state_dir, NULL };
	if ((r = store_bytes(d, &j->before, err)) < 0 || (r = drop_unused(d, peer, all, &j->removed, err)) < 0 ||
	    (r = imghelper_run(d, call, args, SPAWN_NULL, NULL, gc_done, j, err)) < 0) {
		strv_free(j->removed);
		free(j);
		return r;
	}
	store_gate_gc_begin();
	return 0;
}

typedef struct system_prune {
	char **containers;
} system_prune;

static void system_pruned(corrald *d, vl_call *call, char **images, uint64_t reclaimed, cerr *err, void *ctx)
{
	system_prune *x = ctx;
	_cleanup_json_gen_ yajl_gen g = call && !err ? json_gen_new(false) : NULL;
	if (call && err)
		sv_internal_err(call, err);
	else if (call && !g)
		sv_internal(call, "out of memory");
	else if (call) {
		jg_object(g, JG_STRV("containers", x->containers), JG_STRV("images", images),
			     JG_INT("reclaimedBytes", (long long)reclaimed), JG_END);
		vl_call_reply_gen(call, g);
	}
	strv_free(x->containers);
	free(x);
}

int sv_system_prune(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	bool all;
	json_fault f = { 0 };
	if (sp_known(params, KNOWN("all"), &f) < 0 || sp_bool(params, "all", false, &all, &f) < 0)
		return sv_invalid_fault(call, &f);
	cerr err = { 0 };
	if (el_child_member_room(d->loop, vl_call_peer(call)->uid, &err) < 0) /* before a container goes */
		return sv_internal_err(call, &err);
	system_prune *x = calloc(1, sizeof(*x));
	if (!x || ctr_prune_stopped(d, vl_call_peer(call), &x->containers) < 0) {
		if (x)
			strv_free(x->containers);
		free(x);
		return sv_internal(call, "out of memory");
	}
	/* the containers went first: the images they held may go now, and
	 * the build cache's with them, as Docker's system prune takes it */
	build_cache_clear(d, vl_call_peer(call));
	if (img_prune_start(d, call, vl_call_peer(call), all, system_pruned, x, &err) < 0) {
		strv_free(x->containers);
		free(x);
		return sv_internal_err(call, &err);
	}
	return 0; /* system_pruned answers */
}
