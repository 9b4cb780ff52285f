#include "images/manifest.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"

#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#define MAX_STR 65536
#define MAX_STRV 65536

/* A string member, optional: NULL when absent or null; an error otherwise
 * when it is not a string. */
static int opt_str(yajl_val obj, const char *key, const char *what, char **out, cerr *err)
{
	yajl_val v = json_get(obj, key);
	*out = NULL;
	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_STRING(v))
		return cerr_set(err, EINVAL, "%s: %s: expected a string, got %s", what, key, json_type_name(v));
	if (strlen(v->u.string) > MAX_STR)
		return cerr_set(err, E2BIG, "%s: %s: string too long", what, key);
	*out = strdup(v->u.string);
	return *out ? 0 : cerr_set(err, ENOMEM, "out of memory");
}

static int opt_strv(yajl_val obj, const char *key, const char *what, char ***out, size_t *n, cerr *err)
{
	yajl_val v = json_get(obj, key);
	*out = NULL;
	if (n)
		*n = 0;
	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_ARRAY(v))
		return cerr_set(err, EINVAL, "%s: %s: expected an array, got %s", what, key, json_type_name(v));
	if (v->u.array.len > MAX_STRV)
		return cerr_set(err, E2BIG, "%s: %s: too many entries", what, key);
	char **r = calloc(v->u.array.len + 1, sizeof(char *));
	if (!r)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < v->u.array.len; i++) {
		yajl_val s = v->u.array.values[i];
		if (!YAJL_IS_STRING(s) || strlen(s->u.string) > MAX_STR) {
			strv_free(r);
			return cerr_set(err, EINVAL, "%s: %s[%zu]: expected a string, got %s", what, key, i,
					json_type_name(s));
		}
		r[i] = strdup(s->u.string);
		if (!r[i]) {
			strv_free(r);
			return cerr_set(err, ENOMEM, "out of memory");
		}
	}
	*out = r;
	if (n)
		*n = v->u.array.len;
	return 0;
}

static int parse_desc(yajl_val v, const char *what, img_desc *d, cerr *err)
{
	memset(d, 0, sizeof(*d));
	if (!YAJL_IS_OBJECT(v))
		return cerr_set(err, EINVAL, "%s: expected an object, got %s", what, json_type_name(v));
	int r = opt_str(v, "mediaType", what, &d->media_type, err);
	if (r < 0)
		return r;
	yajl_val dg = json_get(v, "digest");
	if (!YAJL_IS_STRING(dg))
		return cerr_set(err, EINVAL, "%s: digest: expected a string, got %s", what, json_type_name(dg));
	if ((r = digest_check(dg->u.string, what, err)) < 0)
		return r;
	memcpy(d->digest, dg->u.string, DIGEST_STR_LEN);
	yajl_val sz = json_get(v, "size");
	if (!json_uint64(sz, &d->size) || d->size > (1ull << 50))
		return cerr_set(err, EINVAL, "%s: size: expected a non-negative integer", what);
	yajl_val p = json_get(v, "platform");
	if (p && !YAJL_IS_NULL(p)) {
		if (!YAJL_IS_OBJECT(p))
			return cerr_set(err, EINVAL, "%s: platform: expected an object", what);
		if ((r = opt_str(p, "os", what, &d->os, err)) < 0 ||
		    (r = opt_str(p, "architecture", what, &d->arch, err)) < 0 ||
		    (r = opt_str(p, "variant", what, &d->variant, err)) < 0)
			return r;
	}
	yajl_val a = json_get(v, "annotations");
	if (a && !YAJL_IS_NULL(a)) {
		if (!YAJL_IS_OBJECT(a))
			return cerr_set(err, EINVAL, "%s: annotations: expected an object", what);
		if ((r = opt_str(a, "org.opencontainers.image.ref.name", what, &d->ref_name, err)) < 0 ||
		    (r = opt_str(a, "io.containerd.image.name", what, &d->image_name, err)) < 0)
			return r;
	}
	return 0;
}

