/* A container's filesystem as Docker shows it: GET /containers/{id}/changes
 * (docker diff: Kind 0 changed, 1 added, 2 deleted) through corrald's
 * Changes, and GET /containers/{id}/export (docker export: a tar of its
 * root filesystem) through Export. */
#include "supervisor/docker/tar_stream.h"
#include "supervisor/shape/words.h"
#include "supervisor/docker/docker_tar_stream.h"
#include "supervisor/docker/docker_ctr_fs.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_answer.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

static int by_path(const void *a, const void *b)
{
	return strcmp(dk_str(*(yajl_val const *)a, "path"), dk_str(*(yajl_val const *)b, "path"));
}

void dk_ctr_changes(dk_req *r, const char *arg)
{
	_cleanup_json_gen_ yajl_gen p = dk_params_id(dk_ctr_name(arg));
	vl_reply rep;
	if (dk_call_with(r, "Changes", p, arg, &rep) < 0)
		return;
	yajl_val v = json_get(rep.params, "changes");
	size_t n = YAJL_IS_ARRAY(v) ? v->u.array.len : 0;
	if (n)
		qsort(v->u.array.values, n, sizeof(yajl_val), by_path);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		const char *kind = dk_str(v->u.array.values[i], "kind");
		jg_object(g, JG_STR("Path", dk_str(v->u.array.values[i], "path")),
			     JG_INT("Kind", !strcmp(kind, "added") ? 1 : !strcmp(kind, "deleted") ? 2 : 0), JG_END);
	}
	yajl_gen_array_close(g);
	vl_reply_release(&rep);
	dk_json(r, 200, g);
}

void dk_ctr_export(dk_req *r, const char *arg)
{
	_cleanup_json_gen_ yajl_gen p = dk_params_id(dk_ctr_name(arg));
	_cleanup_free_ char *params = dk_params_end(p);
	tar_stream *s = tar_stream_open(r, "Export", params, arg);
	if (s)
		tar_stream_answer(r, s, "application/x-tar");
}
