/* commit.h: the layout written, then imported. */
#include "images/commit.h"
#include "images/image.h"
#include "images/manifest.h"
#include "images/store.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/strbuf.h"
#include "common/timefmt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct layout {
	img_store *s;
	int blobs_fd;  /* the layout's blobs/sha256 */
	img_handle parent;
	bool has_parent;
	layer_written layer;
	bool has_layer;
	char created[RFC3339_LEN];
} layout;

static int write_at(int dir_fd, const char *name, const char *text, size_t len)
{
	_cleanup_close_ int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	return fd < 0 ? -errno : write_all(fd, text, len);
}

static int write_blob(layout *l, const char *text, size_t len, char digest[DIGEST_STR_LEN], cerr *err)
{
	int r = digest_buf(text, len, digest, err);
	if (r < 0)
		return r;
	if ((r = write_at(l->blobs_fd, digest_hex(digest), text, len)) < 0)
		return cerr_sys(err, -r, "write blob %s", digest);
	return 0;
}

/* The new layer, written into blobs/ under its digest. */
static int write_layer(layout *l, const commit_opts *o, cerr *err)
{
	_cleanup_close_ int fd = openat(l->blobs_fd, "layer.tmp", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return cerr_sys(err, errno, "the layer");
	int r = o->upper_fd >= 0 ? layer_write_upper(o->upper_fd, &o->ids, fd, &l->layer, err)
				 : layer_write_stream(o->tar_fd, o->tar_max, fd, &l->layer, err);
	if (r < 0)
		return r;
	if (renameat(l->blobs_fd, "layer.tmp", l->blobs_fd, digest_hex(l->layer.diffid)) < 0)
		return cerr_sys(err, errno, "the layer");
	l->has_layer = true;
	return 0;
}

/* The parent's layer blobs, beside the new one: links, not copies. */
static int link_parent(layout *l, cerr *err)
{
	for (size_t i = 0; l->has_parent && i < l->parent.man.n_layers; i++) {
		const char *hex = digest_hex(l->parent.man.layers[i].digest);
		if (linkat(l->s->blobs_fd, hex, l->blobs_fd, hex, 0) < 0 && errno != EEXIST)
			return cerr_sys(err, errno, "layer %s of the parent", l->parent.man.layers[i].digest);
	}
	return 0;
}

static void gen_history_entry(yajl_gen g, const layout *l, const commit_opts *o)
{
	jg_object(g, JG_STR("created", l->created), JG_STR_SET("created_by", o->created_by),
		     JG_STR_SET("author", o->author), JG_STR_SET("comment", o->comment),
		     JG_TRUE_SET("empty_layer", !l->has_layer), JG_END);
}

/* ExposedPorts, Volumes and Labels: a patch adds to the parent's members
 * (as Dockerfile instructions do); every other key replaces. */
static bool merged_key(const char *k)
{
	return !strcmp(k, "ExposedPorts") || !strcmp(k, "Volumes") || !strcmp(k, "Labels");
}

static void gen_merged(yajl_gen g, yajl_val parent, yajl_val patch)
{
	yajl_gen_map_open(g);
	for (size_t i = 0; YAJL_IS_OBJECT(parent) && i < parent->u.object.len; i++)
		if (!json_get(patch, parent->u.object.keys[i]))
			jg_key(g, parent->u.object.keys[i]), jg_value(g, parent->u.object.values[i]);
	for (size_t i = 0; i < patch->u.object.len; i++)
		jg_key(g, patch->u.object.keys[i]), jg_value(g, patch->u.object.values[i]);
	yajl_gen_map_close(g);
}

/* The parent's run defaults with patch's keys in place of its own (a
 * null removes one). */
static void gen_run_config(yajl_gen g, yajl_val parent, yajl_val patch)
{
	jg_key(g, "config");
	yajl_gen_map_open(g);
	for (size_t i = 0; YAJL_IS_OBJECT(parent) && i < parent->u.object.len; i++) {
		const char *k = parent->u.object.keys[i];
		if (json_get(patch, k))
			continue;
		jg_key(g, k);
		jg_value(g, parent->u.object.values[i]);
	}
	for (size_t i = 0; patch && i < patch->u.object.len; i++) {
		const char *k = patch->u.object.keys[i];
		yajl_val v = patch->u.object.values[i];
		if (YAJL_IS_NULL(v))
			continue;
		jg_key(g, k);
		if (merged_key(k) && YAJL_IS_OBJECT(v))
			gen_merged(g, json_get(parent, k), v);
		else
			jg_value(g, v);
	}
	yajl_gen_map_close(g);
}

static int gen_config(layout *l, const commit_opts *o, strbuf *out, cerr *err)
{
	_cleanup_json_ yajl_val parent = NULL, config = NULL;
	if (l->has_parent && json_parse(l->parent.config_text, "the parent's config", &parent, err) < 0)
		return -err->code;
	if (o->config && json_parse(o->config, "the config", &config, err) < 0)
		return -err->code;
	if (config && !YAJL_IS_OBJECT(config))
		return cerr_set(err, EINVAL, "the config is not an object");
	const char *os, *arch, *variant;
	host_platform(&os, &arch, &variant);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	jg_key_str(g, "created", l->created);
	if (o->author)
		jg_key_str(g, "author", o->author);
	yajl_val v = json_get(parent, "architecture");
	jg_key_str(g, "architecture", YAJL_IS_STRING(v) ? v->u.string : arch);
	v = json_get(parent, "os");
	jg_key_str(g, "os", YAJL_IS_STRING(v) ? v->u.string : os);
	v = json_get(parent, "variant");
	if (YAJL_IS_STRING(v) || *variant)
		jg_key_str(g, "variant", YAJL_IS_STRING(v) ? v->u.string : variant);
	gen_run_config(g, json_get(parent, "config"), config);
	jg_key(g, "rootfs");
	yajl_gen_map_open(g);
	jg_key_str(g, "type", "layers");
	jg_key(g, "diff_ids");
	yajl_gen_array_open(g);
	for (size_t i = 0; l->has_parent && i < l->parent.cfg.n_diff_ids; i++)
		jg_str(g, l->parent.cfg.diff_ids[i]);
	if (l->has_layer)
		jg_str(g, l->layer.diffid);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	jg_key(g, "history");
	yajl_gen_array_open(g);
	v = json_get(parent, "history");
	for (size_t i = 0; YAJL_IS_ARRAY(v) && i < v->u.array.len; i++)
		jg_value(g, v->u.array.values[i]);
	for (size_t i = 0; o->empty_steps && o->empty_steps[i]; i++)
		jg_object(g, JG_STR("created", l->created), JG_STR("created_by", o->empty_steps[i]), JG_TRUE_SET("empty_layer", true),
			  JG_END);
	gen_history_entry(g, l, o);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	size_t n;
	char *text = jg_finish(g, &n);
	if (!text)
		return cerr_set(err, ENOMEM, "out of memory");
	sb_add(out, text, n);
	free(text);
	return 0;
}

static const char *oci_layer_type(const char *mt)
{
	if (!mt || !strcmp(mt, MT_DOCKER_LAYER_GZIP))
		return MT_OCI_LAYER_GZIP;
	return mt;
}

static void gen_desc(yajl_gen g, const char *mt, const char *digest, uint64_t size)
{
	jg_object(g, JG_STR("mediaType", mt), JG_STR("digest", digest), JG_INT("size", (long long)size), JG_END);
}

static char *gen_manifest(layout *l, const char *config, size_t config_len, size_t *len)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	jg_key_int(g, "schemaVersion", 2);
	jg_key_str(g, "mediaType", MT_OCI_MANIFEST);
	jg_key(g, "config");
	gen_desc(g, MT_OCI_CONFIG, config, config_len);
	jg_key(g, "layers");
	yajl_gen_array_open(g);
	for (size_t i = 0; l->has_parent && i < l->parent.man.n_layers; i++) {
		const img_desc *d = &l->parent.man.layers[i];
		gen_desc(g, oci_layer_type(d->media_type), d->digest, d->size);
	}
	if (l->has_layer)
		gen_desc(g, MT_OCI_LAYER, l->layer.diffid, l->layer.size);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return jg_finish(g, len);
}

