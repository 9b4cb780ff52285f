/* POST /containers/{id}/update: Docker's resources and restart policy, by
 * corrald's Update (resources are root's and a running container's; the
 * restart policy its owner's). 200 with Warnings for what corral has no
 * word for, as dockerd says them. */
#include "supervisor/docker/docker_ctr_update.h"
#include "supervisor/docker/docker_ctr_resources.h"
#include "supervisor/docker/docker_ctr_unsupported.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_answer.h"
#include "common/cleanup.h"
#include "common/json.h"

void dk_ctr_update(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg);
	_cleanup_json_ yajl_val body = dk_body_json(r);
	if (!body)
		return;
	_cleanup_json_gen_ yajl_gen answer = json_gen_new(false);
	_cleanup_json_gen_ yajl_gen params = dk_params_id(id);
	if (!answer || !params || yajl_gen_map_open(answer) || jg_key(answer, "Warnings") ||
	    yajl_gen_array_open(answer)) {
		dk_error(r, 500, "out of memory");
		return;
	}
	if (dk_update_unsupported(r, body, answer) < 0)
		return;
	yajl_gen_array_close(answer);
	yajl_gen_map_close(answer);
	bool resources = dk_gen_resources(params, body);
	char restart[64];
	if (*dk_restart_text(json_get(body, "RestartPolicy"), restart, sizeof(restart)))
		jg_key_str(params, "restart", restart);
	vl_reply rep;
	/* nothing asked (docker-py's update()): dockerd answers 200 all the same */
	if (!resources && !*restart ? !dk_ctr_record(r, id, &rep) : dk_call_with(r, "Update", params, id, &rep) < 0)
		return;
	vl_reply_release(&rep);
	dk_json(r, 200, answer);
}
