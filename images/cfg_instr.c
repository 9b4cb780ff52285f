/* cfg_edit_apply (cfg_edit.h): each instruction's words expanded, its
 * change written into the patch. */
#include "images/cfg_edit.h"
#include "images/dockerfile_instr.h"
#include "images/cfg_instr.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct expander {
	char escape;
	df_lookup_fn lookup;
	void *ctx;
	size_t made; /* bytes its expansions made: one instruction's */
} expander;

/* A failed edit of the config (cfg_edit.h), said */
static int edit_failed(int r, cerr *err)
{
	if (r == -E2BIG)
		return cerr_set(err, E2BIG, "the image's config would pass %u bytes or %u entries (Env, Labels, ports, volumes)",
				CFG_EDIT_MAX_BYTES, CFG_EDIT_MAX_ENTRIES);
	return cerr_set(err, ENOMEM, "out of memory");
}

/* word expanded; what one instruction's expansions make is bounded as
 * the config is (each word's own bound is DF_EXPAND_MAX) */
static int expand(expander *x, const char *word, char **out, cerr *err)
{
	if (df_expand(word, x->escape, x->lookup, x->ctx, out, err) < 0)
		return -1;
	x->made += strlen(*out);
	if (x->made <= CFG_EDIT_MAX_BYTES)
		return 0;
	free(*out);
	*out = NULL;
	return edit_failed(-E2BIG, err);
}

static char *json_strv(char *const *v)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_array_open(g);
	for (size_t i = 0; v && v[i]; i++)
		jg_str(g, v[i]);
	yajl_gen_array_close(g);
	return jg_finish(g, NULL);
}

static char *json_string(const char *s)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	jg_str(g, s);
	return jg_finish(g, NULL);
}

/* A KEY=VALUE pair of ENV or LABEL, each side expanded. */
static int expand_pair(cfg_edit *c, expander *x, const char *raw, char **key, char **value, cerr *err)
{
	const char *eq = strchr(raw, '=');
	_cleanup_free_ char *k = eq ? strndup(raw, (size_t)(eq - raw)) : NULL;
	if (!eq)
		return cerr_set(err, EINVAL, "%s: a KEY=VALUE pair is needed", raw);
	if (!k || expand(x, k, key, err) < 0 || expand(x, eq + 1, value, err) < 0)
		return -1;
	return **key ? 0 : cerr_set(err, EINVAL, "%s: the name is empty", raw);
}

/* Every pair expanded before any is set, as Docker's: in ENV a=2 b=$a,
 * b is the a from before. */
