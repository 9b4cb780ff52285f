#include "supervisor/daemon/ctr_spec.h"
#include "common/cleanup.h"
#include "common/safepath.h"
#include "bundle/caps.h"
#include "common/json.h"
#include "common/strv.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct { const char *name; int sig; } signals[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "TERM", SIGTERM }, { "ALRM", SIGALRM },
	{ "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "PWR", SIGPWR }, { "WINCH", SIGWINCH },
	{ "ABRT", SIGABRT }, { "TSTP", SIGTSTP },
};

int ctr_parse_signal(const char *s)
{
	if (!s || !*s)
		return -EINVAL;
	if (isdigit((unsigned char)*s)) {
		char *end;
		long v = strtol(s, &end, 10);
		return (*end || v < 1 || v > SIGRTMAX) ? -EINVAL : (int)v;
	}
	const char *n = strncmp(s, "SIG", 3) ? s : s + 3;
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
		if (streq(n, signals[i].name))
			return signals[i].sig;
	return -EINVAL;
}

bool ctr_name_valid(const char *n)
{
	size_t len = strlen(n);
	if (len == 0 || len > CTR_NAME_MAX || !isalnum((unsigned char)n[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)n[i]) && !strchr("_.-", n[i]))
			return false;
	return true;
}

void ctr_spec_release(ctr_spec *s)
{
	free(s->image);
	free(s->name);
	strv_free(s->command);
	strv_free(s->env);
	free(s->workdir);
	free(s->user);
	for (size_t i = 0; i < s->n_mounts; i++) {
		free(s->mounts[i].source);
		free(s->mounts[i].destination);
	}
	free(s->mounts);
	strv_free(s->labels);
	memset(s, 0, sizeof(*s));
}

#define BAD(...) (snprintf(field, flen, __VA_ARGS__), -EINVAL)

static bool absent(yajl_val v) { return !v || YAJL_IS_NULL(v); }

static int get_str(yajl_val obj, const char *key, char **out, char *field, size_t flen,
		   const char *path, cerr *err)
{
	yajl_val v = json_get(obj, key);
	if (absent(v))
		return 0;
	if (!YAJL_IS_STRING(v)) {
		cerr_set(err, EINVAL, "must be a string, not %s", json_type_name(v));
		return BAD("%s.%s", path, key);
	}
	if (!(*out = strdup(v->u.string)))
		return cerr_set(err, ENOMEM, "out of memory");
	return 0;
}

