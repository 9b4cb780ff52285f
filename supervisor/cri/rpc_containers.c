/* Containers: each a corral container, in its pod's session,
 * with the ContainerConfig kubelet gave in its labels (cri_meta.h). */
#include "supervisor/cri/cri_rpcs.h"
#include "supervisor/cri/ctr_spec_gen.h"
#include "supervisor/cri/rpc_containers.h"
#include "supervisor/cri/rpc_pods.h"
#include "supervisor/cri/corrald_errors.h"
#include "supervisor/cri/links.h"
#include "supervisor/cri/h2_conn.h"
#include "supervisor/cri/grpc_call.h"
#include "supervisor/cri/cri_items.h"
#include "supervisor/cri/cri_meta.h"
#include "supervisor/cri/cri_store.h"
#include "supervisor/cri/runtime_v1.pb-c.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "supervisor/varlink/wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef Runtime__V1__ContainerConfig ctr_config;
typedef Runtime__V1__PodSandboxConfig pod_config;

/* An id as corrald takes one: hex digits (a prefix too) */
bool ctr_id_ok(cri_call *c, const char *rpc, const char *id)
{
	if (*id && strlen(id) <= 64 && strspn(id, "0123456789abcdef") == strlen(id))
		return true;
	cri_fail(c, GRPC_INVALID_ARGUMENT, "%s: container_id \"%.80s\": not a container's id", rpc, id);
	return false;
}

/* ---- CreateContainer: the pod first (there, a CRI pod, not stopped),
 * then the container */

static void created(cri_call *c, vl_reply *rep, void *data)
{
	if (rep->error)
		return cri_fail_corrald(c, rep, "CreateContainer");
	Runtime__V1__CreateContainerResponse r = RUNTIME__V1__CREATE_CONTAINER_RESPONSE__INIT;
	r.container_id = (char *)json_str(rep->params, "id");
	store_touch_ctr(c, r.container_id);
	cri_reply(c, &r.base);
}

static void pod_found(cri_call *c, vl_reply *rep, void *data)
{
	const Runtime__V1__CreateContainerRequest *req = data;
	if (rep->error)
		return cri_fail_corrald(c, rep, req->pod_sandbox_id);
	yajl_val s = json_get(rep->params, "session");
	if (!pod_is_ready(s))
		return cri_fail(c, GRPC_FAILED_PRECONDITION, "CreateContainer: pod %s is stopped", req->pod_sandbox_id);
	pod_config *pod = pod_config_of(s);
	if (!pod)
		return cri_fail(c, GRPC_NOT_FOUND, "CreateContainer: %s is not a CRI pod", req->pod_sandbox_id);
	cri_refusal refused;
	_cleanup_free_ char *params = cri_ctr_spec(req->pod_sandbox_id, req->config, pod, cri_peer_is_root(c), &refused);
	protobuf_c_message_free_unpacked(&pod->base, NULL);
	if (!params && refused.invalid)
		return cri_fail(c, GRPC_INVALID_ARGUMENT, "CreateContainer: config.%s", refused.field);
	if (!params && refused.field)
		return cri_fail(c, GRPC_UNIMPLEMENTED, "CreateContainer: config.%s: corral does not give it yet", refused.field);
	if (!params)
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	cri_corrald(c, "CreateContainer", params, 0, created, NULL);
}

void rpc_create_container(cri_call *c, const ProtobufCMessage *msg)
{
	const Runtime__V1__CreateContainerRequest *req = (const void *)msg;
	const ctr_config *cfg = req->config;
	if (!cfg || !cfg->metadata || !*cfg->metadata->name)
		return cri_fail(c, GRPC_INVALID_ARGUMENT, "CreateContainer: config.metadata.name is empty");
	if (!cfg->image || !*cfg->image->image)
		return cri_fail(c, GRPC_INVALID_ARGUMENT, "CreateContainer: config.image.image is empty");
	if (!pod_id_ok(c, "CreateContainer", req->pod_sandbox_id))
		return;
	char params[128];
	snprintf(params, sizeof(params), "{\"name\":\"%s\"}", req->pod_sandbox_id);
	cri_corrald(c, "SessionInspect", params, 0, pod_found, (void *)req);
}