/* A bounded array of descriptors at root.key; *n counts what was filled, so
 * the caller's free releases a partial array. */
static int parse_desc_array(yajl_val root, const char *key, size_t max, const char *what, img_desc **out,
			    size_t *n, cerr *err)
{
	yajl_val arr = json_get(root, key);
	if (!YAJL_IS_ARRAY(arr))
		return cerr_set(err, EINVAL, "%s: %s: expected an array, got %s", what, key, json_type_name(arr));
	if (arr->u.array.len > max)
		return cerr_set(err, E2BIG, "%s: more than %zu %s", what, max, key);
	*out = calloc(arr->u.array.len + 1, sizeof(img_desc));
	if (!*out)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < arr->u.array.len; i++) {
		char w[64];
		snprintf(w, sizeof(w), "%s[%zu]", key, i);
		*n = i + 1;
		int r = parse_desc(arr->u.array.values[i], w, &(*out)[i], err);
		if (r < 0)
			return cerr_wrap(err, "%s", what);
	}
	return 0;
}

static void desc_free(img_desc *d)
{
	free(d->media_type);
	free(d->os);
	free(d->arch);
	free(d->variant);
	free(d->ref_name);
	free(d->image_name);
	memset(d, 0, sizeof(*d));
}

static int check_schema(yajl_val root, const char *what, cerr *err)
{
	yajl_val sv = json_get(root, "schemaVersion");
	long long ver;
	if (!json_int_in(sv, 2, 2, &ver))
		return cerr_set(err, EINVAL, "%s: schemaVersion: expected 2", what);
	return 0;
}

/* An index's or a manifest's top: a JSON object, schemaVersion 2, and its
 * optional mediaType. */
static int parse_top(const char *text, const char *what, yajl_val *root, char **media_type, cerr *err)
{
	int r = json_parse(text, what, root, err);
	if (r < 0)
		return r;
	if (!YAJL_IS_OBJECT(*root))
		return cerr_set(err, EINVAL, "%s: expected an object, got %s", what, json_type_name(*root));
	if ((r = check_schema(*root, what, err)) < 0)
		return r;
	return opt_str(*root, "mediaType", what, media_type, err);
}

int index_parse(const char *text, const char *what, img_index *out, cerr *err)
{
	memset(out, 0, sizeof(*out));
	_cleanup_json_ yajl_val root = NULL;
	int r = parse_top(text, what, &root, &out->media_type, err);
	if (r < 0)
		return r;
	if (out->media_type && !mt_is_index(out->media_type)) {
		r = cerr_set(err, EINVAL, "%s: mediaType \"%.100s\" is not an image index", what, out->media_type);
		goto fail;
	}
	if ((r = parse_desc_array(root, "manifests", IMG_MAX_INDEX_ENTRIES, what, &out->m, &out->n, err)) < 0)
		goto fail;
	return 0;
fail:
	index_free(out);
	return r;
}

void index_free(img_index *x)
{
	for (size_t i = 0; i < x->n; i++)
		desc_free(&x->m[i]);
	free(x->m);
	free(x->media_type);
	memset(x, 0, sizeof(*x));
}

