/* ImageInspect and ImageHistory: what `podman image inspect` and `podman
 * history` show of an image, from its config as the store holds it. */
#include "supervisor/daemon/images/img_methods.h"
#include "supervisor/daemon/core/img_owner.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/images/img_size.h"
#include "supervisor/varlink/params.h"
#include "supervisor/varlink/sv_errors.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"
#include "common/timefmt.h"
#include "images/image.h"
#include "images/refs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The config's run defaults podman shows, each there when the image has
 * none: Go prints a nil list as [], a nil map as map[], as `--format` does. */
static const struct {
	const char *key, *oci;
	char zero; /* '[' a list, '{' a map, '"' a string, 0 null */
} run_keys[] = {
	{ "env", "Env", '[' }, { "cmd", "Cmd", '[' }, { "entrypoint", "Entrypoint", '[' },
	{ "labels", "Labels", '{' }, { "workingDir", "WorkingDir", '"' }, { "user", "User", '"' },
	{ "exposedPorts", "ExposedPorts", '{' }, { "volumes", "Volumes", '{' }, { "stopSignal", "StopSignal", '"' },
	{ "healthcheck", "Healthcheck", 0 },
};

static void gen_or_zero(yajl_gen g, yajl_val v, char zero)
{
	if (v && !YAJL_IS_NULL(v))
		jg_value(g, v);
	else if (zero == '[')
		yajl_gen_array_open(g), yajl_gen_array_close(g);
	else if (zero == '{')
		yajl_gen_map_open(g), yajl_gen_map_close(g);
	else if (zero == '"')
		jg_str(g, "");
	else
		yajl_gen_null(g);
}

/* repoDigests: where it was pulled from, and each of its names' repository
 * at its manifest digest, as podman lists them. */
static void gen_repo_digests(yajl_gen g, const refs_db *db, size_t i, const peer_cred *peer)
{
	const ref_image *im = &db->images[i];
	_cleanup_strv_ char **all = strv_copy(im->repo_digests ? im->repo_digests : (char *[]){ NULL });
	for (size_t k = 0; all && k < db->n_names; k++) {
		if (!img_name_listed(peer, db, i, k, NULL))
			continue;
		_cleanup_free_ char *name = img_name_for(peer, &db->names[k]);
		char *rd = NULL;
		if (!name || asprintf(&rd, "%.*s@%s", (int)ref_repo_len(name), name, im->manifest) < 0)
			continue;
		bool dup = false;
		for (char **p = all; *p && !dup; p++)
			dup = streq(*p, rd);
		if (dup || strv_push(&all, rd) < 0)
			free(rd);
	}
	jg_key_strv(g, "repoDigests", all);
}

void img_gen_details(corrald *d, yajl_gen g, img_store *s, const refs_db *db, size_t i, const peer_cred *peer,
		     const img_handle *h, yajl_val cfg)
{
	const ref_image *im = &db->images[i];
	const char *rd = im->repo_digests && im->repo_digests[0] ? strrchr(im->repo_digests[0], '@') : NULL;
	jg_key_str(g, "digest", rd ? rd + 1 : im->manifest);
	jg_key(g, "repoTags");
	yajl_gen_array_open(g);
	for (size_t k = 0; k < db->n_names; k++)
		if (img_name_listed(peer, db, i, k, NULL)) {
			_cleanup_free_ char *n = img_name_for(peer, &db->names[k]);
			jg_str(g, n ? n : db->names[k].name);
		}
	yajl_gen_array_close(g);
	gen_repo_digests(g, db, i, peer);
	char created[RFC3339_LEN];
	const char *c = img_created(cfg, im->created, created);
	jg_key_str(g, "created", c ? c : "");
	yajl_val run = json_get(cfg, "config");
	jg_key(g, "config");
	yajl_gen_map_open(g);
	for (size_t k = 0; k < ARRAY_SIZE(run_keys); k++) {
		jg_key(g, run_keys[k].key);
		gen_or_zero(g, json_get(run, run_keys[k].oci), run_keys[k].zero);
	}
	yajl_gen_map_close(g);
	jg_key(g, "labels");
	gen_or_zero(g, json_get(run, "Labels"), '{');
	jg_key(g, "author");
	gen_or_zero(g, json_get(cfg, "author"), '"');
	jg_key_str(g, "manifestType", h && h->man.media_type ? h->man.media_type : MT_OCI_MANIFEST);
	jg_key(g, "rootFS");
	yajl_gen_map_open(g);
	jg_key_str(g, "type", "layers");
	jg_key_strv(g, "layers", h ? h->cfg.diff_ids : NULL);
	yajl_gen_map_close(g);
	jg_key(g, "history");
	gen_or_zero(g, json_get(cfg, "history"), '[');
}