/* ---- Start, Stop, Remove: one call each */

static void started(cri_call *c, vl_reply *rep, void *data)
{
	store_touch_ctr(c, ((const Runtime__V1__StartContainerRequest *)data)->container_id);
	if (rep->error)
		return cri_fail_corrald(c, rep, "StartContainer");
	Runtime__V1__StartContainerResponse r = RUNTIME__V1__START_CONTAINER_RESPONSE__INIT;
	cri_reply(c, &r.base);
}

void rpc_start_container(cri_call *c, const ProtobufCMessage *msg)
{
	const char *id = ((const Runtime__V1__StartContainerRequest *)msg)->container_id;
	if (!ctr_id_ok(c, "StartContainer", id))
		return;
	char params[128];
	snprintf(params, sizeof(params), "{\"id\":\"%s\"}", id);
	cri_corrald(c, "Start", params, 0, started, (void *)msg);
}

static void stopped(cri_call *c, vl_reply *rep, void *data)
{
	store_touch_ctr(c, ((const Runtime__V1__StopContainerRequest *)data)->container_id);
	/* the CRI: stopping one that is not there, or not running, succeeds */
	if (rep->error && !strstr(rep->error, "NoSuchContainer") && !strstr(rep->error, "InvalidState"))
		return cri_fail_corrald(c, rep, "StopContainer");
	Runtime__V1__StopContainerResponse r = RUNTIME__V1__STOP_CONTAINER_RESPONSE__INIT;
	cri_reply(c, &r.base);
}

void rpc_stop_container(cri_call *c, const ProtobufCMessage *msg)
{
	const Runtime__V1__StopContainerRequest *req = (const void *)msg;
	if (!ctr_id_ok(c, "StopContainer", req->container_id))
		return;
	if (req->timeout < 0)
		return cri_fail(c, GRPC_INVALID_ARGUMENT, "StopContainer: timeout %lld: negative", (long long)req->timeout);
	char params[160];
	snprintf(params, sizeof(params), "{\"id\":\"%s\",\"timeout\":%lld}", req->container_id,
		 (long long)(req->timeout > 86400 ? 86400 : req->timeout));
	cri_corrald(c, "Stop", params, 0, stopped, (void *)req);
}

static void removed(cri_call *c, vl_reply *rep, void *data)
{
	store_touch_ctr(c, ((const Runtime__V1__RemoveContainerRequest *)data)->container_id);
	if (rep->error && !strstr(rep->error, "NoSuchContainer"))
		return cri_fail_corrald(c, rep, "RemoveContainer");
	Runtime__V1__RemoveContainerResponse r = RUNTIME__V1__REMOVE_CONTAINER_RESPONSE__INIT;
	cri_reply(c, &r.base);
}

void rpc_remove_container(cri_call *c, const ProtobufCMessage *msg)
{
	const char *id = ((const Runtime__V1__RemoveContainerRequest *)msg)->container_id;
	if (!ctr_id_ok(c, "RemoveContainer", id))
		return;
	char params[128];
	snprintf(params, sizeof(params), "{\"id\":\"%s\",\"force\":true}", id);
	cri_corrald(c, "Remove", params, 0, removed, (void *)msg);
}

/* ---- Exec, Attach, PortForward: a URL on corrald's streaming server, for
 * the request checked now, as the caller (StreamPrepare) */

static void url_done(cri_call *c, vl_reply *rep, void *data)
{
	const char *rpc = data;
	if (rep->error)
		return cri_fail_corrald(c, rep, rpc);
	/* the three answers are one message: a url, field 1 */
	Runtime__V1__ExecResponse r = RUNTIME__V1__EXEC_RESPONSE__INIT;
	r.url = (char *)json_str(rep->params, "url");
	if (!r.url)
		return cri_fail(c, GRPC_INTERNAL, "%s: corrald gave no url", rpc);
	cri_reply(c, &r.base);
}