int manifest_parse(const char *text, const char *what, img_manifest *out, cerr *err)
{
	memset(out, 0, sizeof(*out));
	_cleanup_json_ yajl_val root = NULL;
	int r = parse_top(text, what, &root, &out->media_type, err);
	if (r < 0)
		return r;
	if (out->media_type && !mt_is_manifest(out->media_type)) {
		r = cerr_set(err, EINVAL, "%s: mediaType \"%.100s\" is not an image manifest", what, out->media_type);
		goto fail;
	}
	if ((r = parse_desc(json_get(root, "config"), "config", &out->config, err)) < 0) {
		cerr_wrap(err, "%s", what);
		goto fail;
	}
	if (out->config.media_type && !mt_is_config(out->config.media_type)) {
		r = cerr_set(err, EINVAL, "%s: config: mediaType \"%.100s\" is not an image config", what,
			     out->config.media_type);
		goto fail;
	}
	if ((r = parse_desc_array(root, "layers", IMG_MAX_LAYERS, what, &out->layers, &out->n_layers, err)) < 0)
		goto fail;
	for (size_t i = 0; i < out->n_layers; i++) {
		char w[64];
		snprintf(w, sizeof(w), "layers[%zu]", i);
		if (!out->layers[i].media_type || mt_layer_comp(out->layers[i].media_type) == COMP_UNKNOWN) {
			r = cerr_set(err, ENOTSUP, "%s: %s: unsupported layer mediaType \"%.100s\"", what, w,
				     out->layers[i].media_type ? out->layers[i].media_type : "(none)");
			goto fail;
		}
	}
	return 0;
fail:
	manifest_free(out);
	return r;
}

void manifest_free(img_manifest *m)
{
	desc_free(&m->config);
	for (size_t i = 0; i < m->n_layers; i++)
		desc_free(&m->layers[i]);
	free(m->layers);
	free(m->media_type);
	memset(m, 0, sizeof(*m));
}

/* "Volumes": {"/path": {}, ...}, its keys (checked where a container is
 * made of them) */