static int write_index(int dir_fd, const char *manifest, size_t size, cerr *err)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	jg_key_int(g, "schemaVersion", 2);
	jg_key(g, "manifests");
	yajl_gen_array_open(g);
	gen_desc(g, MT_OCI_MANIFEST, manifest, size);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	size_t n;
	_cleanup_free_ char *text = jg_finish(g, &n);
	static const char oci_layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
	if (!text)
		return cerr_set(err, ENOMEM, "out of memory");
	int r;
	if ((r = write_at(dir_fd, "index.json", text, n)) < 0 ||
	    (r = write_at(dir_fd, "oci-layout", oci_layout, sizeof(oci_layout) - 1)) < 0)
		return cerr_sys(err, -r, "write the layout");
	return 0;
}

static int write_layout(layout *l, const commit_opts *o, int dir_fd, cerr *err)
{
	if (mkdirat(dir_fd, "blobs", 0700) < 0 || mkdirat(dir_fd, "blobs/sha256", 0700) < 0 ||
	    (l->blobs_fd = openat(dir_fd, "blobs/sha256", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return cerr_sys(err, errno, "the layout");
	int r;
	if (!o->empty_layer && (r = write_layer(l, o, err)) < 0)
		return r;
	if ((r = link_parent(l, err)) < 0)
		return r;
	_cleanup_strbuf_ strbuf config = STRBUF_INIT;
	char config_digest[DIGEST_STR_LEN], manifest_digest[DIGEST_STR_LEN];
	if ((r = gen_config(l, o, &config, err)) < 0 ||
	    (r = write_blob(l, config.buf, config.len, config_digest, err)) < 0)
		return r;
	size_t n;
	_cleanup_free_ char *manifest = gen_manifest(l, config_digest, config.len, &n);
	if (!manifest)
		return cerr_set(err, ENOMEM, "out of memory");
	if ((r = write_blob(l, manifest, n, manifest_digest, err)) < 0)
		return r;
	return write_index(dir_fd, manifest_digest, n, err);
}

int image_commit(const char *store_root, const commit_opts *o, import_result *res, cerr *err)
{
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	int r = store_open(&s, store_root, false, err);
	if (r < 0)
		return r;
	layout l = { .s = &s, .blobs_fd = -1 };
	rfc3339_ns((long long)time(NULL) * 1000000000ll, l.created, sizeof(l.created));
	if (o->parent) {
		if ((r = image_load(&s, o->parent, &l.parent, err)) < 0)
			return cerr_wrap(err, "the parent image");
		l.has_parent = true;
	}
	_cleanup_free_ char *stage = NULL;
	_cleanup_close_ int stage_fd = -1;
	if ((r = store_mkstage(&s, "commit", &stage, &stage_fd, err)) >= 0)
		r = write_layout(&l, o, stage_fd, err);
	if (l.blobs_fd >= 0)
		close(l.blobs_fd);
	if (l.has_parent)
		image_handle_free(&l.parent);
	if (r == 0) {
		_cleanup_free_ char *spec = NULL;
		if (asprintf(&spec, "oci:%s/staging/%s", s.dir, stage) < 0)
			r = cerr_set(err, ENOMEM, "out of memory");
		else
			r = image_import(store_root, spec, &o->imp, res, err);
	}
	if (stage)
		rm_rf_at(s.staging_fd, stage);
	return r;
}