/* exec and attach: kind, the container, what streams; cmd for exec */
static void stream_url(cri_call *c, const char *rpc, const char *kind, const char *id, char **cmd, size_t n_cmd,
		       bool tty, bool in, bool out, bool err)
{
	if (!ctr_id_ok(c, rpc, id))
		return;
	if (!in && !out && !err)
		return cri_fail(c, GRPC_INVALID_ARGUMENT, "%s: one of stdin, stdout and stderr must be set", rpc);
	if (tty && err)
		return cri_fail(c, GRPC_INVALID_ARGUMENT, "%s: tty and stderr cannot both be set: a terminal has one output", rpc);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "kind", kind) || jg_key_str(g, "id", id) ||
	    jg_key_bool(g, "tty", tty) || jg_key_bool(g, "stdin", in) || jg_key_bool(g, "stdout", out) ||
	    jg_key_bool(g, "stderr", err))
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	if (cmd) {
		jg_key(g, "command");
		yajl_gen_array_open(g);
		for (size_t i = 0; i < n_cmd; i++)
			jg_str(g, cmd[i]);
		yajl_gen_array_close(g);
	}
	if (yajl_gen_map_close(g))
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	_cleanup_free_ char *params = jg_finish(g, NULL);
	cri_corrald(c, "StreamPrepare", params, 0, url_done, (void *)rpc);
}

void rpc_exec(cri_call *c, const ProtobufCMessage *msg)
{
	const Runtime__V1__ExecRequest *r = (const void *)msg;
	if (!r->n_cmd)
		return cri_fail(c, GRPC_INVALID_ARGUMENT, "Exec: cmd is empty");
	stream_url(c, "Exec", "exec", r->container_id, r->cmd, r->n_cmd, r->tty, r->stdin, r->stdout, r->stderr);
}

void rpc_attach(cri_call *c, const ProtobufCMessage *msg)
{
	const Runtime__V1__AttachRequest *r = (const void *)msg;
	stream_url(c, "Attach", "attach", r->container_id, NULL, 0, r->tty, r->stdin, r->stdout, r->stderr);
}

void rpc_port_forward(cri_call *c, const ProtobufCMessage *msg)
{
	const Runtime__V1__PortForwardRequest *r = (const void *)msg;
	if (!pod_id_ok(c, "PortForward", r->pod_sandbox_id))
		return;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "kind", "portforward") || jg_key_str(g, "id", r->pod_sandbox_id) ||
	    jg_key(g, "ports") || yajl_gen_array_open(g))
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	for (size_t i = 0; i < r->n_port; i++) {
		if (r->port[i] < 1 || r->port[i] > 65535)
			return cri_fail(c, GRPC_INVALID_ARGUMENT, "PortForward: port[%zu] %d: not a port", i, r->port[i]);
		yajl_gen_integer(g, r->port[i]);
	}
	if (yajl_gen_array_close(g) || yajl_gen_map_close(g))
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	_cleanup_free_ char *params = jg_finish(g, NULL);
	cri_corrald(c, "StreamPrepare", params, 0, url_done, (void *)"PortForward");
}

/* ---- ExecSync: corrald's Exec, plain: the output kept, the exit code */

