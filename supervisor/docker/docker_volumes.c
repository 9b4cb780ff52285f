/* Volumes: corral has none (a container binds host paths), so the list is
 * empty, as it is, and creating one says what to do instead. */
#include "supervisor/docker/dk.h"
#include "common/cleanup.h"
#include "common/json.h"

void dk_vol_list(dk_req *r, const char *arg)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	jg_key_strv(g, "Volumes", NULL);
	jg_key_strv(g, "Warnings", NULL);
	yajl_gen_map_close(g);
	dk_json(r, 200, g);
}

void dk_vol_create(dk_req *r, const char *arg)
{
	dk_error(r, 501, "corral has no volumes: bind a host path (-v /host/path:/path) or mount a tmpfs");
}

void dk_vol_inspect(dk_req *r, const char *arg)
{
	dk_error(r, 404, "get %s: no such volume", arg);
}
