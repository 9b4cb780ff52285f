/* The Image object of the image methods (io.corral.Supervisor.varlink):
 * its names as the peer sees them, its owners, size, times and platform;
 * with details, podman's inspect fields too (img_inspect.c). */
#include "supervisor/daemon/images/img_methods.h"
#include "supervisor/daemon/core/img_owner.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/images/img_size.h"
#include "supervisor/varlink/sv_errors.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/timefmt.h"
#include "images/image.h"

#include <errno.h>
#include <string.h>

static void key_str_or_null(yajl_gen g, const char *k, const char *v)
{
	if (v)
		jg_key_str(g, k, v);
	else
		jg_key(g, k), yajl_gen_null(g);
}

const char *img_created(yajl_val cfg, int64_t imported, char buf[static RFC3339_LEN])
{
	yajl_val c = json_get(cfg, "created");
	long long ns;
	if (YAJL_IS_STRING(c) && rfc3339_parse(c->u.string, strlen(c->u.string), &ns) == 0 && ns > 0)
		return rfc3339_ns(ns, buf, RFC3339_LEN);
	return imported > 0 ? rfc3339_ns(imported * 1000000000ll, buf, RFC3339_LEN) : NULL;
}

bool img_name_listed(const peer_cred *peer, const refs_db *db, size_t i, size_t k, const bool *only)
{
	return streq(db->names[k].manifest, db->images[i].manifest) && img_name_shown(peer, db, k) && (!only || only[k]);
}

void img_gen(corrald *d, yajl_gen g, img_store *s, const refs_db *db, size_t i, const peer_cred *peer,
	     const bool *only, bool details)
{
	const ref_image *im = &db->images[i];
	yajl_gen_map_open(g);
	jg_key_str(g, "id", im->config);
	jg_key(g, "names");
	yajl_gen_array_open(g);
	for (size_t k = 0; k < db->n_names; k++)
		if (img_name_listed(peer, db, i, k, only)) {
			_cleanup_free_ char *n = img_name_for(peer, &db->names[k]);
			jg_str(g, n ? n : db->names[k].name);
		}
	yajl_gen_array_close(g);
	jg_key(g, "owners");
	yajl_gen_array_open(g);
	for (size_t k = 0; k < db->n_holds; k++)
		if (streq(db->holds[k].manifest, im->manifest) && owner_may_use(peer, db->holds[k].owner))
			yajl_gen_integer(g, db->holds[k].owner);
	yajl_gen_array_close(g);
	jg_key_str(g, "manifestDigest", im->manifest);
	img_handle h;
	_cleanup_cerr_ cerr e = { 0 };
	uint64_t size = 0;
	bool loaded = image_load(s, im->manifest, &h, &e) == 0;
	for (size_t k = 0; loaded && k < h.cfg.n_diff_ids; k++)
		size += imgsize_layer(d->imgsizes, s, h.cfg.diff_ids[k]);
	jg_key_int(g, "size", (long long)size);
	_cleanup_json_ yajl_val cfg = NULL;
	if (loaded)
		json_parse(h.config_text, NULL, &cfg, &e);
	/* the image's own time, from its config; when it came here apart */
	char created[RFC3339_LEN], imported[RFC3339_LEN];
	key_str_or_null(g, "createdAt", img_created(cfg, im->created, created));
	key_str_or_null(g, "importedAt", img_created(NULL, im->created, imported));
	key_str_or_null(g, "architecture", loaded ? h.cfg.arch : NULL);
	key_str_or_null(g, "os", loaded ? h.cfg.os : NULL);
	if (details)
		img_gen_details(d, g, s, db, i, peer, loaded ? &h : NULL, cfg);
	yajl_gen_map_close(g);
	if (loaded)
		image_handle_free(&h);
}

int img_not_found(vl_call *call, const char *ref, cerr *err)
{
	if (err->code == EEXIST) /* a short name of two images, or an ID prefix of two */
		return sv_invalid_err(call, "image", err);
	cerr_clear(err);
	return sv_no_such_image(call, ref);
}
