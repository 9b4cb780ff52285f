/* The Image object of the image methods (io.corral.Supervisor.varlink):
 * its names as the peer sees them, its owners, size, times and platform;
 * with details, podman's inspect fields too (img_inspect.c). */
#include "supervisor/daemon/images/images.h"
#include "images/refs_name.h"
#include "supervisor/daemon/images/img_internal.h"
#include "supervisor/daemon/images/img_gen.h"
#include "supervisor/daemon/store/img_owner.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/images/img_size.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/strv.h"
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

/* The config's run defaults podman shows, each there when the image has
 * none: Go prints a nil list as [], a nil map as map[], as `--format` does. */
static const struct {
	const char *key, *oci;
	char zero; /* '[' a list, '{' a map, '"' a string, 0 null */
} run_keys[] = {
	{ "env", "Env", '[' }, { "cmd", "Cmd", '[' }, { "entrypoint", "Entrypoint", '[' },
	{ "labels", "Labels", '{' }, { "workingDir", "WorkingDir", '"' }, { "user", "User", '"' },
	{ "exposedPorts", "ExposedPorts", '{' }, { "volumes", "Volumes", '{' }, { "stopSignal", "StopSignal", '"' },
	{ "healthcheck", "Healthcheck", 0 }, { "onBuild", "OnBuild", 0 }, { "shell", "Shell", 0 },
};

void img_gen_or_zero(yajl_gen g, yajl_val v, char zero)
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
/* Image i's names that peer lists (only: img_name_listed's), as it writes
 * them, in an array. */
static void gen_names(yajl_gen g, const refs_db *db, size_t i, const peer_cred *peer, const bool *only)
{
	yajl_gen_array_open(g);
	for (size_t k = 0; k < db->n_names; k++)
		if (img_name_listed(peer, db, i, k, only)) {
			_cleanup_free_ char *n = img_name_for(peer, &db->names[k]);
			jg_str(g, n ? n : db->names[k].name);
		}
	yajl_gen_array_close(g);
}

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

static void gen_details(corrald *d, yajl_gen g, img_store *s, const refs_db *db, size_t i, const peer_cred *peer,
			const img_handle *h, yajl_val cfg)
{
	const ref_image *im = &db->images[i];
	const char *rd = im->repo_digests && im->repo_digests[0] ? strrchr(im->repo_digests[0], '@') : NULL;
	jg_key_str(g, "digest", rd ? rd + 1 : im->manifest);
	jg_key(g, "repoTags");
	gen_names(g, db, i, peer, NULL);
	gen_repo_digests(g, db, i, peer);
	char created[RFC3339_LEN];
	const char *c = img_created(cfg, im->created, created);
	jg_key_str(g, "created", c ? c : "");
	yajl_val run = json_get(cfg, "config");
	jg_key(g, "config");
	yajl_gen_map_open(g);
	for (size_t k = 0; k < ARRAY_SIZE(run_keys); k++) {
		jg_key(g, run_keys[k].key);
		img_gen_or_zero(g, json_get(run, run_keys[k].oci), run_keys[k].zero);
	}
	yajl_gen_map_close(g);
	jg_key(g, "author");
	img_gen_or_zero(g, json_get(cfg, "author"), '"');
	jg_key_str(g, "manifestType", h && h->man.media_type ? h->man.media_type : MT_OCI_MANIFEST);
	jg_key(g, "rootFS");
	jg_object(g, JG_STR("type", "layers"), JG_STRV("layers", h ? h->cfg.diff_ids : NULL), JG_END);
	jg_key(g, "history");
	img_gen_or_zero(g, json_get(cfg, "history"), '[');
}

void img_gen(corrald *d, yajl_gen g, img_store *s, const refs_db *db, size_t i, const peer_cred *peer,
	     const bool *only, bool details)
{
	const ref_image *im = &db->images[i];
	yajl_gen_map_open(g);
	jg_key_str(g, "id", im->config);
	jg_key(g, "names");
	gen_names(g, db, i, peer, only);
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
	jg_key(g, "labels"); /* docker images shows them, and filters by them */
	img_gen_or_zero(g, json_get(json_get(cfg, "config"), "Labels"), '{');
	if (details)
		gen_details(d, g, s, db, i, peer, loaded ? &h : NULL, cfg);
	yajl_gen_map_close(g);
	if (loaded)
		image_handle_free(&h);
}
