/* CheckpointContainer, kubelet's forensic checkpoint: the container is
 * dumped and runs on (corrald's Checkpoint with leaveRunning, criu), then
 * the checkpoint goes to the location kubelet names as one tar
 * (CheckpointExport). corrald makes that file as the client, never as
 * root (mode 0600, and only where none is: a member writes only where it
 * could itself). The CRI's timeout is kubelet's grpc-timeout of the call. */
#include "supervisor/cri/cri_rpcs.h"
#include "supervisor/cri/rpc_checkpoint.h"
#include "supervisor/cri/rpc_containers.h"
#include "supervisor/cri/corrald_errors.h"
#include "supervisor/cri/links.h"
#include "supervisor/cri/grpc_call.h"
#include "supervisor/cri/cri_meta.h"
#include "supervisor/cri/runtime_v1.pb-c.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef Runtime__V1__CheckpointContainerRequest ckpt_request;

static void exported(cri_call *c, vl_reply *rep, void *data)
{
	const ckpt_request *req = data;
	char what[PATH_MAX + 64];
	snprintf(what, sizeof(what), "location %s", req->location);
	if (rep->error)
		return cri_fail_corrald(c, rep, what);
	Runtime__V1__CheckpointContainerResponse r = RUNTIME__V1__CHECKPOINT_CONTAINER_RESPONSE__INIT;
	cri_reply(c, &r.base);
}

static void dumped(cri_call *c, vl_reply *rep, void *data)
{
	const ckpt_request *req = data;
	if (rep->error)
		return cri_fail_corrald(c, rep, req->container_id);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "id", req->container_id) || jg_key_str(g, "path", req->location) ||
	    jg_key_bool(g, "create", true) || yajl_gen_map_close(g))
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	_cleanup_free_ char *params = jg_finish(g, NULL);
	cri_corrald(c, "CheckpointExport", params, 0, exported, data);
}

static void inspected(cri_call *c, vl_reply *rep, void *data)
{
	const ckpt_request *req = data;
	if (rep->error)
		return cri_fail_corrald(c, rep, req->container_id);
	if (!json_str(json_get(json_get(rep->params, "container"), "labels"), META_CTR_CONFIG))
		return cri_fail(c, GRPC_NOT_FOUND, "container %s: not a CRI container (one of corral's own)", req->container_id);
	char params[128];
	snprintf(params, sizeof(params), "{\"id\":\"%s\",\"leaveRunning\":true}", req->container_id);
	cri_corrald(c, "Checkpoint", params, 0, dumped, data);
}

void rpc_checkpoint_container(cri_call *c, const ProtobufCMessage *msg)
{
	const ckpt_request *req = (const void *)msg;
	if (!ctr_id_ok(c, "CheckpointContainer", req->container_id))
		return;
	if (req->location[0] != '/')
		return cri_fail(c, GRPC_INVALID_ARGUMENT, "CheckpointContainer: location \"%.200s\": not an absolute path",
				req->location);
	char params[128];
	snprintf(params, sizeof(params), "{\"id\":\"%s\"}", req->container_id);
	cri_corrald(c, "Inspect", params, 0, inspected, (void *)req);
}
