/* Docker's JSON progress stream, a line at a time into a pump: what
 * `docker pull` and `docker push` draw. */
#include "supervisor/docker/dk.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdio.h>
#include <string.h>

void dk_put_line(dk_pump *p, yajl_gen g) { dk_pump_put_json(p, g, "\r\n"); }

void dk_put_status(dk_pump *p, const char *status, const char *id)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	jg_key_str(g, "status", status);
	if (id)
		jg_key_str(g, "id", id);
	yajl_gen_map_close(g);
	dk_put_line(p, g);
}

void dk_put_error(dk_pump *p, const char *msg)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	jg_key(g, "errorDetail");
	yajl_gen_map_open(g);
	jg_key_str(g, "message", msg);
	yajl_gen_map_close(g);
	jg_key_str(g, "error", msg);
	yajl_gen_map_close(g);
	dk_put_line(p, g);
}

void dk_put_progress(dk_pump *p, const char *status, const char *digest, long long done, long long total)
{
	const char *colon = strchr(digest, ':');
	char id[16];
	snprintf(id, sizeof(id), "%.12s", colon ? colon + 1 : digest);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	jg_key_str(g, "status", status);
	jg_key(g, "progressDetail");
	yajl_gen_map_open(g);
	jg_key_int(g, "current", done);
	jg_key_int(g, "total", total);
	yajl_gen_map_close(g);
	jg_key_str(g, "id", id);
	yajl_gen_map_close(g);
	dk_put_line(p, g);
}
