/* cfg_edit.h: the run defaults and their patch. */
#include "images/cfg_edit.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "common/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cfg_edit_release(cfg_edit *c)
{
	strv_free(c->env);
	free(c->workdir);
	free(c->user);
	strv_free(c->shell);
	strv_free(c->patch_keys);
	strv_free(c->patch_values);
	strv_free(c->merge_keys);
	strv_free(c->merge_values);
	*c = (cfg_edit){ 0 };
}

int cfg_edit_copy(cfg_edit *to, const cfg_edit *from)
{
	*to = (cfg_edit){ .env = strv_copy(from->env), .workdir = strdup(from->workdir), .user = strdup(from->user),
			    .shell = strv_copy(from->shell), .patch_keys = strv_copy(from->patch_keys),
			    .patch_values = strv_copy(from->patch_values), .merge_keys = strv_copy(from->merge_keys),
			    .merge_values = strv_copy(from->merge_values), .bytes = from->bytes,
			    .entries = from->entries };
	if ((from->env && !to->env) || !to->workdir || !to->user || (from->shell && !to->shell) ||
	    (from->patch_keys && (!to->patch_keys || !to->patch_values)) ||
	    (from->merge_keys && (!to->merge_keys || !to->merge_values))) {
		cfg_edit_release(to);
		return -ENOMEM;
	}
	return 0;
}

static int get_strv(yajl_val config, const char *key, char ***out)
{
	yajl_val v = json_get(config, key);
	for (size_t i = 0; YAJL_IS_ARRAY(v) && i < v->u.array.len; i++) {
		yajl_val e = v->u.array.values[i];
		char *s = YAJL_IS_STRING(e) ? strdup(e->u.string) : NULL;
		if (YAJL_IS_STRING(e) && (!s || strv_push(out, s) < 0))
			return -ENOMEM;
	}
	return 0;
}

int cfg_edit_from_image(cfg_edit *c, yajl_val config, bool inspect)
{
	cfg_edit_release(c);
	yajl_val wd = json_get(config, inspect ? "workingDir" : "WorkingDir"), user = json_get(config, inspect ? "user" : "User");
	c->workdir = strdup(YAJL_IS_STRING(wd) ? wd->u.string : "");
	c->user = strdup(YAJL_IS_STRING(user) ? user->u.string : "");
	int r = get_strv(config, inspect ? "env" : "Env", &c->env);
	for (size_t i = 0; r == 0 && c->env && c->env[i]; i++) /* the image's own: counted, never refused */
		c->bytes += strlen(c->env[i]), c->entries++;
	if (r == 0)
		r = get_strv(config, inspect ? "shell" : "Shell", &c->shell);
	if (r == 0 && !c->shell) /* RUN's shell form, unless the image says */
		r = strv_push(&c->shell, strdup("/bin/sh")) < 0 || strv_push(&c->shell, strdup("-c")) < 0 ? -ENOMEM : 0;
	return !c->workdir || !c->user ? -ENOMEM : r;
}

/* c holds more bytes (less, replaced), and one more entry when added:
 * -E2BIG past its bounds, counted nothing then */
static int grow(cfg_edit *c, size_t more, size_t less, bool added)
{
	size_t bytes = c->bytes + more - less, entries = c->entries + added;
	if (bytes > CFG_EDIT_MAX_BYTES || entries > CFG_EDIT_MAX_ENTRIES)
		return -E2BIG;
	c->bytes = bytes, c->entries = entries;
	return 0;
}

/* Replace or add key's value in the list pair (keys, values). */
static int put(cfg_edit *c, char ***keys, char ***values, const char *key, const char *value)
{
	size_t i = 0;
	while (*keys && (*keys)[i] && strcmp((*keys)[i], key))
		i++;
	bool added = !*keys || !(*keys)[i];
	int r = grow(c, strlen(value) + (added ? strlen(key) : 0), added ? 0 : strlen((*values)[i]), added);
	char *v = r < 0 ? NULL : strdup(value);
	if (!v)
		return r < 0 ? r : -ENOMEM;
	if (!added) {
		free((*values)[i]);
		(*values)[i] = v;
		return 0;
	}
	char *k = strdup(key);
	if (!k || strv_push(keys, k) < 0) {
		free(v);
		return -ENOMEM;
	}
	return strv_push(values, v) < 0 ? -ENOMEM : 0;
}

int cfg_edit_set(cfg_edit *c, const char *key, const char *json)
{
	c->dirty = true;
	return put(c, &c->patch_keys, &c->patch_values, key, json);
}

int cfg_edit_merge(cfg_edit *c, const char *key, const char *subkey, const char *json)
{
	_cleanup_free_ char *both = NULL;
	if (asprintf(&both, "%s\n%s", key, subkey) < 0)
		return -ENOMEM;
	c->dirty = true;
	return put(c, &c->merge_keys, &c->merge_values, both, json);
}

char *cfg_edit_patch(const cfg_edit *c)
{
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "{");
	for (size_t i = 0; c->patch_keys && c->patch_keys[i]; i++) {
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		jg_str(g, c->patch_keys[i]);
		_cleanup_free_ char *k = jg_finish(g, NULL);
		sb_addf(&sb, "%s%s:%s", sb.len > 1 ? "," : "", k ? k : "\"\"", c->patch_values[i]);
	}
	/* the merged keys, each an object of its members */
	for (size_t i = 0; c->merge_keys && c->merge_keys[i]; i++) {
		const char *nl = strchr(c->merge_keys[i], '\n');
		size_t klen = (size_t)(nl - c->merge_keys[i]);
		bool first = true;
		for (size_t j = 0; j < i && first; j++)
			first = strncmp(c->merge_keys[j], c->merge_keys[i], klen + 1) != 0;
		if (!first)
			continue;
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		yajl_gen_map_open(g);
		for (size_t j = i; c->merge_keys[j]; j++)
			if (!strncmp(c->merge_keys[j], c->merge_keys[i], klen + 1)) {
				jg_key(g, c->merge_keys[j] + klen + 1);
				_cleanup_json_ yajl_val v = NULL;
				if (json_parse(c->merge_values[j], "value", &v, NULL) == 0)
					jg_value(g, v);
				else
					yajl_gen_null(g);
			}
		yajl_gen_map_close(g);
		_cleanup_free_ char *obj = jg_finish(g, NULL);
		sb_addf(&sb, "%s\"%.*s\":%s", sb.len > 1 ? "," : "", (int)klen, c->merge_keys[i], obj ? obj : "{}");
	}
	sb_adds(&sb, "}");
	return sb_detach(&sb);
}

const char *cfg_env_get(const cfg_edit *c, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; c->env && c->env[i]; i++)
		if (!strncmp(c->env[i], name, n) && c->env[i][n] == '=')
			return c->env[i] + n + 1;
	return NULL;
}

int cfg_env_set(cfg_edit *c, const char *name, const char *value)
{
	size_t n = strlen(name), i = 0;
	while (c->env && c->env[i] && !(!strncmp(c->env[i], name, n) && c->env[i][n] == '='))
		i++;
	bool added = !c->env || !c->env[i];
	int r = grow(c, n + 1 + strlen(value), added ? 0 : strlen(c->env[i]), added);
	char *kv = NULL;
	if (r < 0 || asprintf(&kv, "%s=%s", name, value) < 0)
		return r < 0 ? r : -ENOMEM;
	if (!added) {
		free(c->env[i]);
		c->env[i] = kv;
		return 0;
	}
	if (strv_push(&c->env, kv) < 0) {
		free(kv);
		return -ENOMEM;
	}
	return 0;
}
