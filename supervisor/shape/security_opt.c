/* security_opt.h: as dockerd and podman parse them. corral-docker and
 * corralctl only translate: what of them is root's alone corrald refuses,
 * naming the field. */
#include "supervisor/shape/security_opt.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *const label_keys[] = { "user", "role", "type", "level" };

/* label=disable, or label=user:X (role, type, level), into parts: 0, or -1 */
static int label_part(const char *parts[4], const char *v)
{
	if (!strcmp(v, "disable")) { /* unconfined, as podman runs it */
		parts[2] = "spc_t";
		return 0;
	}
	const char *colon = strchr(v, ':');
	for (size_t i = 0; colon && colon[1] && i < ARRAY_SIZE(label_keys); i++)
		if (strlen(label_keys[i]) == (size_t)(colon - v) && !strncmp(v, label_keys[i], (size_t)(colon - v))) {
			parts[i] = colon + 1;
			return 0;
		}
	return -1;
}

static void gen_label(yajl_gen g, const char *const parts[4])
{
	bool any = false;
	for (size_t i = 0; i < ARRAY_SIZE(label_keys); i++) {
		if (!parts[i])
			continue;
		if (!any)
			jg_key(g, "selinuxOptions"), yajl_gen_map_open(g);
		any = true;
		jg_key_str(g, label_keys[i], parts[i]);
	}
	if (any)
		yajl_gen_map_close(g);
}

static void gen_empty(yajl_gen g, const char *key)
{
	jg_key(g, key);
	yajl_gen_array_open(g);
	yajl_gen_array_close(g);
}

/* value's option key: the part before '=' (or the old ':') */
static bool key_is(const char *opt, const char *sep, const char *key)
{
	return strlen(key) == (size_t)(sep - opt) && !strncmp(opt, key, strlen(key));
}

/* One option into g, its label's parts kept in parts for the end: NULL,
 * or why it is wrong */
static const char *one(yajl_gen g, const char *opt, const char *parts[4])
{
	const char *sep = strchr(opt, '=') ? strchr(opt, '=') : strchr(opt, ':');
	const char *v = sep ? sep + 1 : "";
	if (streq(opt, "no-new-privileges")) {
		jg_key_bool(g, "noNewPrivileges", true);
	} else if (!sep) {
		return "not KEY=VALUE";
	} else if (key_is(opt, sep, "no-new-privileges")) {
		if (!streq(v, "true") && !streq(v, "false"))
			return "must be true or false";
		jg_key_bool(g, "noNewPrivileges", streq(v, "true"));
	} else if (key_is(opt, sep, "apparmor") || key_is(opt, sep, "seccomp")) {
		if (!*v)
			return "names no profile";
		if (*v == '{') /* the docker CLI sends a seccomp profile's file as its JSON */
			return "a profile's JSON is not supported by corral: give the path of its file on the host";
		jg_key_str(g, key_is(opt, sep, "seccomp") ? "seccompProfile" : "apparmorProfile", v);
	} else if (key_is(opt, sep, "label")) {
		if (label_part(parts, v) < 0)
			return "must be label=disable, or label=user:, role:, type: or level:";
	} else if (key_is(opt, sep, "systempaths") && streq(v, "unconfined")) {
		gen_empty(g, "maskedPaths");
		gen_empty(g, "readonlyPaths");
	} else {
		return "unknown option (known: no-new-privileges, apparmor=, seccomp=, label=, systempaths=unconfined)";
	}
	return NULL;
}

int security_opts_gen(yajl_gen g, const char *const *opts, size_t n, char *why, size_t why_n)
{
	const char *parts[4] = { 0 };
	for (size_t i = 0; i < n; i++) {
		const char *bad = one(g, opts[i], parts);
		if (bad) {
			snprintf(why, why_n, "invalid --security-opt %s: %s", opts[i], bad);
			return -1;
		}
	}
	gen_label(g, parts);
	return 0;
}
