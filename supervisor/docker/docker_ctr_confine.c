/* POST /containers/create's HostConfig fields of confinement, limits and
 * namespaces, as ContainerSpec's: docker run's --security-opt, --device,
 * --group-add, --sysctl, --pid, --ipc, --ulimit, --shm-size, and the
 * json-file log's --log-opt max-size and max-file.
 * corral-docker only translates: what of them is root's alone, or a
 * sysctl a member may not set, corrald refuses, naming the field. */
#include "supervisor/docker/docker_ctr_confine.h"
#include "supervisor/docker/docker_answer.h"
#include "supervisor/shape/words.h"
#include "supervisor/shape/security_opt.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --security-opt, as security_opt.c parses it for corralctl too */
static int gen_security_opts(dk_req *r, yajl_gen g, yajl_val opts)
{
	size_t n = YAJL_IS_ARRAY(opts) ? opts->u.array.len : 0;
	_cleanup_free_ const char **list = calloc(n + 1, sizeof(*list));
	if (!list) {
		dk_error(r, 500, "out of memory");
		return -1;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (YAJL_IS_STRING(opts->u.array.values[i]))
			list[k++] = opts->u.array.values[i]->u.string;
	char why[512];
	if (security_opts_gen(g, list, k, why, sizeof(why)) < 0) {
		dk_error(r, 400, "%s", why);
		return -1;
	}
	return 0;
}

/* --device: {PathOnHost, PathInContainer, CgroupPermissions} each */
static void gen_devices(yajl_gen g, yajl_val devs)
{
	if (!YAJL_IS_ARRAY(devs) || !devs->u.array.len)
		return;
	jg_key(g, "devices");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < devs->u.array.len; i++) {
		yajl_val d = devs->u.array.values[i];
		const char *in = dk_str(d, "PathInContainer"), *perms = dk_str(d, "CgroupPermissions");
		yajl_gen_map_open(g);
		jg_key_str(g, "hostPath", dk_str(d, "PathOnHost"));
		if (*in)
			jg_key_str(g, "containerPath", in);
		if (*perms)
			jg_key_str(g, "permissions", perms);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

/* The --group-add entries that are ids (groups), or names (groupNames,
 * the image's /etc/group's) */
static void gen_groups(yajl_gen g, yajl_val groups, bool names)
{
	bool any = false;
	for (size_t i = 0; YAJL_IS_ARRAY(groups) && i < groups->u.array.len; i++) {
		const char *s = YAJL_GET_STRING(groups->u.array.values[i]);
		char *end = NULL;
		long long id = s && *s ? strtoll(s, &end, 10) : -1;
		bool is_id = end && !*end && id >= 0;
		if (!s || is_id == names)
			continue;
		if (!any)
			jg_key(g, names ? "groupNames" : "groups"), yajl_gen_array_open(g);
		any = true;
		if (names)
			jg_str(g, s);
		else
			yajl_gen_integer(g, id);
	}
	if (any)
		yajl_gen_array_close(g);
}

/* --pid, --ipc, --uts and --cgroupns: host, or (PID) another
 * container's; "private" and "shareable" are a namespace of its own, as
 * without them */
static int gen_namespace(dk_req *r, yajl_gen g, const char *key, const char *what, const char *mode, bool container_ok)
{
	if (!*mode || streq(mode, "private") || streq(mode, "shareable"))
		return 0;
	if (streq(mode, "host") || (container_ok && !strncmp(mode, "container:", 10) && mode[10])) {
		jg_key_str(g, key, mode);
		return 0;
	}
	dk_error(r, 400, "%s mode %s is not supported by corral", what, mode);
	return -1;
}

/* MaskedPaths and ReadonlyPaths: the docker CLI's --security-opt
 * systempaths=unconfined sends them empty; absent is the defaults */
static void gen_paths(yajl_gen g, const char *key, yajl_val paths)
{
	if (YAJL_IS_ARRAY(paths))
		dk_gen_strings(g, key, paths, false);
}

/* --ulimit: [{Name, Soft, Hard}] */
static void gen_ulimits(yajl_gen g, yajl_val ulimits)
{
	if (!YAJL_IS_ARRAY(ulimits) || !ulimits->u.array.len)
		return;
	jg_key(g, "ulimits");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < ulimits->u.array.len; i++) {
		yajl_val u = ulimits->u.array.values[i];
		jg_object(g, JG_STR("name", dk_str(u, "Name")), JG_INT("soft", dk_int(u, "Soft", 0)),
			  JG_INT("hard", dk_int(u, "Hard", 0)), JG_END);
	}
	yajl_gen_array_close(g);
}

/* --log-opt max-size (its log rotates past it; max-file, 1 unless said,
 * files kept), as dockerd's json-file driver takes them; without max-size
 * dockerd keeps all, and corrald its own bound */
static int gen_log_opts(dk_req *r, yajl_gen g, yajl_val opts)
{
	const char *size = dk_str(opts, "max-size"), *files = dk_str(opts, "max-file");
	size_t bytes;
	char *end;
	long n = *files ? strtol(files, &end, 10) : 1;
	if (!*size)
		return 0;
	if (parse_size(size, &bytes) < 0 || bytes < 4096 || bytes > (1ull << 40)) {
		dk_error(r, 400, "invalid value for max-size: %.64s (from 4k to 1T)", size);
		return -1;
	}
	if (n < 1 || n > 100 || (*files && *end)) {
		dk_error(r, 400, "invalid value for max-file: %.64s (from 1 to 100)", files);
		return -1;
	}
	jg_key_int(g, "logMaxSize", (long long)bytes);
	jg_key_int(g, "logMaxFiles", n);
	return 0;
}

int dk_gen_confinement(dk_req *r, yajl_gen g, yajl_val hc)
{
	gen_groups(g, json_get(hc, "GroupAdd"), false);
	gen_groups(g, json_get(hc, "GroupAdd"), true);
	if (gen_security_opts(r, g, json_get(hc, "SecurityOpt")) < 0 ||
	    gen_namespace(r, g, "pidNamespace", "PID", dk_str(hc, "PidMode"), true) < 0 ||
	    gen_namespace(r, g, "ipcNamespace", "IPC", dk_str(hc, "IpcMode"), false) < 0 ||
	    gen_namespace(r, g, "utsNamespace", "UTS", dk_str(hc, "UTSMode"), false) < 0 ||
	    gen_namespace(r, g, "cgroupNamespace", "cgroup namespace", dk_str(hc, "CgroupnsMode"), false) < 0 ||
	    gen_log_opts(r, g, json_get(json_get(hc, "LogConfig"), "Config")) < 0)
		return -1;
	gen_paths(g, "maskedPaths", json_get(hc, "MaskedPaths"));
	gen_paths(g, "readonlyPaths", json_get(hc, "ReadonlyPaths"));
	gen_devices(g, json_get(hc, "Devices"));
	gen_ulimits(g, json_get(hc, "Ulimits"));
	if (dk_int(hc, "ShmSize", 0) > 0)
		jg_key_int(g, "shmSize", dk_int(hc, "ShmSize", 0));
	yajl_val sysctls = json_get(hc, "Sysctls");
	if (YAJL_IS_OBJECT(sysctls) && sysctls->u.object.len)
		dk_gen_object(g, "sysctls", sysctls);
	return 0;
}
