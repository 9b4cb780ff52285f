#include "supervisor/daemon/spec/ctr_spec.h"
#include "supervisor/daemon/spec/ctr_spec_confine.h"
#include "supervisor/daemon/spec/ctr_spec_node.h"
#include "supervisor/daemon/spec/ctr_spec_limits.h"
#include "supervisor/daemon/spec/ctr_resources.h"
#include "supervisor/daemon/spec/ctr_spec_net.h"
#include "supervisor/daemon/spec/ctr_spec_mounts.h"
#include "supervisor/daemon/spec/spec_secrets.h"
#include "supervisor/daemon/spec/names.h"
#include "supervisor/daemon/spec/healthcheck.h"
#include "common/cleanup.h"
#include "common/safepath.h"
#include "bundle/caps.h"
#include "common/json.h"
#include "common/json_get.h"
#include "common/strv.h"
#include "common/signals.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ctr_spec_image_stop_signal(ctr_spec *s, const char *image_signal)
{
	if (s->stop_signal_given || !image_signal || !*image_signal)
		return 0;
	int sig = signal_parse(image_signal);
	if (sig < 0)
		return sig;
	s->stop_signal = sig;
	return 0;
}

void ctr_spec_release(ctr_spec *s)
{
	free(s->image);
	free(s->name);
	strv_free(s->command);
	strv_free(s->env);
	free(s->workdir);
	free(s->user);
	ctr_spec_release_mounts(s);
	ctr_spec_release_network(s);
	secrets_spec_release(s);
	strv_free(s->entrypoint);
	free(s->hostname);
	free(s->domainname);
	free(s->apparmor);
	free(s->session);
	names_spec_release(s);
	strv_free(s->labels);
	health_check_free(s->healthcheck);
	ctr_spec_release_node(s);
	ctr_spec_release_confine(s);
	ctr_spec_release_limits(s);
	ctr_spec_release_resources(s);
	memset(s, 0, sizeof(*s));
}

/* A cerr from a parser of one field's value, as that field's fault. */
static int fault_of(cerr *err, const char *field, json_fault *f)
{
	int r = json_fault_set(f, err->code, field, "%s", cerr_msg(err));
	cerr_clear(err);
	return r;
}

static int get_strv(yajl_val cspec_json, const char *key, char ***out, json_fault *f)
{
	char p[JSON_PATH_MAX];
	int r = ctr_spec_want(json_key(cspec_json, key), yajl_t_array, json_path(p, "spec", key), "an array of strings", f);
	return r < 0 ? r : json_get_strv(cspec_json, "spec", key, 0, out, NULL, f);
}

static int get_env(yajl_val cspec_json, char ***env, json_fault *f)
{
	int r = get_strv(cspec_json, "env", env, f);
	for (size_t i = 0; r == 0 && *env && (*env)[i]; i++)
		if ((*env)[i][0] == '=' || !(*env)[i][0]) { /* KEY alone unsets KEY, as Docker's */
			char p[JSON_PATH_MAX];
			return json_fault_set(f, EINVAL, json_path_idx(p, "spec.env", i), "must be KEY=VALUE, or KEY to unset it");
		}
	return r;
}

static int get_resources(yajl_val cspec_json, ctr_spec *s, json_fault *f)
{
	yajl_val v;
	s->memory = -1; /* no limit, unless given */
	s->pids = -1;
	int r = json_get_object(cspec_json, "spec", "resources", 0, &v, f);
	if (r < 0 || !v || (r = ctr_spec_parse_resources(v, "spec.resources", s, f)) < 0)
		return r;
	return ctr_spec_check_memory(s, "spec.resources", f);
}

