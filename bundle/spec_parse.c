/* config.json: the top level, root, mounts, hooks and annotations. */
#include "spec_internal.h"
#include "bundle/parse_process.h"
#include "bundle/spec_parse.h"
#include "bundle/parse_linux.h"
#include "mount_options.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const oci_hook_names[HOOK_COUNT] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

static int parse_root(yajl_val root, struct oci_spec *s, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val o;
	int r = json_get_object(root, "", "root", 0, &o, &jf);
	if (r < 0 || !o)
		return r;
	s->has_root = true;
	if ((r = json_dup_str(o, "root", "path", JSON_REQUIRED | JSON_NONEMPTY, &s->root_path, &jf)) < 0 ||
	    (r = json_get_bool(o, "root", "readonly", 0, &s->root_readonly, NULL, &jf)) < 0)
		return r;
	return 0;
}

static int parse_mounts(yajl_val root, struct oci_spec *s, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val arr;
	int r = json_get_array(root, "", "mounts", 0, SIZE_MAX, &arr, &jf);
	if (r < 0 || !arr)
		return r;
	s->mounts = calloc(arr->u.array.len + 1, sizeof(*s->mounts));
	if (!s->mounts)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < arr->u.array.len; i++) {
		char p[JSON_PATH_MAX];
		json_path_idx(p, "mounts", i);
		yajl_val e = arr->u.array.values[i];
		struct oci_mount *m = &s->mounts[s->n_mounts++];
		if ((r = json_want(e, yajl_t_object, p, &jf)) < 0 ||
		    (r = json_dup_str(e, p, "destination", JSON_REQUIRED, &m->destination, &jf)) < 0 ||
		    (r = json_dup_str(e, p, "source", 0, &m->source, &jf)) < 0 ||
		    (r = json_dup_str(e, p, "type", 0, &m->type, &jf)) < 0 ||
		    (r = json_get_strv(e, p, "options", 0, &m->options, NULL, &jf)) < 0 ||
		    (r = parse_idmaps(e, p, "uidMappings", &m->uid_mappings, &m->n_uid_mappings, err)) < 0 ||
		    (r = parse_idmaps(e, p, "gidMappings", &m->gid_mappings, &m->n_gid_mappings, err)) < 0)
			return r;
		if (m->destination[0] != '/')
			return cerr_set(err, EINVAL, "%s.destination: \"%s\" must be an absolute path", p, m->destination);
		if ((r = mount_options_parse(m, p, err)) < 0)
			return r;
		if (!m->bind && (!m->type || !m->type[0]))
			return cerr_set(err, EINVAL, "%s.type: is required for a mount that is not a bind mount", p);
		if (m->bind && (!m->source || !m->source[0]))
			return cerr_set(err, EINVAL, "%s.source: is required for a bind mount", p);
		if (!m->n_uid_mappings != !m->n_gid_mappings)
			return cerr_set(err, EINVAL, "%s: uidMappings and gidMappings must be given together", p);
		m->idmap |= m->n_uid_mappings > 0;
		if (m->idmap && !m->bind)
			return cerr_set(err, EINVAL, "%s: idmapped mounts must be bind mounts", p);
	}
	return 0;
}

static int parse_hook_list(yajl_val arr, const char *path, struct oci_hook **out, size_t *n, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	*out = calloc(arr->u.array.len + 1, sizeof(**out));
	if (!*out)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < arr->u.array.len; i++) {
		char p[JSON_PATH_MAX];
		json_path_idx(p, path, i);
		yajl_val e = arr->u.array.values[i];
		struct oci_hook *h = &(*out)[(*n)++];
		int64_t t = 0;
		bool has_t;
		int r;
		if ((r = json_want(e, yajl_t_object, p, &jf)) < 0 ||
		    (r = json_dup_str(e, p, "path", JSON_REQUIRED, &h->path, &jf)) < 0 ||
		    (r = json_get_strv(e, p, "args", 0, &h->args, NULL, &jf)) < 0 ||
		    (r = json_get_strv(e, p, "env", 0, &h->env, NULL, &jf)) < 0 ||
		    (r = json_get_i64(e, p, "timeout", 0, &t, &has_t, &jf)) < 0)
			return r;
		if (h->path[0] != '/')
			return cerr_set(err, EINVAL, "%s.path: \"%s\" must be an absolute path", p, h->path);
		if (has_t && (t <= 0 || t > 86400))
			return cerr_set(err, ERANGE, "%s.timeout: %lld must be between 1 and 86400 seconds", p, (long long)t);
		h->timeout = (int)t;
	}
	return 0;
}

