/* What a CNI plugin is given: its config, its environment, its binary. */
#include "supervisor/daemon/network/cni.h"
#include "supervisor/daemon/network/cni_conf.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_get.h"
#include "common/strv.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool name_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > NAME_MAX || s[0] == '.' || s[0] == '-')
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

int cni_conflist_parse(const char *text, const char *what, yajl_val *out, cerr *err)
{
	_cleanup_json_ yajl_val v = NULL;
	int r = json_parse(text, what, &v, err);
	if (r < 0)
		return r;
	json_fault f = JSON_FAULT_CHAIN(err);
	const char *name, *ver;
	yajl_val plugins;
	if ((r = json_want(v, yajl_t_object, "", &f)) < 0 ||
	    (r = json_get_str(v, "", "cniVersion", JSON_REQUIRED | JSON_BOUNDED, &ver, &f)) < 0 ||
	    (r = json_get_str(v, "", "name", JSON_REQUIRED | JSON_BOUNDED, &name, &f)) < 0 ||
	    (r = json_get_array(v, "", "plugins", JSON_REQUIRED | JSON_NONEMPTY, CNI_MAX_PLUGINS, &plugins, &f)) < 0)
		return cerr_wrap(err, "%s", what);
	if (!plugins->u.array.len)
		return cerr_set(err, EINVAL, "%s: plugins: must not be empty", what);
	if (!name_ok(name))
		return cerr_set(err, EINVAL, "%s: name: \"%s\" is not a network name (letters, digits, _ . -)", what, name);
	for (size_t i = 0; i < plugins->u.array.len; i++) {
		char p[JSON_PATH_MAX];
		yajl_val pl = plugins->u.array.values[i];
		const char *type;
		json_path_idx(p, "plugins", i);
		if ((r = json_want(pl, yajl_t_object, p, &f)) < 0 ||
		    (r = json_get_str(pl, p, "type", JSON_REQUIRED | JSON_BOUNDED, &type, &f)) < 0)
			return cerr_wrap(err, "%s", what);
		if (!name_ok(type))
			return cerr_set(err, EINVAL, "%s: %s.type: \"%s\" is not a plugin name", what, p, type);
	}
	*out = TAKE_PTR(v);
	return 0;
}

const char *cni_list_name(yajl_val list) { return YAJL_GET_STRING(json_key(list, "name")); }

size_t cni_list_len(yajl_val list) { return YAJL_GET_ARRAY(json_key(list, "plugins"))->len; }

yajl_val cni_list_plugin(yajl_val list, size_t i) { return YAJL_GET_ARRAY(json_key(list, "plugins"))->values[i]; }

const char *cni_plugin_type(yajl_val plugin) { return YAJL_GET_STRING(json_key(plugin, "type")); }

static bool wants(yajl_val plugin, const char *capability)
{
	return YAJL_IS_TRUE(json_key(json_key(plugin, "capabilities"), capability));
}

char *cni_plugin_conf(yajl_val list, size_t i, yajl_val prev, const cni_args *a, size_t *len, cerr *err)
{
	yajl_val pl = cni_list_plugin(list, i);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	int r = !g || yajl_gen_map_open(g) || jg_key_str(g, "cniVersion", YAJL_GET_STRING(json_key(list, "cniVersion"))) ||
		jg_key_str(g, "name", cni_list_name(list));
	for (size_t k = 0; !r && k < pl->u.object.len; k++) {
		const char *key = pl->u.object.keys[k];
		if (streq(key, "cniVersion") || streq(key, "name") || streq(key, "prevResult") || streq(key, "runtimeConfig"))
			continue;
		r = jg_key(g, key) || jg_value(g, pl->u.object.values[k]);
	}
	if (!r && prev)
		r = jg_key(g, "prevResult") || jg_value(g, prev);
	if (!r && wants(pl, "portMappings") && a->n_ports)
		r = jg_key(g, "runtimeConfig") || yajl_gen_map_open(g) || cni_ports_gen(g, "portMappings", a->ports, a->n_ports) || yajl_gen_map_close(g);
	char *out = r ? NULL : (yajl_gen_map_close(g) ? NULL : jg_finish(g, len));
	if (!out)
		cerr_set(err, ENOMEM, "network %s: could not write the config of plugin %zu", cni_list_name(list), i);
	return out;
}

int cni_env(const char *command, const cni_args *a, char ***out)
{
	const char *path = a->portmap_env_path ? a->portmap_env_path : getenv("PATH");
	char *v[] = { NULL, NULL, NULL, NULL, NULL, NULL, NULL };
	int n = 0;
	/* IgnoreUnknown: every plugin of the list sees CNI_ARGS, only the
	 * IPAM knows IP, and only the interface's makers (bridge, tuning) MAC */
	if ((a->ip || a->mac) && streq(command, "ADD") &&
	    asprintf(&v[n++], "CNI_ARGS=IgnoreUnknown=1%s%s%s%s", a->ip ? ";IP=" : "", a->ip ? a->ip : "",
		     a->mac ? ";MAC=" : "", a->mac ? a->mac : "") < 0) {
		v[n - 1] = NULL;
		return -ENOMEM;
	}
	if (asprintf(&v[n++], "CNI_COMMAND=%s", command) < 0 ||
	    asprintf(&v[n++], "CNI_CONTAINERID=%s", a->container_id) < 0 ||
	    asprintf(&v[n++], "CNI_NETNS=%s", a->netns ? a->netns : "") < 0 ||
	    asprintf(&v[n++], "CNI_IFNAME=%s", a->ifname) < 0 || asprintf(&v[n++], "CNI_PATH=%s", a->path) < 0 ||
	    asprintf(&v[n++], "PATH=%s", path ? path : "/usr/sbin:/usr/bin:/sbin:/bin") < 0) {
		v[n - 1] = NULL;
		for (int i = 0; i < n; i++)
			free(v[i]);
		return -ENOMEM;
	}
	_cleanup_strv_ char **e = calloc(n + 1, sizeof(*e));
	if (!e) {
		for (int i = 0; i < n; i++)
			free(v[i]);
		return -ENOMEM;
	}
	memcpy(e, v, sizeof(*e) * n);
	*out = TAKE_PTR(e);
	return 0;
}

int cni_find_plugin(const char *path_list, const char *type, char *out, size_t n, cerr *err)
{
	const char *p = path_list;
	while (*p) {
		size_t k = strcspn(p, ":");
		if (k && snprintf(out, n, "%.*s/%s", (int)k, p, type) < (int)n && access(out, X_OK) == 0)
			return 0;
		p += k;
		p += *p == ':';
	}
	return cerr_set(err, ENOENT, "CNI plugin %s: not found in %s", type, path_list);
}
