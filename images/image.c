#include "images/image.h"
#include "images/refs.h"
#include "images/refs_find.h"
#include "common/cleanup.h"

#include <errno.h>
#include <string.h>

int image_load(img_store *s, const char *manifest, img_handle *h, cerr *err)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->manifest, sizeof(h->manifest), "%s", manifest);
	_cleanup_free_ char *mtext = NULL;
	int r = store_read_blob(s, manifest, IMG_MAX_JSON, &mtext, NULL, err);
	if (r < 0)
		return r;
	if ((r = manifest_parse(mtext, manifest, &h->man, err)) < 0)
		return r;
	snprintf(h->id, sizeof(h->id), "%s", h->man.config.digest);
	if ((r = store_read_blob(s, h->id, IMG_MAX_JSON, &h->config_text, NULL, err)) < 0)
		goto fail;
	if ((r = img_config_parse(h->config_text, h->id, &h->cfg, err)) < 0)
		goto fail;
	if (h->cfg.n_diff_ids != h->man.n_layers) {
		r = cerr_set(err, EINVAL, "image %s: layer count differs from diff_ids", manifest);
		goto fail;
	}
	return 0;
fail:
	image_handle_free(h);
	return r;
}

/* The viewer's own first name of manifest, else root's; -1 when neither has one. */
static int first_name(const refs_db *db, const refs_view *v, const char *manifest)
{
	uid_t self = v ? v->uid : 0;
	int root = -1;
	for (size_t k = 0; k < db->n_names; k++) {
		if (!streq(db->names[k].manifest, manifest))
			continue;
		if (db->names[k].owner == self)
			return (int)k;
		if (db->names[k].owner == 0 && root < 0 && (!v || !v->may || v->may(0, v->ctx)))
			root = (int)k;
	}
	return root;
}

int image_lookup(img_store *s, const refs_view *v, const char *ref, img_handle *h, cerr *err)
{
	_cleanup_refs_ refs_db db = { 0 };
	int r = refs_load(s, &db, err);
	if (r < 0)
		return r;
	int ni;
	int i = refs_find(&db, v, ref, &ni, err);
	if (i < 0)
		return i;
	if ((r = image_load(s, db.images[i].manifest, h, err)) < 0)
		return cerr_wrap(err, "image %s", ref);
	h->created = db.images[i].created;
	if (ni < 0) /* found by ID or digest: named as podman names it, by a name of its own */
		ni = first_name(&db, v, db.images[i].manifest);
	if (ni >= 0 && !(h->name = strdup(db.names[ni].name))) {
		image_handle_free(h);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	for (size_t k = 0; k < h->cfg.n_diff_ids; k++)
		if (!store_has_layer(s, h->cfg.diff_ids[k])) {
			image_handle_free(h);
			return cerr_set(err, ENOENT, "image %s: layer %s is missing from the store", ref,
					h->cfg.diff_ids[k]);
		}
	return 0;
}

void image_handle_free(img_handle *h)
{
	manifest_free(&h->man);
	img_config_free(&h->cfg);
	free(h->config_text);
	h->config_text = NULL;
	free(h->name);
	h->name = NULL;
}
