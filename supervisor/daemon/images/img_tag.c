/* ImageTag: more names for an image, as `podman tag` gives them. The names
 * are the peer's own (refs.h): a member's never replace root's, and a
 * member may name root's shared image, which it then holds too. */
#include "supervisor/daemon/images/img_methods.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/images/img_tag.h"
#include "supervisor/daemon/images/images.h"
#include "supervisor/daemon/store/img_lookup.h"
#include "supervisor/daemon/images/img_internal.h"
#include "supervisor/daemon/core/events.h"
#include "supervisor/daemon/store/img_owner.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"
#include "images/refs.h"
#include "images/refs_name.h"
#include "images/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The full names of names, each valid; NULL with *f set otherwise. */
static char **full_names(char **names, json_fault *f)
{
	_cleanup_strv_ char **out = NULL;
	for (char **n = names; *n; n++) {
		char *full = ref_normalize(*n);
		if (!full) {
			json_fault_set(f, EINVAL, "names", "%.200s: not an image name (lowercase [REGISTRY/]PATH[:TAG])", *n);
			return NULL;
		}
		if (strv_push(&out, full) < 0) {
			free(full);
			json_fault_oom(f);
			return NULL;
		}
	}
	return TAKE_PTR(out);
}

int sv_image_tag(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	const char *ref;
	_cleanup_strv_ char **names = NULL, **full = NULL;
	json_fault f = { 0 };
	if (sp_dispatch(params, SP_PARAMS(SP_REF("image", true, &ref), SP_KEY("names")), &f) < 0 ||
	    json_get_strv(params, "", "names", JSON_REQUIRED | JSON_NONEMPTY | JSON_REF, &names, NULL, &f) < 0 || !(full = full_names(names, &f)))
		return sv_invalid_fault(call, &f);
	const peer_cred *peer = vl_call_peer(call);
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	cerr err = { 0 };
	_cleanup_close_ int lk = -1;
	bool opened;
	int i = img_find_ref(d, peer, ref, &s, &db, NULL, &lk, &opened, &err);
	if (!opened)
		return sv_internal_err(call, &err);
	if (i < 0)
		return img_not_found(call, ref, &err);
	char manifest[DIGEST_STR_LEN], id[DIGEST_STR_LEN];
	snprintf(manifest, sizeof(manifest), "%s", db.images[i].manifest);
	snprintf(id, sizeof(id), "%s", db.images[i].config);
	for (char **n = full; *n; n++)
		if (refs_set_name(&db, peer->uid, *n, manifest) < 0)
			return sv_internal(call, "out of memory");
	if (refs_save(&s, &db, &err) < 0)
		return sv_internal_err(call, &err);
	for (char **n = full; *n; n++) {
		_cleanup_free_ char *shown = ref_qualified(peer->uid, *n);
		events_publish(d->events, EV_SHARED(peer->uid), "image", "tag", id, shown ? shown : *n,
			       (const char *const[]){ "manifest", manifest, NULL }, 0);
	}
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_strv(g, "names", full) || yajl_gen_map_close(g))
		return sv_internal(call, "out of memory");
	return vl_call_reply_gen(call, g);
}