static void exec_done(cri_call *c, vl_reply *rep, void *data)
{
	const Runtime__V1__ExecSyncRequest *req = data;
	if (rep->error)
		return cri_fail_corrald(c, rep, "ExecSync");
	yajl_val timed = json_get(rep->params, "timedOut");
	if (timed && YAJL_IS_TRUE(timed))
		return cri_fail(c, GRPC_DEADLINE_EXCEEDED, "ExecSync: timeout %llds exceeded: the command was killed",
				(long long)req->timeout);
	Runtime__V1__ExecSyncResponse r = RUNTIME__V1__EXEC_SYNC_RESPONSE__INIT;
	const char *out = json_str(rep->params, "stdout"), *err = json_str(rep->params, "stderr");
	r.stdout.data = (uint8_t *)(out ? out : ""), r.stdout.len = out ? strlen(out) : 0;
	r.stderr.data = (uint8_t *)(err ? err : ""), r.stderr.len = err ? strlen(err) : 0;
	long long code = 0;
	json_int_in(json_get(rep->params, "exitCode"), -1, 255, &code);
	r.exit_code = (int32_t)code;
	cri_reply(c, &r.base);
}

void rpc_exec_sync(cri_call *c, const ProtobufCMessage *msg)
{
	const Runtime__V1__ExecSyncRequest *req = (const void *)msg;
	if (!ctr_id_ok(c, "ExecSync", req->container_id))
		return;
	if (!req->n_cmd)
		return cri_fail(c, GRPC_INVALID_ARGUMENT, "ExecSync: cmd is empty");
	if (req->timeout < 0)
		return cri_fail(c, GRPC_INVALID_ARGUMENT, "ExecSync: timeout %lld: negative", (long long)req->timeout);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "id", req->container_id) || jg_key(g, "command") ||
	    yajl_gen_array_open(g))
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	for (size_t i = 0; i < req->n_cmd; i++)
		jg_str(g, req->cmd[i]);
	yajl_gen_array_close(g);
	if ((req->timeout && jg_key_int(g, "timeout", req->timeout)) || yajl_gen_map_close(g))
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	_cleanup_free_ char *params = jg_finish(g, NULL);
	/* corrald hands the connection to the monitor: it ends with the call */
	cri_corrald(c, "Exec", params, VL_CALL_UPGRADE, exec_done, (void *)req);
}

/* ---- ReopenContainerLog: kubelet rotated the log it named */

static void reopened(cri_call *c, vl_reply *rep, void *data)
{
	if (rep->error)
		return cri_fail_corrald(c, rep, "ReopenContainerLog");
	Runtime__V1__ReopenContainerLogResponse r = RUNTIME__V1__REOPEN_CONTAINER_LOG_RESPONSE__INIT;
	cri_reply(c, &r.base);
}

void rpc_reopen_container_log(cri_call *c, const ProtobufCMessage *msg)
{
	const char *id = ((const Runtime__V1__ReopenContainerLogRequest *)msg)->container_id;
	if (!ctr_id_ok(c, "ReopenContainerLog", id))
		return;
	char params[128];
	snprintf(params, sizeof(params), "{\"id\":\"%s\"}", id);
	cri_corrald(c, "ReopenLog", params, 0, reopened, NULL);
}

/* ---- UpdateContainerResources: corrald's Update, for a running one */

static void updated(cri_call *c, vl_reply *rep, void *data)
{
	if (rep->error)
		return cri_fail_corrald(c, rep, "UpdateContainerResources");
	Runtime__V1__UpdateContainerResourcesResponse r = RUNTIME__V1__UPDATE_CONTAINER_RESOURCES_RESPONSE__INIT;
	cri_reply(c, &r.base);
}

void rpc_update_container_resources(cri_call *c, const ProtobufCMessage *msg)
{
	const Runtime__V1__UpdateContainerResourcesRequest *req = (const void *)msg;
	if (!ctr_id_ok(c, "UpdateContainerResources", req->container_id))
		return;
	const Runtime__V1__LinuxContainerResources *r = req->linux;
	if (!r)
		return cri_fail(c, GRPC_INVALID_ARGUMENT, "UpdateContainerResources: linux is empty");
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	/* the OOM score is the process's, set at its start (as containerd) */
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "id", req->container_id) || cri_gen_resources(g, r, false) < 0 ||
	    yajl_gen_map_close(g))
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	_cleanup_free_ char *params = jg_finish(g, NULL);
	cri_corrald(c, "Update", params, 0, updated, NULL);
}