static int get_labels(yajl_val cspec_json, ctr_spec *s, json_fault *f)
{
	yajl_val v = json_key(cspec_json, "labels");
	int r = ctr_spec_want(v, yajl_t_object, "spec.labels", "an object of strings", f);
	if (r < 0 || !v)
		return r;
	if (!(s->labels = calloc(2 * v->u.object.len + 1, sizeof(char *))))
		return json_fault_oom(f);
	for (size_t i = 0; i < v->u.object.len; i++) {
		const char *k = v->u.object.keys[i];
		yajl_val e = v->u.object.values[i];
		char p[JSON_PATH_MAX];
		if (!YAJL_IS_STRING(e) || !k[0])
			return json_fault_set(f, EINVAL, json_path(p, "spec.labels", k),
					      "must be a string with a non-empty key");
		if ((r = json_name_check(k, JSON_NAME_MAX, JSON_KEY, "spec.labels", f)) < 0)
			return r;
		if (!(s->labels[2 * i] = strdup(k)) || !(s->labels[2 * i + 1] = strdup(e->u.string)))
			return json_fault_oom(f);
	}
	return 0;
}

static const char *const spec_fields[] = {
	"image", "name", "command", "entrypoint", "env", "workdir", "user", "mounts", "tmpfs", "resources",
	"restart", "network", "ipAddress", "macAddress", "ports", "labels", "tty", "consoleSize", "interactive", "stdinOnce", "stopSignal", "stopTimeout", "capAdd", "capDrop",
	"capAmbient", "hostname", "domainname", "readOnly", "noReadOnlyTmpfs", "init", "privileged", "autoRemove", "secrets", "dns", "dnsSearch", "dnsOptions", "extraHosts", "networkAliases", "session",
	"healthcheck", "noHealthcheck", "userns", "usernsIds", "apparmorProfile", "logPath", "cgroupParent", "sysctls",
	"groups", "groupNames", "noNewPrivileges", "maskedPaths", "readonlyPaths", "seccompProfile", "devices",
	"pidNamespace", "ipcNamespace", "utsNamespace", "cgroupNamespace", "selinuxOptions", "ulimits", "shmSize",
	"logMaxSize", "logMaxFiles", NULL,
};

/* The booleans of a ContainerSpec, each false unless given. */
static int get_flags(yajl_val v, ctr_spec *s, json_fault *f)
{
	const struct { const char *key; bool *out; } flags[] = {
		{ "tty", &s->tty }, { "interactive", &s->interactive }, { "stdinOnce", &s->stdin_once },
		{ "readOnly", &s->read_only }, { "noReadOnlyTmpfs", &s->no_read_only_tmpfs },
		{ "init", &s->init }, { "privileged", &s->privileged }, { "autoRemove", &s->auto_remove },
		{ "noHealthcheck", &s->no_healthcheck },
	};
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		if (json_get_bool(v, "spec", flags[i].key, 0, flags[i].out, NULL, f) < 0)
			return json_fault_reword(f, "must be a boolean");
	return 0;
}

/* spec.consoleSize: its terminal's first rows and columns, as the client's
 * terminal has them, so that it is right from the process's first
 * instruction (a resize after the start comes after it looked) */
static int get_console_size(yajl_val v, ctr_spec *s, json_fault *f)
{
	yajl_val cs;
	long long h = 0, w = 0;
	int r = json_get_object(v, "spec", "consoleSize", 0, &cs, f);
	if (r < 0 || !cs)
		return r;
	if ((r = json_get_int_in(cs, "spec.consoleSize", "height", JSON_REQUIRED, 1, 65535, &h, NULL, f)) < 0 ||
	    (r = json_get_int_in(cs, "spec.consoleSize", "width", JSON_REQUIRED, 1, 65535, &w, NULL, f)) < 0)
		return r;
	s->console_rows = (unsigned)h;
	s->console_cols = (unsigned)w;
	return 0;
}