static int do_env(cfg_edit *c, expander *x, const df_instr *in, cerr *err)
{
	_cleanup_strv_ char **pairs = NULL; /* key, value, key, value... */
	for (size_t i = 0; in->args[i]; i++) {
		_cleanup_free_ char *k = NULL, *v = NULL;
		if (expand_pair(c, x, in->args[i], &k, &v, err) < 0)
			return -1;
		if (strv_push(&pairs, k) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
		k = NULL;
		if (strv_push(&pairs, v) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
		v = NULL;
	}
	int r = 0;
	for (size_t i = 0; pairs && pairs[i] && r == 0; i += 2)
		r = cfg_env_set(c, pairs[i], pairs[i + 1]);
	_cleanup_free_ char *env = r == 0 ? json_strv(c->env) : NULL;
	if (r == 0 && !env)
		r = -ENOMEM;
	return r == 0 && (r = cfg_edit_set(c, "Env", env)) == 0 ? 0 : edit_failed(r, err);
}

static int do_label(cfg_edit *c, expander *x, const df_instr *in, cerr *err)
{
	for (size_t i = 0; in->args[i]; i++) {
		_cleanup_free_ char *k = NULL, *v = NULL, *json = NULL;
		if (expand_pair(c, x, in->args[i], &k, &v, err) < 0)
			return -1;
		int r = (json = json_string(v)) ? cfg_edit_merge(c, "Labels", k, json) : -ENOMEM;
		if (r < 0)
			return edit_failed(r, err);
	}
	return 0;
}

/* The words of EXPOSE and VOLUME (VOLUME's JSON form as it is), expanded. */
static int expanded_words(cfg_edit *c, expander *x, const df_instr *in, char ***out, cerr *err)
{
	for (size_t i = 0; in->args[i]; i++) {
		_cleanup_free_ char *w = NULL;
		if (in->exec_form && !(w = strdup(in->args[i])))
			return cerr_set(err, ENOMEM, "out of memory");
		if (!in->exec_form && expand(x, in->args[i], &w, err) < 0)
			return -1;
		if (!*w)
			continue;
		if (strv_push(out, w) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
		w = NULL;
	}
	return 0;
}

static int do_expose(cfg_edit *c, expander *x, const df_instr *in, cerr *err)
{
	_cleanup_strv_ char **words = NULL;
	if (expanded_words(c, x, in, &words, err) < 0)
		return -1;
	for (size_t i = 0; words && words[i]; i++) {
		char port[64];
		unsigned long p = strtoul(words[i], NULL, 10);
		const char *slash = strchr(words[i], '/');
		if (p == 0 || p > 65535 || strspn(words[i], "0123456789") != (size_t)(slash ? slash - words[i] : (long)strlen(words[i])) ||
		    (slash && strcasecmp(slash, "/tcp") && strcasecmp(slash, "/udp") && strcasecmp(slash, "/sctp")))
			return cerr_set(err, EINVAL, "EXPOSE %s: not PORT[/tcp|/udp|/sctp]", words[i]);
		snprintf(port, sizeof(port), "%lu%s", p, slash ? slash : "/tcp");
		for (char *ch = port; *ch; ch++)
			*ch = (char)tolower((unsigned char)*ch);
		int r = cfg_edit_merge(c, "ExposedPorts", port, "{}");
		if (r < 0)
			return edit_failed(r, err);
	}
	return 0;
}

static int do_volume(cfg_edit *c, expander *x, const df_instr *in, cerr *err)
{
	_cleanup_strv_ char **words = NULL;
	if (expanded_words(c, x, in, &words, err) < 0)
		return -1;
	int r = 0;
	for (size_t i = 0; words && words[i] && r == 0; i++)
		r = cfg_edit_merge(c, "Volumes", words[i], "{}");
	return r < 0 ? edit_failed(r, err) : 0;
}

/* One string of the config (WORKDIR, USER, STOPSIGNAL), expanded. */
static int do_string(cfg_edit *c, expander *x, const df_instr *in, const char *key, cerr *err)
{
	_cleanup_free_ char *v = NULL, *json = NULL;
	if (expand(x, in->args[0] ? in->args[0] : "", &v, err) < 0)
		return -1;
	if (in->kind == DF_WORKDIR) {
		if (!*v)
			return cerr_set(err, EINVAL, "WORKDIR needs a path");
		char *abs = NULL;
		if (v[0] != '/' && asprintf(&abs, "%s/%s", *c->workdir ? c->workdir : "", v) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
		if (abs)
			free(v), v = abs;
		free(c->workdir);
		c->workdir = strdup(v);
	} else if (in->kind == DF_USER) {
		free(c->user);
		c->user = strdup(v);
	}
	int r = (json = json_string(v)) && c->workdir && c->user ? cfg_edit_set(c, key, json) : -ENOMEM;
	return r < 0 ? edit_failed(r, err) : 0;
}

static bool has_key(char *const *keys, const char *key)
{
	for (size_t i = 0; keys && keys[i]; i++)
		if (!strcmp(keys[i], key))
			return true;
	return false;
}

/* CMD and ENTRYPOINT (and SHELL, exec form only): as given, or the shell's. */
static int do_command(cfg_edit *c, const df_instr *in, const char *key, cerr *err)
{
	_cleanup_strv_ char **argv = NULL;
	if (in->kind == DF_SHELL && !in->exec_form)
		return cerr_set(err, EINVAL, "SHELL requires the arguments to be in JSON form");
	if (!in->exec_form && in->args[0]) {
		argv = strv_copy(c->shell);
		if (!argv || strv_push(&argv, strdup(in->args[0])) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
	} else if (!(argv = strv_copy(in->args))) {
		return cerr_set(err, ENOMEM, "out of memory");
	}
	if (in->kind == DF_SHELL) {
		if (!argv[0])
			return cerr_set(err, EINVAL, "SHELL needs a command");
		strv_free(c->shell);
		c->shell = strv_copy(argv);
	}
	_cleanup_free_ char *json = json_strv(argv);
	int r = json ? cfg_edit_set(c, key, json) : -ENOMEM;
	/* a new ENTRYPOINT drops the base's CMD, unless the stage gives one */
	if (r == 0 && in->kind == DF_ENTRYPOINT && !has_key(c->patch_keys, "Cmd"))
		r = cfg_edit_set(c, "Cmd", "null");
	return r < 0 ? edit_failed(r, err) : 0;
}

/* Go's durations, as HEALTHCHECK's flags have them: "30s", "1m30s", "500ms";
 * -1 for what is none, or past a day in all (corrald's own bound on them) */
static long long duration_ns(const char *s)
{
	const double day_ns = 86400e9;
	static const struct { const char *unit; long long ns; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 }, { "m", 60000000000 }, { "h", 3600000000000 },
	};
	long long total = 0;
	while (*s) {
		char *end;
		double v = strtod(s, &end);
		if (end == s || !isfinite(v) || v < 0 || v > day_ns)
			return -1;
		size_t k = 0;
		for (; k < sizeof(units) / sizeof(units[0]); k++)
			if (!strncmp(end, units[k].unit, strlen(units[k].unit)) &&
			    !(units[k].unit[0] == 'm' && !units[k].unit[1] && end[1] == 's'))
				break;
		if (k == sizeof(units) / sizeof(units[0]))
			return -1;
		double ns = v * (double)units[k].ns;
		if (ns > day_ns - (double)total)
			return -1;
		total += (long long)ns;
		s = end + strlen(units[k].unit);
	}
	return total;
}

static int do_healthcheck(cfg_edit *c, const df_instr *in, cerr *err)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	jg_key(g, "Test");
	yajl_gen_array_open(g);
	if (in->args[0] && !strcasecmp(in->args[0], "NONE") && !in->args[1] && !in->exec_form) {
		jg_str(g, "NONE");
	} else {
		jg_str(g, in->exec_form ? "CMD" : "CMD-SHELL");
		for (size_t i = 0; in->args[i]; i++)
			jg_str(g, in->args[i]);
	}
	yajl_gen_array_close(g);
	static const struct { const char *flag, *key; } durations[] = {
		{ "--interval=", "Interval" }, { "--timeout=", "Timeout" }, { "--start-period=", "StartPeriod" },
		{ "--start-interval=", "StartInterval" },
	};
	for (size_t i = 0; in->flags[i]; i++) {
		const char *f = in->flags[i];
		for (size_t k = 0; k < sizeof(durations) / sizeof(durations[0]); k++)
			if (!strncmp(f, durations[k].flag, strlen(durations[k].flag))) {
				long long ns = duration_ns(f + strlen(durations[k].flag));
				if (ns < 0)
					return cerr_set(err, EINVAL, "HEALTHCHECK %s: not a duration of a day at most", f);
				jg_key_int(g, durations[k].key, ns);
			}
		if (!strncmp(f, "--retries=", 10)) {
			char *end;
			long n = strtol(f + 10, &end, 10);
			if (*end || n < 0)
				return cerr_set(err, EINVAL, "HEALTHCHECK %s: not a count", f);
			jg_key_int(g, "Retries", n);
		}
	}
	yajl_gen_map_close(g);
	_cleanup_free_ char *json = jg_finish(g, NULL);
	int r = json ? cfg_edit_set(c, "Healthcheck", json) : -ENOMEM;
	return r < 0 ? edit_failed(r, err) : 0;
}

int cfg_edit_triggers(const cfg_edit *c, char ***out)
{
	*out = NULL;
	for (size_t i = 0; c->patch_keys && c->patch_keys[i]; i++) {
		_cleanup_json_ yajl_val v = NULL;
		if (strcmp(c->patch_keys[i], "OnBuild") || json_parse(c->patch_values[i], "OnBuild", &v, NULL) < 0)
			continue;
		for (size_t k = 0; YAJL_IS_ARRAY(v) && k < v->u.array.len; k++)
			if (YAJL_IS_STRING(v->u.array.values[k]) && strv_push(out, strdup(v->u.array.values[k]->u.string)) < 0)
				return -ENOMEM;
	}
	return 0;
}

static int do_onbuild(cfg_edit *c, const df_instr *in, cerr *err)
{
	/* the triggers so far, from the patch, and this one */
	_cleanup_strv_ char **triggers = NULL;
	if (cfg_edit_triggers(c, &triggers) < 0 || strv_push(&triggers, strdup(in->args[0])) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	_cleanup_free_ char *json = json_strv(triggers);
	int r = json ? cfg_edit_set(c, "OnBuild", json) : -ENOMEM;
	return r < 0 ? edit_failed(r, err) : 0;
}

int cfg_edit_apply(cfg_edit *c, const df_instr *in, char escape, df_lookup_fn lookup, void *ctx, cerr *err)
{
	expander ex = { .escape = escape, .lookup = lookup, .ctx = ctx }, *x = &ex;
	/* no more words than the config may hold entries: each is gathered
	 * (ENV's pairs, EXPOSE's and VOLUME's words) before it is set */
	if (strv_length(in->args) > CFG_EDIT_MAX_ENTRIES)
		return edit_failed(-E2BIG, err);
	switch (in->kind) {
	case DF_ENV: return do_env(c, x, in, err);
	case DF_LABEL: return do_label(c, x, in, err);
	case DF_WORKDIR: return do_string(c, x, in, "WorkingDir", err);
	case DF_USER: return do_string(c, x, in, "User", err);
	case DF_STOPSIGNAL: return do_string(c, x, in, "StopSignal", err);
	case DF_CMD: return do_command(c, in, "Cmd", err);
	case DF_ENTRYPOINT: return do_command(c, in, "Entrypoint", err);
	case DF_SHELL: return do_command(c, in, "Shell", err);
	case DF_EXPOSE: return do_expose(c, x, in, err);
	case DF_VOLUME: return do_volume(c, x, in, err);
	case DF_HEALTHCHECK: return do_healthcheck(c, in, err);
	case DF_ONBUILD: return do_onbuild(c, in, err);
	case DF_MAINTAINER: return 0; /* deprecated: a LABEL says it now */
	default: return cerr_set(err, EINVAL, "%s changes files, not the config", df_kind_name(in->kind));
	}
}
