/* The bundle's share of a node agent's confinement (spec/ctr_spec.h,
 * ctr_spec_confine.c): masked and read-only paths, a seccomp profile of
 * the host's, host devices and their device cgroup rules. */
#include "supervisor/daemon/containers/engine/ctr_bundle_confine.h"
#include "supervisor/daemon/containers/engine/ctr_privileged.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/json_build.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define PROFILE_MAX (1u << 20)

bool bundle_confine_replaces(const ctr_spec *s, const char *linux_key)
{
	return (s->masked_given && streq(linux_key, "maskedPaths")) ||
	       (s->readonly_given && streq(linux_key, "readonlyPaths")) ||
	       (s->seccomp_profile && streq(linux_key, "seccomp")) || (s->n_devices && streq(linux_key, "devices"));
}

/* Docker's profile (architectures from archMap, syscalls with "name" or
 * "names") or the OCI's, as linux.seccomp. Conditional entries (includes,
 * excludes) are Docker's own defaults' business: refused here. */
static int gen_profile(yajl_gen g, const char *path, cerr *err)
{
	_cleanup_json_ yajl_val p = NULL;
	if (json_parse_file_at(AT_FDCWD, path, PROFILE_MAX, &p, err) < 0)
		return -1;
	yajl_val act = json_get(p, "defaultAction"), sys = json_get(p, "syscalls");
	if (!YAJL_IS_STRING(act))
		return cerr_set(err, EINVAL, "%s: no defaultAction", path);
	jg_key(g, "seccomp");
	yajl_gen_map_open(g);
	jg_key_str(g, "defaultAction", act->u.string);
	yajl_val ret = json_get(p, "defaultErrnoRet");
	if (ret && YAJL_IS_INTEGER(ret))
		jg_key_int(g, "defaultErrnoRet", YAJL_GET_INTEGER(ret));
	jg_key(g, "architectures");
	yajl_gen_array_open(g);
	yajl_val arches = json_get(p, "architectures"), map = json_get(p, "archMap");
	for (size_t i = 0; YAJL_IS_ARRAY(arches) && i < arches->u.array.len; i++)
		jg_value(g, arches->u.array.values[i]);
	for (size_t i = 0; YAJL_IS_ARRAY(map) && i < map->u.array.len; i++) {
		yajl_val a = json_get(map->u.array.values[i], "architecture"), subs = json_get(map->u.array.values[i], "subArchitectures");
		if (YAJL_IS_STRING(a))
			jg_str(g, a->u.string);
		for (size_t j = 0; YAJL_IS_ARRAY(subs) && j < subs->u.array.len; j++)
			jg_value(g, subs->u.array.values[j]);
	}
	yajl_gen_array_close(g);
	jg_key(g, "syscalls");
	yajl_gen_array_open(g);
	for (size_t i = 0; YAJL_IS_ARRAY(sys) && i < sys->u.array.len; i++) {
		yajl_val e = sys->u.array.values[i];
		yajl_val inc = json_get(e, "includes"), exc = json_get(e, "excludes");
		if ((YAJL_IS_OBJECT(inc) && inc->u.object.len) || (YAJL_IS_OBJECT(exc) && exc->u.object.len))
			return cerr_set(err, EINVAL, "%s: syscalls[%zu]: conditional entries (includes, excludes) are not taken", path, i);
		yajl_val names = json_get(e, "names"), name = json_get(e, "name"), a = json_get(e, "action");
		if (!YAJL_IS_STRING(a) || (!YAJL_IS_ARRAY(names) && !YAJL_IS_STRING(name)))
			return cerr_set(err, EINVAL, "%s: syscalls[%zu]: names and an action are needed", path, i);
		yajl_gen_map_open(g);
		jg_key(g, "names");
		if (YAJL_IS_ARRAY(names)) {
			jg_value(g, names);
		} else {
			yajl_gen_array_open(g);
			jg_str(g, name->u.string);
			yajl_gen_array_close(g);
		}
		jg_key_str(g, "action", a->u.string);
		static const char *const pass[] = { "errnoRet", "args" };
		for (size_t k = 0; k < 2; k++)
			if (json_get(e, pass[k]) && !YAJL_IS_NULL(json_get(e, pass[k])))
				jg_key(g, pass[k]), jg_value(g, json_get(e, pass[k]));
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return 0;
}

int bundle_gen_linux_confine(yajl_gen g, const ctr_spec *s, const char **field, cerr *err)
{
	if (s->masked_given)
		jg_key_strv(g, "maskedPaths", s->masked_paths);
	if (s->readonly_given)
		jg_key_strv(g, "readonlyPaths", s->readonly_paths);
	if (s->seccomp_profile && !streq(s->seccomp_profile, "unconfined") && gen_profile(g, s->seccomp_profile, err) < 0)
		return *field = "spec.seccompProfile", -1;
	if (!s->n_devices)
		return 0;
	jg_key(g, "devices");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < s->n_devices; i++) {
		struct stat st;
		const ctr_device *dv = &s->devices[i];
		if (stat(dv->host_path, &st) < 0 || !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) {
			*field = "spec.devices";
			return cerr_set(err, errno ? errno : ENODEV, "%s: not a device node", dv->host_path);
		}
		ctr_gen_device_node(g, dv->container_path ? dv->container_path : dv->host_path, &st);
	}
	yajl_gen_array_close(g);
	return 0;
}

void bundle_gen_device_rules(yajl_gen g, const ctr_spec *s)
{
	if (!s->n_devices)
		return;
	jg_key(g, "devices");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < s->n_devices; i++) {
		struct stat st;
		if (stat(s->devices[i].host_path, &st) < 0)
			continue; /* bundle_gen_linux_confine refused it */
		jg_object(g, JG_BOOL("allow", true), JG_STR("type", S_ISCHR(st.st_mode) ? "c" : "b"),
			     JG_INT("major", major(st.st_rdev)), JG_INT("minor", minor(st.st_rdev)),
			     JG_STR("access", s->devices[i].permissions ? s->devices[i].permissions : "rwm"), JG_END);
	}
	yajl_gen_array_close(g);
}
