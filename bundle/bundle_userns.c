/* A bundle's own user namespace, read back from its config.json: the
 * shape corrald writes for a member's container (two maps each: root,
 * then 1..65535), which corrald and corral-copy both read; and the user
 * its process runs as. */
#include "bundle/bundle_userns.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/json_get.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static bool read_map(yajl_val maps, struct oci_idmap out[2])
{
	if (!YAJL_IS_ARRAY(maps) || maps->u.array.len != 2)
		return false;
	for (size_t i = 0; i < 2; i++) {
		long long c, h, n;
		yajl_val m = maps->u.array.values[i];
		if (!json_int_in(json_get(m, "containerID"), 0, UINT32_MAX, &c) ||
		    !json_int_in(json_get(m, "hostID"), 0, UINT32_MAX, &h) || !json_int_in(json_get(m, "size"), 1, UINT32_MAX, &n))
			return false;
		out[i] = (struct oci_idmap){ (uint32_t)c, (uint32_t)h, (uint32_t)n };
	}
	return true;
}

/* dir's config.json, parsed, its path in path */
static int load_config(const char *dir, char path[static PATH_MAX], yajl_val *cfg, cerr *err)
{
	snprintf(path, PATH_MAX, "%s/config.json", dir);
	return json_parse_file_at(AT_FDCWD, path, 4 << 20, cfg, err);
}

int bundle_userns_maps(const char *dir, struct oci_idmap uid[2], struct oci_idmap gid[2], cerr *err)
{
	char path[PATH_MAX];
	_cleanup_json_ yajl_val cfg = NULL;
	int r = load_config(dir, path, &cfg, err);
	if (r < 0)
		return r;
	yajl_val lx = json_get(cfg, "linux"), ns = json_get(lx, "namespaces");
	bool own = false;
	for (size_t i = 0; YAJL_IS_ARRAY(ns) && i < ns->u.array.len; i++) {
		const char *t = YAJL_GET_STRING(json_get(ns->u.array.values[i], "type"));
		own |= t && streq(t, "user") && !json_get(ns->u.array.values[i], "path");
	}
	if (!own)
		return 0;
	if (!read_map(json_get(lx, "uidMappings"), uid) || !read_map(json_get(lx, "gidMappings"), gid))
		return cerr_set(err, EINVAL, "%s: linux.uidMappings, gidMappings: not two maps each", path);
	return 1;
}

/* id through an OCI uid or gid map (none: as it is). */
static uint32_t mapped(yajl_val maps, long long id)
{
	if (!YAJL_IS_ARRAY(maps) || maps->u.array.len == 0)
		return (uint32_t)id;
	for (size_t i = 0; i < maps->u.array.len; i++) {
		long long c, h, n;
		yajl_val m = maps->u.array.values[i];
		if (json_int_in(json_get(m, "containerID"), 0, UINT32_MAX, &c) &&
		    json_int_in(json_get(m, "hostID"), 0, UINT32_MAX, &h) && json_int_in(json_get(m, "size"), 1, UINT32_MAX, &n) &&
		    id >= c && id < c + n)
			return (uint32_t)(h + (id - c));
	}
	return 65534; /* unmapped: nobody */
}

int bundle_process_user(const char *dir, struct bundle_user *u, cerr *err)
{
	char path[PATH_MAX];
	_cleanup_json_ yajl_val cfg = NULL;
	int r = load_config(dir, path, &cfg, err);
	if (r < 0)
		return r;
	yajl_val user = json_get(json_get(cfg, "process"), "user"), lx = json_get(cfg, "linux");
	long long uid = 0, gid = 0;
	json_int_in(json_get(user, "uid"), 0, UINT32_MAX, &uid);
	json_int_in(json_get(user, "gid"), 0, UINT32_MAX, &gid);
	*u = (struct bundle_user){
		.uid = (uint32_t)uid,
		.gid = (uint32_t)gid,
		.host_uid = mapped(json_get(lx, "uidMappings"), uid),
		.host_gid = mapped(json_get(lx, "gidMappings"), gid),
	};
	return 0;
}
