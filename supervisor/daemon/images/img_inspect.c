/* ImageInspect and ImageHistory: what `podman image inspect` and `podman
 * history` show of an image, from its config as the store holds it. */
#include "supervisor/daemon/images/img_methods.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/images/img_inspect.h"
#include "supervisor/daemon/images/images.h"
#include "supervisor/daemon/store/img_lookup.h"
#include "supervisor/daemon/images/img_internal.h"
#include "supervisor/daemon/images/img_gen.h"
#include "supervisor/daemon/store/img_owner.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/images/img_size.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "supervisor/api/sv_reply.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"
#include "common/timefmt.h"
#include "images/image.h"
#include "images/refs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The answer about image i of the store s (db its refs). */
typedef int image_reply_fn(corrald *d, vl_call *call, img_store *s, refs_db *db, int i);

/* ImageInspect and ImageHistory: the image ref names found in the
 * caller's view, then answered by reply. */
static int on_image(vl_call *call, corrald *d, const char *ref, image_reply_fn *reply)
{
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	bool opened;
	cerr ferr = { 0 };
	int i = img_find_ref(d, vl_call_peer(call), ref, &s, &db, NULL, NULL, &opened, &ferr);
	if (i < 0)
		return img_find_failed(call, ref, opened, &ferr);
	return reply(d, call, &s, &db, i);
}

static int reply_inspect(corrald *d, vl_call *call, img_store *s, refs_db *db, int i)
{
	_cleanup_json_gen_ yajl_gen g = sv_reply_open();
	if (!g)
		return sv_internal(call, "out of memory");
	jg_key(g, "image");
	img_gen(d, g, s, db, (size_t)i, vl_call_peer(call), NULL, true);
	return sv_reply_close(call, g);
}

int sv_image_inspect(vl_call *call, yajl_val params, void *ud)
{
	const char *ref;
	json_fault f = { 0 };
	if (sp_dispatch(params, SP_PARAMS(SP_REF("image", true, &ref)), &f) < 0)
		return sv_invalid_fault(call, &f);
	return on_image(call, ud, ref, reply_inspect);
}

/* One row of the history; layer: the diff_id it made, or NULL. */
static void gen_step(corrald *d, yajl_gen g, img_store *s, yajl_val step, const char *layer, const char *id,
		     char *const *tags)
{
	yajl_val c = json_get(step, "created");
	long long ns;
	char when[RFC3339_LEN];
	yajl_gen_map_open(g);
	jg_key_str(g, "id", id);
	bool t = YAJL_IS_STRING(c) && rfc3339_parse(c->u.string, strlen(c->u.string), &ns) == 0;
	if (t)
		jg_key_str(g, "created", rfc3339_ns(ns, when, sizeof(when)));
	else
		jg_key(g, "created"), yajl_gen_null(g);
	jg_key(g, "createdBy");
	img_gen_or_zero(g, json_get(step, "created_by"), '"');
	jg_key(g, "comment");
	img_gen_or_zero(g, json_get(step, "comment"), '"');
	jg_key_int(g, "size", layer ? (long long)imgsize_layer(d->imgsizes, s, layer) : 0);
	jg_key_bool(g, "emptyLayer", !layer);
	jg_key_strv(g, "tags", tags);
	yajl_gen_map_close(g);
}

static int reply_history(corrald *d, vl_call *call, img_store *s, refs_db *db, int i)
{
	_cleanup_(image_handle_free) img_handle h = { 0 };
	_cleanup_json_ yajl_val cfg = NULL;
	cerr err = { 0 };
	if (image_load(s, db->images[i].manifest, &h, &err) < 0 || json_parse(h.config_text, NULL, &cfg, &err) < 0)
		return sv_internal_err(call, &err);
	yajl_val hist = json_get(cfg, "history");
	size_t n = YAJL_IS_ARRAY(hist) ? hist->u.array.len : 0;
	/* each step that is not an empty layer made the next layer; an image
	 * without history has a step a layer */
	_cleanup_free_ const char **layer = calloc(n + h.cfg.n_diff_ids + 1, sizeof(char *));
	_cleanup_strv_ char **tags = NULL;
	for (size_t k = 0; k < db->n_names; k++)
		if (img_name_listed(vl_call_peer(call), db, (size_t)i, k, NULL)) {
			char *t = img_name_for(vl_call_peer(call), &db->names[k]);
			if (t && strv_push(&tags, t) < 0)
				free(t);
		}
	_cleanup_json_gen_ yajl_gen g = sv_reply_open();
	if (!layer || !g)
		return sv_internal(call, "out of memory");
	size_t li = 0, steps = n ? n : h.cfg.n_diff_ids;
	for (size_t k = 0; k < n; k++)
		if (!YAJL_IS_TRUE(json_get(hist->u.array.values[k], "empty_layer")) && li < h.cfg.n_diff_ids)
			layer[k] = h.cfg.diff_ids[li++];
	for (size_t k = 0; !n && k < steps; k++)
		layer[k] = h.cfg.diff_ids[k];
	jg_key(g, "history");
	yajl_gen_array_open(g);
	for (size_t k = steps; k-- > 0;) /* the newest first */
		gen_step(d, g, s, n ? hist->u.array.values[k] : NULL, layer[k], k + 1 == steps ? db->images[i].config : "<missing>",
			 k + 1 == steps ? tags : NULL);
	yajl_gen_array_close(g);
	return sv_reply_close(call, g);
}

int sv_image_history(vl_call *call, yajl_val params, void *ud)
{
	const char *ref;
	json_fault f = { 0 };
	if (sp_dispatch(params, SP_PARAMS(SP_REF("image", true, &ref)), &f) < 0)
		return sv_invalid_fault(call, &f);
	return on_image(call, ud, ref, reply_history);
}