/* What ContainerSpec says of the container's process and name. */
static int parse_process(yajl_val v, ctr_spec *s, json_fault *f)
{
	int r;
	if ((r = json_dup_str(v, "spec", "image", JSON_REF, &s->image, f)) < 0 ||
	    (r = json_dup_str(v, "spec", "name", JSON_NAME, &s->name, f)) < 0 ||
	    (r = json_dup_str(v, "spec", "workdir", 0, &s->workdir, f)) < 0 ||
	    (r = json_dup_str(v, "spec", "user", JSON_NAME, &s->user, f)) < 0 ||
	    (r = json_dup_str(v, "spec", "hostname", JSON_NAME, &s->hostname, f)) < 0 ||
	    (r = json_dup_str(v, "spec", "domainname", JSON_NAME, &s->domainname, f)) < 0 ||
	    (r = json_dup_str(v, "spec", "session", JSON_NAME, &s->session, f)) < 0 ||
	    (r = json_dup_str(v, "spec", "apparmorProfile", JSON_NAME, &s->apparmor, f)) < 0 ||
	    (r = get_strv(v, "command", &s->command, f)) < 0 || (r = get_strv(v, "entrypoint", &s->entrypoint, f)) < 0 ||
	    (r = get_env(v, &s->env, f)) < 0 || (r = ctr_spec_parse_mounts(v, s, f)) < 0 ||
	    (r = get_resources(v, s, f)) < 0 || (r = get_labels(v, s, f)) < 0 || (r = secrets_spec_parse(v, s, f)) < 0 ||
	    (r = names_spec_parse(v, s, f)) < 0 || (r = ctr_spec_parse_node(v, s, f)) < 0 ||
	    (r = ctr_spec_parse_confine(v, s, f)) < 0 || (r = ctr_spec_parse_limits(v, s, f)) < 0)
		return r;
	if (!s->image || !s->image[0])
		return json_fault_set(f, EINVAL, "spec.image", "required");
	if (s->name && !ctr_name_valid(s->name))
		return json_fault_set(f, EINVAL, "spec.name",
				      "must be 1-%d letters, digits, '_', '.' or '-', starting with a letter or digit",
				      CTR_NAME_MAX);
	if (s->command && !s->command[0])
		return json_fault_set(f, EINVAL, "spec.command", "must not be empty");
	const char *names[] = { s->hostname, s->domainname }, *fields[] = { "spec.hostname", "spec.domainname" };
	for (size_t i = 0; i < 2; i++)
		if (names[i] && !ctr_hostname_valid(names[i]))
			return json_fault_set(f, EINVAL, fields[i], "must be 1-%d letters, digits, '-' and '.', as RFC 1123 says",
					      CTR_HOSTNAME_MAX);
	_cleanup_free_ char *userns = NULL;
	if ((r = json_dup_str(v, "spec", "userns", 0, &userns, f)) < 0)
		return r;
	if (userns && !streq(userns, "auto") && !streq(userns, "host"))
		return json_fault_set(f, EINVAL, "spec.userns", "\"%s\": must be auto or host", userns);
	s->userns_auto = userns && streq(userns, "auto");
	s->userns_host = userns && streq(userns, "host");
	yajl_val ids;
	if ((r = json_get_object(v, "spec", "usernsIds", 0, &ids, f)) < 0 || !ids)
		return r;
	long long uid, gid, size;
	/* never the host's root: ids from 1, and within 32 bits */
	if ((r = json_get_int_in(ids, "spec.usernsIds", "uid", JSON_REQUIRED, 1, UINT32_MAX - 1, &uid, NULL, f)) < 0 ||
	    (r = json_get_int_in(ids, "spec.usernsIds", "gid", JSON_REQUIRED, 1, UINT32_MAX - 1, &gid, NULL, f)) < 0 ||
	    (r = json_get_int_in(ids, "spec.usernsIds", "size", JSON_REQUIRED, 2, 1ll << 31, &size, NULL, f)) < 0)
		return r;
	if (uid + size > UINT32_MAX || gid + size > UINT32_MAX)
		return json_fault_set(f, EINVAL, "spec.usernsIds.size", "the ids go past 2^32 - 1");
	if (s->userns_auto || s->userns_host)
		return json_fault_set(f, EINVAL, "spec.usernsIds", "excludes spec.userns");
	s->userns_ids = (struct ctr_userns_ids){ (uint32_t)uid, (uint32_t)gid, (uint32_t)size };
	return 0;
}

/* spec.capAmbient: raised for a process of any uid, so each must be one
 * the container has (its bounding set: capAdd's, or all when privileged) */
