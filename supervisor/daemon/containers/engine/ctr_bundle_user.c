/* ctr_bundle_user.h */
#include "supervisor/daemon/containers/engine/ctr_bundle_user.h"
#include "supervisor/daemon/containers/engine/ctr_bundle.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_get.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>

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

int ctr_bundle_user_of(const char *dir, ctr_bundle_user *u, cerr *err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" BUNDLE_CONFIG, dir);
	_cleanup_json_ yajl_val cfg = NULL;
	int r = json_parse_file_at(AT_FDCWD, path, 4 << 20, &cfg, err);
	if (r < 0)
		return r;
	yajl_val user = json_get(json_get(cfg, "process"), "user"), lx = json_get(cfg, "linux");
	long long uid = 0, gid = 0;
	json_int_in(json_get(user, "uid"), 0, UINT32_MAX, &uid);
	json_int_in(json_get(user, "gid"), 0, UINT32_MAX, &gid);
	*u = (ctr_bundle_user){
		.uid = (uint32_t)uid,
		.gid = (uint32_t)gid,
		.host_uid = mapped(json_get(lx, "uidMappings"), uid),
		.host_gid = mapped(json_get(lx, "gidMappings"), gid),
	};
	return 0;
}
