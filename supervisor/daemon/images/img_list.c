/* ImageList: every image the peer may see, those its names resolve to, or
 * the names that answer to references, as `podman images REPO[:TAG]` and
 * its reference= filter list them. */
#include "supervisor/daemon/images/img_methods.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/images/img_list.h"
#include "supervisor/daemon/images/images.h"
#include "supervisor/daemon/store/img_lookup.h"
#include "supervisor/daemon/images/img_internal.h"
#include "supervisor/daemon/images/img_gen.h"
#include "supervisor/daemon/store/img_owner.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/store/build_cache.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "supervisor/api/sv_reply.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"
#include "images/refs.h"
#include "images/refs_find.h"
#include "images/refs_name.h"
#include "images/store.h"

#include <stdlib.h>
#include <string.h>

/* Whether image i has a name peer sees. */
static bool named_for(const peer_cred *peer, const refs_db *db, size_t i)
{
	for (size_t k = 0; k < db->n_names; k++)
		if (streq(db->names[k].manifest, db->images[i].manifest) && img_name_shown(peer, db, k))
			return true;
	return false;
}

/* The names (want_name) and images (want) that answer to refs: by a name's
 * repository and tag; a ref that answers to no name, by ID as refs_find. */
static void pick(const refs_db *db, const refs_view *view, const peer_cred *peer, char **refs, bool *want,
		 bool *want_name)
{
	for (char **r = refs; r && *r; r++) {
		bool any = false;
		for (size_t k = 0; k < db->n_names; k++) {
			_cleanup_free_ char *shown = img_name_for(peer, &db->names[k]);
			if (!shown || !img_name_shown(peer, db, k) || !ref_filter_matches(shown, *r))
				continue;
			for (size_t i = 0; i < db->n_images; i++)
				if (streq(db->images[i].manifest, db->names[k].manifest))
					want[i] = want_name[k] = any = true;
		}
		_cleanup_cerr_ cerr err = { 0 };
		int i = any ? -1 : refs_find(db, view, *r, NULL, &err);
		for (size_t k = 0; i >= 0 && k < db->n_names; k++)
			want_name[k] = want_name[k] || streq(db->names[k].manifest, db->images[i].manifest);
		if (i >= 0)
			want[i] = true;
	}
}

int sv_image_list(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	_cleanup_strv_ char **names = NULL, **refs = NULL;
	bool given, filtered;
	if (sp_known(params, SP_PARAMS(SP_KEY("names"), SP_KEY("references")), &f) < 0)
		return sv_invalid_fault(call, &f);
	if (json_get_strv(params, "", "names", JSON_REF, &names, &given, &f) < 0 ||
	    json_get_strv(params, "", "references", JSON_REF, &refs, &filtered, &f) < 0)
		return sv_invalid_fault(call, &f);
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	cerr err = { 0 };
	if (img_open_refs(d, &s, &db, &err) < 0)
		return sv_internal_err(call, &err);
	const peer_cred *peer = vl_call_peer(call);
	refs_view view;
	img_view(peer, &view);
	/* with names: the images they resolve to, each once; unknown ones are
	 * skipped; without: every image there in the peer's view */
	_cleanup_free_ bool *want = calloc(db.n_images + 1, sizeof(bool));
	_cleanup_free_ bool *want_name = calloc(db.n_names + 1, sizeof(bool));
	if (!want || !want_name)
		return sv_internal(call, "out of memory");
	/* a build's steps (unnamed, in the peer's cache) are left out, as
	 * Docker leaves out its builder's intermediate images */
	_cleanup_strv_ char **steps = build_cache_manifests(d, peer->uid);
	for (size_t i = 0; i < db.n_images; i++)
		want[i] = !given && !filtered && refs_visible(&db, &view, i) &&
			  !(strv_contains(steps, db.images[i].manifest) && !named_for(peer, &db, i));
	for (char **n = names; n && *n; n++) {
		int i = refs_find(&db, &view, *n, NULL, NULL);
		if (i >= 0)
			want[i] = true;
	}
	pick(&db, &view, peer, refs, want, want_name);
	_cleanup_json_gen_ yajl_gen g = sv_reply_open();
	if (!g || jg_key(g, "images") || yajl_gen_array_open(g))
		return sv_internal(call, "out of memory");
	for (size_t i = 0; i < db.n_images; i++)
		if (want[i])
			img_gen(d, g, &s, &db, i, peer, filtered ? want_name : NULL, false);
	yajl_gen_array_close(g);
	return sv_reply_close(call, g);
}
