/* commit_changes.h: each change parsed as a Dockerfile's one instruction
 * (images/dockerfile.h) and applied to the parent's run defaults as a
 * build applies it (images/cfg_edit.h), its words expanded with the
 * image's environment, as Docker's commit does. */
#include "supervisor/daemon/build/commit_changes.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/images/images.h"
#include "supervisor/daemon/store/img_lookup.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "images/cfg_edit.h"
#include "images/cfg_instr.h"
#include "images/image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *env_of(const char *name, void *ctx)
{
	return cfg_env_get(ctx, name);
}

/* The parent's run defaults ("config" of its config blob). */
static int parent_config(struct corrald *d, const char *parent, cfg_edit *c, cerr *err)
{
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	_cleanup_(image_handle_free) img_handle h = { 0 };
	_cleanup_json_ yajl_val cfg = NULL;
	if (img_open_refs(d, &s, &db, err) < 0 || image_load(&s, parent, &h, err) < 0 ||
	    json_parse(h.config_text, "the image's config", &cfg, err) < 0)
		return -1;
	return cfg_edit_from_image(c, json_get(cfg, "config"), false) < 0 ? cerr_set(err, ENOMEM, "out of memory") : 0;
}

static int apply_changes(cfg_edit *c, yajl_val changes, cerr *err)
{
	size_t total = 0;
	for (size_t i = 0; i < changes->u.array.len; i++) {
		yajl_val v = changes->u.array.values[i];
		if (!YAJL_IS_STRING(v))
			return cerr_set(err, EINVAL, "changes[%zu]: must be a string", i);
		if ((total += strlen(v->u.string)) > COMMIT_CHANGES_MAX)
			return cerr_set(err, E2BIG, "changes[%zu]: the changes pass %u bytes in all", i, COMMIT_CHANGES_MAX);
		_cleanup_free_ char *text = NULL;
		if (asprintf(&text, "FROM scratch\n%s\n", v->u.string) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
		_cleanup_(dockerfile_release) dockerfile df = { 0 };
		int r = dockerfile_parse(text, strlen(text), "change", &df, err);
		if (r == 0 && df.n != 2)
			r = cerr_set(err, EINVAL, "one instruction a change");
		if (r == 0)
			r = cfg_edit_apply(c, &df.instrs[1], df.escape, env_of, c, err);
		if (r < 0)
			return cerr_wrap(err, "changes[%zu]: %.64s%s", i, v->u.string, strlen(v->u.string) > 64 ? "..." : "");
	}
	return 0;
}

int commit_patch(struct corrald *d, const peer_cred *peer, const char *parent, yajl_val config, yajl_val changes,
		 char **out, cerr *err)
{
	*out = NULL;
	_cleanup_(cfg_edit_release) cfg_edit c = { 0 };
	_cleanup_json_ yajl_val from_changes = NULL;
	if (changes && changes->u.array.len) {
		_cleanup_free_ char *patch = NULL;
		if ((parent && parent_config(d, parent, &c, err) < 0) ||
		    (!parent && cfg_edit_from_image(&c, NULL, false) < 0) || apply_changes(&c, changes, err) < 0)
			return -err->code;
		if (!(patch = cfg_edit_patch(&c)) || json_parse(patch, "the patch", &from_changes, err) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
	}
	if (!config && !from_changes)
		return 0;
	/* config's keys, then the changes' over them */
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	for (size_t i = 0; config && i < config->u.object.len; i++)
		if (!json_get(from_changes, config->u.object.keys[i]))
			jg_key(g, config->u.object.keys[i]), jg_value(g, config->u.object.values[i]);
	for (size_t i = 0; from_changes && i < from_changes->u.object.len; i++)
		jg_key(g, from_changes->u.object.keys[i]), jg_value(g, from_changes->u.object.values[i]);
	yajl_gen_map_close(g);
	return (*out = jg_finish(g, NULL)) ? 0 : cerr_set(err, ENOMEM, "out of memory");
}