static int parse_hooks(yajl_val root, struct oci_spec *s, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val o;
	int r = json_get_object(root, "", "hooks", 0, &o, &jf);
	if (r < 0 || !o)
		return r;
	for (int k = 0; k < HOOK_COUNT; k++) {
		yajl_val arr;
		char p[JSON_PATH_MAX];
		if ((r = json_get_array(o, "hooks", oci_hook_names[k], 0, SIZE_MAX, &arr, &jf)) < 0)
			return r;
		if (arr && (r = parse_hook_list(arr, json_path(p, "hooks", oci_hook_names[k]), &s->hooks[k],
						&s->n_hooks[k], err)) < 0)
			return r;
	}
	return 0;
}

static int parse_annotations(yajl_val root, struct oci_spec *s, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val o;
	int r = json_get_object(root, "", "annotations", 0, &o, &jf);
	if (r < 0 || !o)
		return r;
	s->annotations = calloc(o->u.object.len + 1, sizeof(*s->annotations));
	if (!s->annotations)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < o->u.object.len; i++) {
		char p[JSON_PATH_MAX];
		yajl_val v = o->u.object.values[i];
		if (!YAJL_IS_STRING(v))
			return json_want(v, yajl_t_string, json_path(p, "annotations", o->u.object.keys[i]), &jf);
		if (!o->u.object.keys[i][0])
			return cerr_set(err, EINVAL, "annotations: keys must not be empty");
		struct oci_kv *kv = &s->annotations[s->n_annotations++];
		kv->key = strdup(o->u.object.keys[i]);
		kv->value = strdup(v->u.string);
		if (!kv->key || !kv->value)
			return cerr_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

static int check_hostname(const char *field, const char *v, const struct oci_spec *s, cerr *err)
{
	if (!v || !v[0])
		return 0;
	if (strlen(v) > 64)
		return cerr_set(err, EINVAL, "%s: \"%s\" is longer than 64 bytes", field, v);
	if (!spec_has_namespace(s, NS_UTS))
		return cerr_set(err, EINVAL, "%s: setting it needs a new uts namespace", field);
	return 0;
}

int spec_parse(const char *text, struct oci_spec **out, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	_cleanup_spec_ struct oci_spec *s = calloc(1, sizeof(*s));
	if (!s)
		return cerr_set(err, ENOMEM, "out of memory");
	int r = json_parse(text, NULL, &s->tree, err);
	if (r < 0)
		return r;
	yajl_val root = s->tree;
	if (!YAJL_IS_OBJECT(root))
		return cerr_set(err, EINVAL, "must be a JSON object, not %s", json_type_name(root));
	if ((r = json_dup_str(root, "", "ociVersion", JSON_REQUIRED, &s->oci_version, &jf)) < 0)
		goto fail;
	if (strncmp(s->oci_version, "1.", 2) != 0) {
		r = cerr_set(err, EINVAL, "ociVersion: \"%s\" is not a supported version (1.x)", s->oci_version);
		goto fail;
	}
	if ((r = parse_root(root, s, err)) < 0 || (r = parse_mounts(root, s, err)) < 0 ||
	    (r = parse_process(root, &s->process, err)) < 0 ||
	    (r = json_dup_str(root, "", "hostname", 0, &s->hostname, &jf)) < 0 ||
	    (r = json_dup_str(root, "", "domainname", 0, &s->domainname, &jf)) < 0 ||
	    (r = parse_hooks(root, s, err)) < 0 || (r = parse_annotations(root, s, err)) < 0 ||
	    (r = parse_linux(root, s, err)) < 0 ||
	    (r = check_hostname("hostname", s->hostname, s, err)) < 0 ||
	    (r = check_hostname("domainname", s->domainname, s, err)) < 0)
		goto fail;
	*out = TAKE_PTR(s);
	return 0;
fail:
	return r;
}

int spec_load(const char *path, struct oci_spec **out, cerr *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = read_file(path, CONFIG_MAX_BYTES, &text, &len, err);
	if (r < 0)
		return r;
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (strlen(text) != len)
		return cerr_set(err, EINVAL, "%s: contains a NUL byte", name);
	r = spec_parse(text, out, err);
	return r < 0 ? cerr_wrap(err, "%s", name) : 0;
}

const char *spec_annotation(const struct oci_spec *s, const char *key)
{
	for (size_t i = 0; i < s->n_annotations; i++)
		if (streq(s->annotations[i].key, key))
			return s->annotations[i].value;
	return NULL;
}

int spec_set_annotation(struct oci_spec *sp, const char *k, const char *v)
{
	for (size_t i = 0; i < sp->n_annotations; i++)
		if (streq(sp->annotations[i].key, k)) {
			char *nv = strdup(v);
			if (!nv)
				return -ENOMEM;
			free(sp->annotations[i].value);
			sp->annotations[i].value = nv;
			return 0;
		}
	struct oci_kv *n = realloc(sp->annotations, (sp->n_annotations + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	sp->annotations = n;
	n[sp->n_annotations].key = strdup(k);
	n[sp->n_annotations].value = strdup(v);
	if (!n[sp->n_annotations].key || !n[sp->n_annotations].value) {
		free(n[sp->n_annotations].key);
		free(n[sp->n_annotations].value);
		return -ENOMEM;
	}
	sp->n_annotations++;
	return 0;
}

void spec_free(struct oci_spec *s)
{
	if (!s)
		return;
	free(s->oci_version);
	free(s->root_path);
	for (size_t i = 0; i < s->n_mounts; i++) {
		struct oci_mount *m = &s->mounts[i];
		free(m->destination);
		free(m->source);
		free(m->type);
		strv_free(m->options);
		free(m->data);
		free(m->uid_mappings);
		free(m->gid_mappings);
	}
	free(s->mounts);
	free_process(&s->process);
	free(s->hostname);
	free(s->domainname);
	for (int k = 0; k < HOOK_COUNT; k++) {
		for (size_t i = 0; i < s->n_hooks[k]; i++) {
			free(s->hooks[k][i].path);
			strv_free(s->hooks[k][i].args);
			strv_free(s->hooks[k][i].env);
		}
		free(s->hooks[k]);
	}
	for (size_t i = 0; i < s->n_annotations; i++) {
		free(s->annotations[i].key);
		free(s->annotations[i].value);
	}
	free(s->annotations);
	free_linux(&s->linux_);
	if (s->tree)
		yajl_tree_free(s->tree);
	free(s);
}

int spec_process_load(const char *path, struct oci_process *out, cerr *err)
{
	*out = (struct oci_process){ 0 };
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = read_file(path, CONFIG_MAX_BYTES, &text, &len, err);
	if (r < 0)
		return r;
	if (strlen(text) != len)
		return cerr_set(err, EINVAL, "%s: contains a NUL byte", path);
	_cleanup_json_ yajl_val v = NULL;
	if ((r = json_parse(text, path, &v, err)) < 0)
		return r;
	if (!YAJL_IS_OBJECT(v))
		return cerr_set(err, EINVAL, "%s: must be a JSON object, not %s", path, json_type_name(v));
	/* the parser reads "process" from its root: give it one */
	const char *keys[] = { "process" };
	yajl_val vals[] = { v };
	struct yajl_val_s wrap = { .type = yajl_t_object };
	wrap.u.object.keys = keys;
	wrap.u.object.values = vals;
	wrap.u.object.len = 1;
	if ((r = parse_process(&wrap, out, err)) < 0) {
		free_process(out);
		*out = (struct oci_process){ 0 };
		return cerr_wrap(err, "%s", path);
	}
	return 0;
}

void spec_process_free(struct oci_process *p)
{
	free_process(p);
}
