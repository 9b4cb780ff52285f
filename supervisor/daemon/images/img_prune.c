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
#include "supervisor/daemon/images/img_gen.h"
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
#include "common/timefmt.h"
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

static const char *label_of_config(const void *cfg, const char *key)
{
	yajl_val v = json_get(json_get(json_get((yajl_val)cfg, "config"), "Labels"), key);
	return YAJL_IS_STRING(v) ? v->u.string : NULL;
}

/* Whether pf keeps the image (its config's created time and labels) */
static bool filter_keeps(img_store *s, const ref_image *im, const prune_filter *pf)
{
	if (!pf->until_ns && !pf->labels && !pf->labels_not)
		return true;
	img_handle h;
	_cleanup_cerr_ cerr e = { 0 };
	if (image_load(s, im->manifest, &h, &e) < 0)
		return false; /* unreadable: not judged, so not pruned */
	_cleanup_json_ yajl_val cfg = NULL;
	json_parse(h.config_text, NULL, &cfg, &e);
	image_handle_free(&h);
	char when[RFC3339_LEN];
	const char *c = img_created(cfg, im->created, when);
	long long ns = 0;
	if (c)
		rfc3339_parse(c, strlen(c), &ns);
	return prune_filter_match(pf, ns, label_of_config, cfg);
}

/* Drop from refs.json peer's images to prune; their IDs go to *removed. */
static int drop_unused(corrald *d, const peer_cred *peer, bool all, const prune_filter *pf, char ***removed, cerr *err)
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
		if (!img_held(peer, &db, i) || img_user_of(d, &im) || ((named || strv_contains(steps, im.manifest)) && !all) ||
		    !filter_keeps(&s, &im, pf)) {
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

/* A prune, from its call to its answer: ImagePrune's answer names the
 * images removed; SystemPrune's the containers too. */
typedef struct prune_call {
	event_owner who;
	bool system;
	char **containers;
	char **removed;
	uint64_t before;
} prune_call;

static void prune_call_free(prune_call *j)
{
	if (j) {
		strv_free(j->containers);
		strv_free(j->removed);
	}
	free(j);
}

static void reply(vl_call *call, const prune_call *j, uint64_t reclaimed, cerr *err)
{
	_cleanup_json_gen_ yajl_gen g = err ? NULL : json_gen_new(false);
	long long bytes = (long long)reclaimed;
	if (err)
		sv_internal_err(call, err);
	else if (!g || (j->system ? jg_object(g, JG_STRV("containers", j->containers), JG_STRV("images", j->removed),
					      JG_INT("reclaimedBytes", bytes), JG_END)
				  : jg_object(g, JG_STRV("removed", j->removed), JG_INT("reclaimedBytes", bytes), JG_END)))
		sv_internal(call, "out of memory");
	else
		vl_call_reply_gen(call, g);
}

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
	if (call) /* NULL once the caller hung up */
		reply(call, j, j->before > after ? j->before - after : 0, rc != 0 ? &err : NULL);
	prune_call_free(j);
	store_gate_gc_end(d);
}

/* ImagePrune's and SystemPrune's parameters: all, and the filters. */
static int get_all(yajl_val params, bool *all, prune_filter *pf, json_fault *f)
{
	int r = sp_dispatch(params,
			    SP_PARAMS(SP_BOOL("all", false, all), SP_KEY("until"), SP_KEY("labels"), SP_KEY("labelsNot")), f);
	return r < 0 ? r : prune_filter_parse(params, pf, f);
}

/* Images no container uses go (with all), or only those without a name;
 * with system, the stopped containers first. */
static int prune(vl_call *call, corrald *d, bool all, const prune_filter *pf, bool system)
{
	cerr err = { 0 };
	const peer_cred *peer = vl_call_peer(call);
	/* refused before anything goes: a member at its helpers' bound */
	if (el_child_member_room(d->loop, peer->uid, &err) < 0)
		return sv_internal_err(call, &err);
	prune_call *j = calloc(1, sizeof(*j));
	if (!j || (system && ctr_prune_stopped(d, peer, pf, &j->containers) < 0)) {
		prune_call_free(j);
		return sv_internal(call, "out of memory");
	}
	j->who = EV_OWNER(peer->uid);
	j->system = system;
	/* the containers went first: the images they held may go now, and
	 * the build cache's with them, as Docker's system prune takes it */
	if (system)
		build_cache_clear(d, peer);
	char *args[] = { "image", "gc", "--store", d->cfg->state_dir, NULL };
	if (store_bytes(d, &j->before, &err) < 0 || drop_unused(d, peer, all, pf, &j->removed, &err) < 0 ||
	    imghelper_run(d, call, args, SPAWN_NULL, NULL, gc_done, j, &err) < 0) {
		prune_call_free(j);
		return sv_internal_err(call, &err);
	}
	store_gate_gc_begin();
	return 0; /* gc_done answers */
}

int sv_image_prune(vl_call *call, yajl_val params, void *ud)
{
	bool all;
	prune_filter pf;
	json_fault f = { 0 };
	return get_all(params, &all, &pf, &f) < 0 ? sv_invalid_fault(call, &f) : prune(call, ud, all, &pf, false);
}

int sv_system_prune(vl_call *call, yajl_val params, void *ud)
{
	bool all;
	prune_filter pf;
	json_fault f = { 0 };
	return get_all(params, &all, &pf, &f) < 0 ? sv_invalid_fault(call, &f) : prune(call, ud, all, &pf, true);
}