static int get_ambient(yajl_val v, ctr_spec *s, json_fault *f)
{
	_cleanup_strv_ char **names = NULL;
	int r = get_strv(v, "capAmbient", &names, f);
	for (size_t i = 0; r == 0 && names && names[i]; i++) {
		char p[JSON_PATH_MAX];
		int cap = caps_parse_name(names[i]);
		if (cap < 0)
			return json_fault_set(f, EINVAL, json_path_idx(p, "spec.capAmbient", i), "\"%s\": no such capability",
					      names[i]);
		if (!s->privileged && !(s->caps & (1ull << cap)))
			return json_fault_set(f, EINVAL, json_path_idx(p, "spec.capAmbient", i),
					      "%s is not one of the container's (capAdd it)", names[i]);
		s->caps_ambient |= 1ull << cap;
	}
	return r;
}

/* What ContainerSpec says of the container's confinement and its end. */
static int parse_policy(yajl_val v, const char *default_restart, ctr_spec *s, json_fault *f)
{
	_cleanup_strv_ char **cap_add = NULL, **cap_drop = NULL;
	cerr err = { 0 };
	int r;
	if ((r = get_strv(v, "capAdd", &cap_add, f)) < 0 || (r = get_strv(v, "capDrop", &cap_drop, f)) < 0)
		return r;
	if (caps_compose(cap_add, cap_drop, &s->caps, &err) < 0)
		return fault_of(&err, strncmp(cerr_msg(&err), "capAdd", 6) ? "spec.capDrop" : "spec.capAdd", f);
	if (s->workdir && !path_is_clean_absolute(s->workdir))
		return json_fault_set(f, EINVAL, "spec.workdir", "must be an absolute path without \".\" or \"..\"");
	if ((r = get_flags(v, s, f)) < 0 || (r = get_ambient(v, s, f)) < 0 || (r = get_console_size(v, s, f)) < 0)
		return r;
	yajl_val hc = json_key(v, "healthcheck");
	if (hc && !YAJL_IS_NULL(hc) && (r = health_check_parse(hc, "spec.healthcheck", &s->healthcheck, f)) < 0)
		return r;
	if (s->healthcheck && s->no_healthcheck)
		return json_fault_set(f, EINVAL, "spec.noHealthcheck", "excludes spec.healthcheck");
	const char *restart, *sig;
	if ((r = json_get_str(v, "spec", "restart", 0, &restart, f)) < 0 || (r = ctr_spec_parse_network(v, s, f)) < 0 ||
	    (r = json_get_str(v, "spec", "stopSignal", 0, &sig, f)) < 0)
		return r;
	if (restart_policy_parse(restart ? restart : default_restart, &s->restart, &err) < 0)
		return fault_of(&err, "spec.restart", f);
	/* as podman: --rm and a restart policy exclude each other; the
	 * daemon's default policy yields to autoRemove */
	if (s->auto_remove && restart && s->restart.kind != RESTART_NO)
		return json_fault_set(f, EINVAL, "spec.autoRemove", "excludes a restart policy other than no");
	if (s->auto_remove)
		s->restart = (restart_policy){ .kind = RESTART_NO };
	s->stop_signal_given = sig != NULL;
	if (sig && (s->stop_signal = signal_parse(sig)) < 0)
		return json_fault_set(f, EINVAL, "spec.stopSignal", "must be a signal name like SIGTERM, or a number");

	long long t;
	bool given;
	if (json_get_int_in(v, "spec", "stopTimeout", 0, 0, 86400, &t, &given, f) < 0)
		return json_fault_reword(f, "must be an integer number of seconds from 0 to 86400");
	if (given)
		s->stop_timeout = (unsigned)t;
	return 0;
}

int ctr_spec_parse(yajl_val v, const char *default_restart, unsigned default_stop_timeout, ctr_spec *s,
		   json_fault *f)
{
	memset(s, 0, sizeof(*s));
	s->stop_signal = SIGTERM;
	s->stop_timeout = default_stop_timeout;
	int r = json_want(v, yajl_t_object, "spec", f);
	if (r == 0)
		r = json_check_keys(v, "spec", spec_fields, "unknown field", f);
	if (r == 0)
		r = parse_process(v, s, f);
	if (r == 0)
		r = parse_policy(v, default_restart, s, f);
	if (r < 0)
		ctr_spec_release(s);
	return r;
}