static int parse_volumes(yajl_val v, const char *what, char ***out, cerr *err)
{
	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_OBJECT(v))
		return cerr_set(err, EINVAL, "%s: Volumes: expected an object, got %s", what, json_type_name(v));
	if (v->u.object.len > MAX_STRV)
		return cerr_set(err, E2BIG, "%s: Volumes: too many entries", what);
	if (!(*out = calloc(v->u.object.len + 1, sizeof(char *))))
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < v->u.object.len; i++) {
		if (!((*out)[i] = strdup(v->u.object.keys[i])))
			return cerr_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

static int parse_run_config(yajl_val c, const char *what, img_config *out, cerr *err)
{
	int r;
	if ((r = opt_strv(c, "Entrypoint", what, &out->entrypoint, NULL, err)) < 0 ||
	    (r = opt_strv(c, "Cmd", what, &out->cmd, NULL, err)) < 0 ||
	    (r = opt_strv(c, "Env", what, &out->env, NULL, err)) < 0 ||
	    (r = opt_str(c, "WorkingDir", what, &out->workdir, err)) < 0 ||
	    (r = opt_str(c, "User", what, &out->user, err)) < 0 ||
	    (r = opt_str(c, "StopSignal", what, &out->stop_signal, err)) < 0)
		return r;
	yajl_val hc = json_get(c, "Healthcheck");
	if (hc && YAJL_IS_OBJECT(hc)) {
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		if (!g || jg_value(g, hc) || !(out->healthcheck = jg_finish(g, NULL)))
			return cerr_set(err, ENOMEM, "out of memory");
	}
	if ((r = parse_volumes(json_get(c, "Volumes"), what, &out->volumes, err)) < 0)
		return r;
	yajl_val l = json_get(c, "Labels");
	if (!l || YAJL_IS_NULL(l))
		return 0;
	if (!YAJL_IS_OBJECT(l))
		return cerr_set(err, EINVAL, "%s: Labels: expected an object, got %s", what, json_type_name(l));
	if (l->u.object.len > MAX_STRV)
		return cerr_set(err, E2BIG, "%s: Labels: too many entries", what);
	out->labels = calloc(l->u.object.len + 1, sizeof(img_label));
	if (!out->labels)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < l->u.object.len; i++) {
		yajl_val v = l->u.object.values[i];
		if (!YAJL_IS_STRING(v))
			return cerr_set(err, EINVAL, "%s: Labels.%.100s: expected a string", what, l->u.object.keys[i]);
		out->labels[i].key = strdup(l->u.object.keys[i]);
		out->labels[i].val = strdup(v->u.string);
		out->n_labels = i + 1;
		if (!out->labels[i].key || !out->labels[i].val)
			return cerr_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

int img_config_parse(const char *text, const char *what, img_config *out, cerr *err)
{
	memset(out, 0, sizeof(*out));
	_cleanup_json_ yajl_val root = NULL;
	int r = json_parse(text, what, &root, err);
	if (r < 0)
		return r;
	if (!YAJL_IS_OBJECT(root))
		return cerr_set(err, EINVAL, "%s: expected an object, got %s", what, json_type_name(root));
	if ((r = opt_str(root, "os", what, &out->os, err)) < 0 ||
	    (r = opt_str(root, "architecture", what, &out->arch, err)) < 0 ||
	    (r = opt_str(root, "variant", what, &out->variant, err)) < 0)
		goto fail;
	yajl_val rf = json_get(root, "rootfs");
	if (!YAJL_IS_OBJECT(rf)) {
		r = cerr_set(err, EINVAL, "%s: rootfs: expected an object, got %s", what, json_type_name(rf));
		goto fail;
	}
	yajl_val ty = json_get(rf, "type");
	if (!YAJL_IS_STRING(ty) || !streq(ty->u.string, "layers")) {
		r = cerr_set(err, EINVAL, "%s: rootfs.type: expected \"layers\"", what);
		goto fail;
	}
	if ((r = opt_strv(rf, "diff_ids", what, &out->diff_ids, &out->n_diff_ids, err)) < 0)
		goto fail;
	if (!out->diff_ids) {
		r = cerr_set(err, EINVAL, "%s: rootfs.diff_ids: missing", what);
		goto fail;
	}
	if (out->n_diff_ids > IMG_MAX_LAYERS) {
		r = cerr_set(err, E2BIG, "%s: more than %d diff_ids", what, IMG_MAX_LAYERS);
		goto fail;
	}
	for (size_t i = 0; i < out->n_diff_ids; i++) {
		char w[64];
		snprintf(w, sizeof(w), "rootfs.diff_ids[%zu]", i);
		if ((r = digest_check(out->diff_ids[i], w, err)) < 0) {
			cerr_wrap(err, "%s", what);
			goto fail;
		}
	}
	yajl_val c = json_get(root, "config");
	if (c && !YAJL_IS_NULL(c)) {
		if (!YAJL_IS_OBJECT(c)) {
			r = cerr_set(err, EINVAL, "%s: config: expected an object, got %s", what, json_type_name(c));
			goto fail;
		}
		if ((r = parse_run_config(c, what, out, err)) < 0)
			goto fail;
	}
	return 0;
fail:
	img_config_free(out);
	return r;
}

int docker_manifest_parse(const char *text, const char *what, docker_manifest *out, cerr *err)
{
	memset(out, 0, sizeof(*out));
	_cleanup_json_ yajl_val root = NULL;
	int r = json_parse(text, what, &root, err);
	if (r < 0)
		return r;
	if (!YAJL_IS_ARRAY(root))
		return cerr_set(err, EINVAL, "%s: expected an array, got %s", what, json_type_name(root));
	if (root->u.array.len == 0)
		return cerr_set(err, EINVAL, "%s: no images", what);
	if (root->u.array.len > IMG_MAX_INDEX_ENTRIES)
		return cerr_set(err, E2BIG, "%s: more than %d images", what, IMG_MAX_INDEX_ENTRIES);
	out->e = calloc(root->u.array.len, sizeof(docker_entry));
	if (!out->e)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < root->u.array.len; i++) {
		yajl_val v = root->u.array.values[i];
		docker_entry *e = &out->e[i];
		char w[64];
		snprintf(w, sizeof(w), "%s: [%zu]", what, i);
		out->n = i + 1;
		if (!YAJL_IS_OBJECT(v)) {
			r = cerr_set(err, EINVAL, "%s: expected an object, got %s", w, json_type_name(v));
			goto fail;
		}
		if ((r = opt_str(v, "Config", w, &e->config, err)) < 0 ||
		    (r = opt_strv(v, "RepoTags", w, &e->repo_tags, NULL, err)) < 0 ||
		    (r = opt_strv(v, "Layers", w, &e->layers, &e->n_layers, err)) < 0)
			goto fail;
		if (!e->config || !e->layers) {
			r = cerr_set(err, EINVAL, "%s: Config and Layers are required", w);
			goto fail;
		}
		if (e->n_layers > IMG_MAX_LAYERS) {
			r = cerr_set(err, E2BIG, "%s: more than %d layers", w, IMG_MAX_LAYERS);
			goto fail;
		}
	}
	return 0;
fail:
	docker_manifest_free(out);
	return r;
}

void docker_manifest_free(docker_manifest *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->e[i].config);
		strv_free(d->e[i].repo_tags);
		strv_free(d->e[i].layers);
	}
	free(d->e);
	memset(d, 0, sizeof(*d));
}