/* The image ref names for the call's peer (*i): 0, or the reply given. */
static int find_for(vl_call *call, corrald *d, const char *ref, img_store *s, refs_db *db, int *i)
{
	cerr err = { 0 };
	*i = -1;
	if (img_open_refs(d, s, db, &err) < 0)
		return sv_internal_err(call, &err);
	refs_view view;
	img_view(vl_call_peer(call), &view);
	if ((*i = refs_find(db, &view, ref, NULL, &err)) < 0)
		return img_not_found(call, ref, &err);
	return 0;
}

int sv_image_inspect(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	const char *ref;
	json_fault f = { 0 };
	if (sp_known(params, KNOWN("image"), &f) < 0 || sp_ref(params, "image", true, &ref, &f) < 0)
		return sv_invalid_fault(call, &f);
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	int i, r = find_for(call, d, ref, &s, &db, &i);
	if (r || i < 0)
		return r;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return sv_internal(call, "out of memory");
	yajl_gen_map_open(g);
	jg_key(g, "image");
	img_gen(d, g, &s, &db, (size_t)i, vl_call_peer(call), NULL, true);
	yajl_gen_map_close(g);
	return vl_call_reply_gen(call, g);
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
	gen_or_zero(g, json_get(step, "created_by"), '"');
	jg_key(g, "comment");
	gen_or_zero(g, json_get(step, "comment"), '"');
	jg_key_int(g, "size", layer ? (long long)imgsize_layer(d->imgsizes, s, layer) : 0);
	jg_key_bool(g, "emptyLayer", !layer);
	jg_key_strv(g, "tags", tags);
	yajl_gen_map_close(g);
}

int sv_image_history(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	const char *ref;
	json_fault f = { 0 };
	if (sp_known(params, KNOWN("image"), &f) < 0 || sp_ref(params, "image", true, &ref, &f) < 0)
		return sv_invalid_fault(call, &f);
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	_cleanup_(image_handle_free) img_handle h = { 0 };
	int i, r = find_for(call, d, ref, &s, &db, &i);
	if (r || i < 0)
		return r;
	_cleanup_json_ yajl_val cfg = NULL;
	cerr err = { 0 };
	if (image_load(&s, db.images[i].manifest, &h, &err) < 0 || json_parse(h.config_text, NULL, &cfg, &err) < 0)
		return sv_internal_err(call, &err);
	yajl_val hist = json_get(cfg, "history");
	size_t n = YAJL_IS_ARRAY(hist) ? hist->u.array.len : 0;
	/* each step that is not an empty layer made the next layer; an image
	 * without history has a step a layer */
	_cleanup_free_ const char **layer = calloc(n + h.cfg.n_diff_ids + 1, sizeof(char *));
	_cleanup_strv_ char **tags = NULL;
	for (size_t k = 0; k < db.n_names; k++)
		if (img_name_listed(vl_call_peer(call), &db, (size_t)i, k, NULL)) {
			char *t = img_name_for(vl_call_peer(call), &db.names[k]);
			if (t && strv_push(&tags, t) < 0)
				free(t);
		}
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!layer || !g)
		return sv_internal(call, "out of memory");
	size_t li = 0, steps = n ? n : h.cfg.n_diff_ids;
	for (size_t k = 0; k < n; k++)
		if (!YAJL_IS_TRUE(json_get(hist->u.array.values[k], "empty_layer")) && li < h.cfg.n_diff_ids)
			layer[k] = h.cfg.diff_ids[li++];
	for (size_t k = 0; !n && k < steps; k++)
		layer[k] = h.cfg.diff_ids[k];
	yajl_gen_map_open(g);
	jg_key(g, "history");
	yajl_gen_array_open(g);
	for (size_t k = steps; k-- > 0;) /* the newest first */
		gen_step(d, g, &s, n ? hist->u.array.values[k] : NULL, layer[k], k + 1 == steps ? db.images[i].config : "<missing>",
			 k + 1 == steps ? tags : NULL);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return vl_call_reply_gen(call, g);
}