static int get_strv(yajl_val obj, const char *key, char ***out, bool env, char *field,
		    size_t flen, cerr *err)
{
	yajl_val v = json_get(obj, key);
	if (absent(v))
		return 0;
	if (!YAJL_IS_ARRAY(v)) {
		cerr_set(err, EINVAL, "must be an array of strings, not %s", json_type_name(v));
		return BAD("spec.%s", key);
	}
	char **list = calloc(v->u.array.len + 1, sizeof(char *));
	if (!list)
		return cerr_set(err, ENOMEM, "out of memory");
	*out = list;
	for (size_t i = 0; i < v->u.array.len; i++) {
		yajl_val e = v->u.array.values[i];
		if (!YAJL_IS_STRING(e)) {
			cerr_set(err, EINVAL, "must be a string, not %s", json_type_name(e));
			return BAD("spec.%s[%zu]", key, i);
		}
		if (env && (!strchr(e->u.string, '=') || e->u.string[0] == '=')) {
			cerr_set(err, EINVAL, "must be KEY=VALUE");
			return BAD("spec.%s[%zu]", key, i);
		}
		if (!(list[i] = strdup(e->u.string)))
			return cerr_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

static int get_mounts(yajl_val spec, ctr_spec *s, char *field, size_t flen, cerr *err)
{
	yajl_val v = json_get(spec, "mounts");
	if (absent(v))
		return 0;
	if (!YAJL_IS_ARRAY(v)) {
		cerr_set(err, EINVAL, "must be an array of mounts, not %s", json_type_name(v));
		return BAD("spec.mounts");
	}
	if (!(s->mounts = calloc(v->u.array.len + 1, sizeof(*s->mounts))))
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < v->u.array.len; i++) {
		yajl_val m = v->u.array.values[i];
		char path[48];
		snprintf(path, sizeof(path), "spec.mounts[%zu]", i);
		if (!YAJL_IS_OBJECT(m)) {
			cerr_set(err, EINVAL, "must be an object, not %s", json_type_name(m));
			return BAD("%s", path);
		}
		ctr_mount *cm = &s->mounts[s->n_mounts++];
		int r = get_str(m, "source", &cm->source, field, flen, path, err);
		if (!r)
			r = get_str(m, "destination", &cm->destination, field, flen, path, err);
		if (r)
			return r;
		if (!cm->source || cm->source[0] != '/') {
			cerr_set(err, EINVAL, "must be an absolute path");
			return BAD("%s.source", path);
		}
		if (!cm->destination || cm->destination[0] != '/' || strstr(cm->destination, "/../") ||
		    (strlen(cm->destination) >= 3 && !strcmp(cm->destination + strlen(cm->destination) - 3, "/.."))) {
			cerr_set(err, EINVAL, "must be an absolute path without ..");
			return BAD("%s.destination", path);
		}
		yajl_val ro = json_get(m, "readonly");
		if (!absent(ro) && !YAJL_IS_TRUE(ro) && !YAJL_IS_FALSE(ro)) {
			cerr_set(err, EINVAL, "must be a boolean");
			return BAD("%s.readonly", path);
		}
		cm->readonly = YAJL_IS_TRUE(ro);
	}
	return 0;
}

static int get_resources(yajl_val spec, ctr_spec *s, char *field, size_t flen, cerr *err)
{
	s->memory = -1;
	s->pids = -1;
	yajl_val v = json_get(spec, "resources");
	if (absent(v))
		return 0;
	if (!YAJL_IS_OBJECT(v)) {
		cerr_set(err, EINVAL, "must be an object, not %s", json_type_name(v));
		return BAD("spec.resources");
	}
	yajl_val m = json_get(v, "memory"), c = json_get(v, "cpus"), p = json_get(v, "pids");
	long long x;
	if (!absent(m)) {
		if (!json_int_in(m, 4 << 20, (long long)1 << 50, &x)) {
			cerr_set(err, EINVAL, "must be an integer number of bytes, at least 4 MiB");
			return BAD("spec.resources.memory");
		}
		s->memory = x;
	}
	if (!absent(p)) {
		if (!json_int_in(p, 1, 4194304, &x)) {
			cerr_set(err, EINVAL, "must be an integer from 1 to 4194304");
			return BAD("spec.resources.pids");
		}
		s->pids = x;
	}
	if (!absent(c)) {
		if (!YAJL_IS_NUMBER(c) || YAJL_GET_DOUBLE(c) < 0.01 || YAJL_GET_DOUBLE(c) > 1024) {
			cerr_set(err, EINVAL, "must be a number of CPUs from 0.01 to 1024");
			return BAD("spec.resources.cpus");
		}
		s->cpus = YAJL_GET_DOUBLE(c);
	}
	return 0;
}

static int get_labels(yajl_val spec, ctr_spec *s, char *field, size_t flen, cerr *err)
{
	yajl_val v = json_get(spec, "labels");
	if (absent(v))
		return 0;
	if (!YAJL_IS_OBJECT(v)) {
		cerr_set(err, EINVAL, "must be an object of strings, not %s", json_type_name(v));
		return BAD("spec.labels");
	}
	if (!(s->labels = calloc(2 * v->u.object.len + 1, sizeof(char *))))
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < v->u.object.len; i++) {
		yajl_val e = v->u.object.values[i];
		if (!YAJL_IS_STRING(e) || !v->u.object.keys[i][0]) {
			cerr_set(err, EINVAL, "must be a string with a non-empty key");
			return BAD("spec.labels.%s", v->u.object.keys[i]);
		}
		if (!(s->labels[2 * i] = strdup(v->u.object.keys[i])) ||
		    !(s->labels[2 * i + 1] = strdup(e->u.string)))
			return cerr_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

static const char *const spec_fields[] = {
	"image", "name", "command", "env", "workdir", "user", "mounts", "resources", "restart",
	"network", "labels", "tty", "stopSignal", "stopTimeout", "capAdd", "capDrop", NULL,
};

int ctr_spec_parse(yajl_val v, const char *default_restart, unsigned default_stop_timeout,
		   ctr_spec *s, char *field, size_t flen, cerr *err)
{
	/* before any goto: the cleanups run on every path out */
	_cleanup_free_ char *restart = NULL, *net = NULL, *sig = NULL;
	_cleanup_strv_ char **cap_add = NULL, **cap_drop = NULL;
	memset(s, 0, sizeof(*s));
	s->stop_signal = SIGTERM;
	s->stop_timeout = default_stop_timeout;
	int r;
	if (!YAJL_IS_OBJECT(v)) {
		cerr_set(err, EINVAL, "must be an object, not %s", json_type_name(v));
		r = BAD("spec");
		goto fail;
	}
	for (size_t i = 0; i < v->u.object.len; i++) {
		bool ok = false;
		for (const char *const *f = spec_fields; *f && !ok; f++)
			ok = streq(*f, v->u.object.keys[i]);
		if (!ok) {
			cerr_set(err, EINVAL, "unknown field");
			r = BAD("spec.%s", v->u.object.keys[i]);
			goto fail;
		}
	}
	if ((r = get_str(v, "image", &s->image, field, flen, "spec", err)) ||
	    (r = get_str(v, "name", &s->name, field, flen, "spec", err)) ||
	    (r = get_str(v, "workdir", &s->workdir, field, flen, "spec", err)) ||
	    (r = get_str(v, "user", &s->user, field, flen, "spec", err)) ||
	    (r = get_strv(v, "command", &s->command, false, field, flen, err)) ||
	    (r = get_strv(v, "env", &s->env, true, field, flen, err)) ||
	    (r = get_mounts(v, s, field, flen, err)) || (r = get_resources(v, s, field, flen, err)) ||
	    (r = get_labels(v, s, field, flen, err)))
		goto fail;
	if (!s->image || !s->image[0]) {
		cerr_set(err, EINVAL, "required");
		r = BAD("spec.image");
		goto fail;
	}
	if (s->name && !ctr_name_valid(s->name)) {
		cerr_set(err, EINVAL, "must be 1-%d letters, digits, '_', '.' or '-', starting with a letter or digit", CTR_NAME_MAX);
		r = BAD("spec.name");
		goto fail;
	}
	if (s->command && !s->command[0]) {
		cerr_set(err, EINVAL, "must not be empty");
		r = BAD("spec.command");
		goto fail;
	}
	if ((r = get_strv(v, "capAdd", &cap_add, false, field, flen, err)) ||
	    (r = get_strv(v, "capDrop", &cap_drop, false, field, flen, err)))
		goto fail;
	if (caps_compose(cap_add, cap_drop, &s->caps, err) < 0) {
		r = BAD("spec.%s", strncmp(cerr_msg(err), "capAdd", 6) ? "capDrop" : "capAdd");
		goto fail;
	}
	if (s->workdir && !path_is_clean_absolute(s->workdir)) {
		cerr_set(err, EINVAL, "must be an absolute path without \".\" or \"..\"");
		r = BAD("spec.workdir");
		goto fail;
	}
	if ((r = get_str(v, "restart", &restart, field, flen, "spec", err)) ||
	    (r = get_str(v, "network", &net, field, flen, "spec", err)) ||
	    (r = get_str(v, "stopSignal", &sig, field, flen, "spec", err)))
		goto fail;
	if (restart_policy_parse(restart ? restart : default_restart, &s->restart, err) < 0) {
		r = BAD("spec.restart");
		goto fail;
	}
	if (net && !streq(net, "none") && !streq(net, "loopback")) {
		cerr_set(err, EINVAL, "must be none or loopback");
		r = BAD("spec.network");
		goto fail;
	}
	s->network = net && streq(net, "loopback") ? CTR_NET_LOOPBACK : CTR_NET_NONE;
	if (sig && (s->stop_signal = ctr_parse_signal(sig)) < 0) {
		cerr_set(err, EINVAL, "must be a signal name like SIGTERM, or a number");
		r = BAD("spec.stopSignal");
		goto fail;
	}
	yajl_val tty = json_get(v, "tty"), st = json_get(v, "stopTimeout");
	if (!absent(tty) && !YAJL_IS_TRUE(tty) && !YAJL_IS_FALSE(tty)) {
		cerr_set(err, EINVAL, "must be a boolean");
		r = BAD("spec.tty");
		goto fail;
	}
	s->tty = YAJL_IS_TRUE(tty);
	long long t;
	if (!absent(st)) {
		if (!json_int_in(st, 0, 86400, &t)) {
			cerr_set(err, EINVAL, "must be an integer number of seconds from 0 to 86400");
			r = BAD("spec.stopTimeout");
			goto fail;
		}
		s->stop_timeout = (unsigned)t;
	}
	return 0;
fail:
	ctr_spec_release(s);
	return r < 0 ? r : -EINVAL;
}
