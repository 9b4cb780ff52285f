/* bld_instr.h: each instruction's words expanded (ENV before ARG, as
 * Docker has it), its change written into the config's patch, and what it
 * did into the cache key. */
#include "supervisor/build/bld_instr.h"
#include "images/df_expand.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


/* ARG NAME[=DEFAULT] in args: the build's --build-arg first, then the
 * default, then (in a stage) the value before the first FROM. */
static int declare_arg(bld *b, bld_stage *s, char ***args, const char *raw, cerr *err)
{
	const char *eq = strchr(raw, '=');
	_cleanup_free_ char *name = eq ? strndup(raw, (size_t)(eq - raw)) : strdup(raw), *dflt = NULL;
	if (!name)
		return cerr_set(err, ENOMEM, "out of memory");
	yajl_val given = json_get(b->build_args, name);
	const char *value = YAJL_IS_STRING(given) ? given->u.string : NULL;
	if (!value && eq) {
		if ((s ? bld_expand(b, s, eq + 1, &dflt, err) : bld_expand_meta(b, eq + 1, &dflt, err)) < 0)
			return -1;
		value = dflt;
	}
	if (!value && s)
		value = bld_args_get(b->meta_args, name);
	char *kv = NULL;
	if ((value ? asprintf(&kv, "%s=%s", name, value) : asprintf(&kv, "%s", name)) < 0 || strv_push(args, kv) < 0) {
		free(kv);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	if (s)
		bld_key_next(s, kv, strlen(kv));
	return 0;
}

int bld_meta_arg(bld *b, const df_instr *in, cerr *err)
{
	for (size_t i = 0; in->args[i]; i++)
		if (declare_arg(b, NULL, &b->meta_args, in->args[i], err) < 0)
			return cerr_wrap(err, "Dockerfile:%u", in->line);
	return 0;
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
static int expand_pair(bld *b, bld_stage *s, const char *raw, char **key, char **value, cerr *err)
{
	const char *eq = strchr(raw, '=');
	_cleanup_free_ char *k = eq ? strndup(raw, (size_t)(eq - raw)) : NULL;
	if (!eq)
		return cerr_set(err, EINVAL, "%s: a KEY=VALUE pair is needed", raw);
	if (!k || bld_expand(b, s, k, key, err) < 0 || bld_expand(b, s, eq + 1, value, err) < 0)
		return -1;
	return **key ? 0 : cerr_set(err, EINVAL, "%s: the name is empty", raw);
}

static int do_env(bld *b, bld_stage *s, const df_instr *in, cerr *err)
{
	for (size_t i = 0; in->args[i]; i++) {
		_cleanup_free_ char *k = NULL, *v = NULL;
		if (expand_pair(b, s, in->args[i], &k, &v, err) < 0)
			return -1;
		if (bld_env_set(&s->cfg, k, v) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
	}
	_cleanup_free_ char *env = json_strv(s->cfg.env);
	return env && bld_config_set(&s->cfg, "Env", env) == 0 ? 0 : cerr_set(err, ENOMEM, "out of memory");
}

static int do_label(bld *b, bld_stage *s, const df_instr *in, cerr *err)
{
	for (size_t i = 0; in->args[i]; i++) {
		_cleanup_free_ char *k = NULL, *v = NULL, *json = NULL;
		if (expand_pair(b, s, in->args[i], &k, &v, err) < 0)
			return -1;
		if (!(json = json_string(v)) || bld_config_merge(&s->cfg, "Labels", k, json) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

/* The words of EXPOSE and VOLUME (VOLUME's JSON form as it is), expanded. */
static int expanded_words(bld *b, bld_stage *s, const df_instr *in, char ***out, cerr *err)
{
	for (size_t i = 0; in->args[i]; i++) {
		char *w = NULL;
		if (in->exec_form ? !(w = strdup(in->args[i])) : bld_expand(b, s, in->args[i], &w, err) < 0)
			return w ? -1 : cerr_set(err, ENOMEM, "out of memory");
		if (!*w) {
			free(w);
			continue;
		}
		if (strv_push(out, w) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

static int do_expose(bld *b, bld_stage *s, const df_instr *in, cerr *err)
{
	_cleanup_strv_ char **words = NULL;
	if (expanded_words(b, s, in, &words, err) < 0)
		return -1;
	for (size_t i = 0; words && words[i]; i++) {
		char port[64];
		unsigned long p = strtoul(words[i], NULL, 10);
		const char *slash = strchr(words[i], '/');
		if (p == 0 || p > 65535 || strspn(words[i], "0123456789") != (size_t)(slash ? slash - words[i] : (long)strlen(words[i])) ||
		    (slash && strcasecmp(slash, "/tcp") && strcasecmp(slash, "/udp") && strcasecmp(slash, "/sctp")))
			return cerr_set(err, EINVAL, "EXPOSE %s: not PORT[/tcp|/udp|/sctp]", words[i]);
		snprintf(port, sizeof(port), "%lu%s", p, slash ? slash : "/tcp");
		for (char *c = port; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (bld_config_merge(&s->cfg, "ExposedPorts", port, "{}") < 0)
			return cerr_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

static int do_volume(bld *b, bld_stage *s, const df_instr *in, cerr *err)
{
	_cleanup_strv_ char **words = NULL;
	if (expanded_words(b, s, in, &words, err) < 0)
		return -1;
	for (size_t i = 0; words && words[i]; i++)
		if (bld_config_merge(&s->cfg, "Volumes", words[i], "{}") < 0)
			return cerr_set(err, ENOMEM, "out of memory");
	return 0;
}

/* One string of the config (WORKDIR, USER, STOPSIGNAL), expanded. */
static int do_string(bld *b, bld_stage *s, const df_instr *in, const char *key, cerr *err)
{
	_cleanup_free_ char *v = NULL, *json = NULL;
	if (bld_expand(b, s, in->args[0] ? in->args[0] : "", &v, err) < 0)
		return -1;
	if (in->kind == DF_WORKDIR) {
		if (!*v)
			return cerr_set(err, EINVAL, "WORKDIR needs a path");
		char *abs = NULL;
		if (v[0] != '/' && asprintf(&abs, "%s/%s", *s->cfg.workdir ? s->cfg.workdir : "", v) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
		if (abs)
			free(v), v = abs;
		free(s->cfg.workdir);
		s->cfg.workdir = strdup(v);
	} else if (in->kind == DF_USER) {
		free(s->cfg.user);
		s->cfg.user = strdup(v);
	}
	if (!(json = json_string(v)) || bld_config_set(&s->cfg, key, json) < 0 || !s->cfg.workdir || !s->cfg.user)
		return cerr_set(err, ENOMEM, "out of memory");
	return 0;
}

static bool has_key(char *const *keys, const char *key)
{
	for (size_t i = 0; keys && keys[i]; i++)
		if (!strcmp(keys[i], key))
			return true;
	return false;
}

/* CMD and ENTRYPOINT (and SHELL, exec form only): as given, or the shell's. */
static int do_command(bld_stage *s, const df_instr *in, const char *key, cerr *err)
{
	_cleanup_strv_ char **argv = NULL;
	if (in->kind == DF_SHELL && !in->exec_form)
		return cerr_set(err, EINVAL, "SHELL requires the arguments to be in JSON form");
	if (!in->exec_form && in->args[0]) {
		argv = strv_copy(s->cfg.shell);
		if (!argv || strv_push(&argv, strdup(in->args[0])) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
	} else if (!(argv = strv_copy(in->args))) {
		return cerr_set(err, ENOMEM, "out of memory");
	}
	if (in->kind == DF_SHELL) {
		if (!argv[0])
			return cerr_set(err, EINVAL, "SHELL needs a command");
		strv_free(s->cfg.shell);
		s->cfg.shell = strv_copy(argv);
	}
	_cleanup_free_ char *json = json_strv(argv);
	if (!json || bld_config_set(&s->cfg, key, json) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	/* a new ENTRYPOINT drops the base's CMD, unless the stage gives one */
	if (in->kind == DF_ENTRYPOINT && !has_key(s->cfg.patch_keys, "Cmd") && bld_config_set(&s->cfg, "Cmd", "null") < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	return 0;
}

/* Go's durations, as HEALTHCHECK's flags have them: "30s", "1m30s", "500ms". */
static long long duration_ns(const char *s)
{
	static const struct { const char *unit; long long ns; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 }, { "m", 60000000000 }, { "h", 3600000000000 },
	};
	long long total = 0;
	while (*s) {
		char *end;
		double v = strtod(s, &end);
		if (end == s || v < 0)
			return -1;
		size_t k = 0;
		for (; k < sizeof(units) / sizeof(units[0]); k++)
			if (!strncmp(end, units[k].unit, strlen(units[k].unit)) &&
			    !(units[k].unit[0] == 'm' && !units[k].unit[1] && end[1] == 's'))
				break;
		if (k == sizeof(units) / sizeof(units[0]))
			return -1;
		total += (long long)(v * (double)units[k].ns);
		s = end + strlen(units[k].unit);
	}
	return total;
}

static int do_healthcheck(bld_stage *s, const df_instr *in, cerr *err)
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
					return cerr_set(err, EINVAL, "HEALTHCHECK %s: not a duration", f);
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
	return json && bld_config_set(&s->cfg, "Healthcheck", json) == 0 ? 0 : cerr_set(err, ENOMEM, "out of memory");
}

static int do_onbuild(bld_stage *s, const df_instr *in, cerr *err)
{
	/* the triggers so far, from the patch, and this one */
	_cleanup_strv_ char **triggers = NULL;
	for (size_t i = 0; s->cfg.patch_keys && s->cfg.patch_keys[i]; i++)
		if (!strcmp(s->cfg.patch_keys[i], "OnBuild")) {
			_cleanup_json_ yajl_val v = NULL;
			cerr e = { 0 };
			if (json_parse(s->cfg.patch_values[i], "OnBuild", &v, &e) == 0)
				for (size_t k = 0; YAJL_IS_ARRAY(v) && k < v->u.array.len; k++)
					if (YAJL_IS_STRING(v->u.array.values[k]))
						strv_push(&triggers, strdup(v->u.array.values[k]->u.string));
			cerr_clear(&e);
		}
	if (strv_push(&triggers, strdup(in->args[0])) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	_cleanup_free_ char *json = json_strv(triggers);
	return json && bld_config_set(&s->cfg, "OnBuild", json) == 0 ? 0 : cerr_set(err, ENOMEM, "out of memory");
}

int bld_step_config(bld *b, bld_stage *s, const df_instr *in, cerr *err)
{
	int r;
	switch (in->kind) {
	case DF_ENV: r = do_env(b, s, in, err); break;
	case DF_ARG:
		r = 0;
		for (size_t i = 0; r == 0 && in->args[i]; i++)
			r = declare_arg(b, s, &s->args, in->args[i], err);
		return r; /* its key is the value it took */
	case DF_LABEL: r = do_label(b, s, in, err); break;
	case DF_WORKDIR: r = do_string(b, s, in, "WorkingDir", err); break;
	case DF_USER: r = do_string(b, s, in, "User", err); break;
	case DF_STOPSIGNAL: r = do_string(b, s, in, "StopSignal", err); break;
	case DF_CMD: r = do_command(s, in, "Cmd", err); break;
	case DF_ENTRYPOINT: r = do_command(s, in, "Entrypoint", err); break;
	case DF_SHELL: r = do_command(s, in, "Shell", err); break;
	case DF_EXPOSE: r = do_expose(b, s, in, err); break;
	case DF_VOLUME: r = do_volume(b, s, in, err); break;
	case DF_HEALTHCHECK: r = do_healthcheck(s, in, err); break;
	case DF_ONBUILD: r = do_onbuild(s, in, err); break;
	case DF_MAINTAINER: r = 0; break; /* deprecated: a LABEL says it now */
	default: return cerr_set(err, EINVAL, "%s: not a config instruction", df_kind_name(in->kind));
	}
	if (r < 0)
		return r;
	/* the patch as it is now is what the step did */
	_cleanup_free_ char *patch = bld_config_patch(&s->cfg);
	_cleanup_free_ char *what = NULL;
	if (!patch || asprintf(&what, "%s %s", df_kind_name(in->kind), patch) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	bld_key_next(s, what, strlen(what));
	return 0;
}