bool mt_is_index(const char *mt)
{
	return mt && (streq(mt, MT_OCI_INDEX) || streq(mt, MT_DOCKER_LIST));
}

bool mt_is_manifest(const char *mt)
{
	return mt && (streq(mt, MT_OCI_MANIFEST) || streq(mt, MT_DOCKER_MANIFEST));
}

bool mt_is_config(const char *mt)
{
	return mt && (streq(mt, MT_OCI_CONFIG) || streq(mt, MT_DOCKER_CONFIG));
}

enum layer_comp mt_layer_comp(const char *mt)
{
	static const struct { const char *mt; enum layer_comp c; } tab[] = {
		{ MT_OCI_LAYER, COMP_NONE },
		{ MT_OCI_LAYER_GZIP, COMP_GZIP },
		{ MT_OCI_LAYER_ZSTD, COMP_ZSTD },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar", COMP_NONE },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", COMP_GZIP },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", COMP_ZSTD },
		{ MT_DOCKER_LAYER_GZIP, COMP_GZIP },
		{ "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", COMP_GZIP },
	};
	if (!mt)
		return COMP_UNKNOWN;
	for (size_t i = 0; i < ARRAY_SIZE(tab); i++)
		if (streq(mt, tab[i].mt))
			return tab[i].c;
	return COMP_UNKNOWN;
}

const char *comp_name(enum layer_comp c)
{
	switch (c) {
	case COMP_NONE: return "uncompressed tar";
	case COMP_GZIP: return "gzip";
	case COMP_ZSTD: return "zstd";
	default: return "unknown";
	}
}

void host_platform(const char **os, const char **arch, const char **variant)
{
	static const struct { const char *m, *arch, *variant; } tab[] = {
		{ "x86_64", "amd64", "" }, { "aarch64", "arm64", "v8" }, { "armv7l", "arm", "v7" },
		{ "armv6l", "arm", "v6" }, { "i686", "386", "" }, { "i386", "386", "" },
		{ "ppc64le", "ppc64le", "" }, { "s390x", "s390x", "" }, { "riscv64", "riscv64", "" },
	};
	static struct utsname u;
	static const char *a = NULL, *v = "";
	if (!a) {
		a = "amd64";
		if (uname(&u) == 0) {
			a = u.machine;
			for (size_t i = 0; i < ARRAY_SIZE(tab); i++)
				if (streq(u.machine, tab[i].m)) {
					a = tab[i].arch;
					v = tab[i].variant;
				}
		}
	}
	*os = "linux";
	*arch = a;
	*variant = v;
}

bool platform_match(const char *os, const char *arch, const char *variant,
		    const char *want_os, const char *want_arch, const char *want_variant)
{
	if (!os || !arch || !streq(os, want_os) || !streq(arch, want_arch))
		return false;
	if (!want_variant || !*want_variant)
		return true;
	/* arm64 images often omit "v8" */
	if (!variant || !*variant)
		return streq(want_arch, "arm64") && streq(want_variant, "v8");
	return streq(variant, want_variant);
}
