/* Pods: a pod is a corral session (its network, IPC and UTS namespaces
 * pinned by corrald, no pause container), named by the pod's id, with the
 * PodSandboxConfig kubelet gave in its labels (cri_meta.h). */
#include "supervisor/cri/cri_rpcs.h"
#include "supervisor/cri/rpc_pods.h"
#include "supervisor/cri/corrald_errors.h"
#include "supervisor/cri/links.h"
#include "supervisor/cri/grpc_call.h"
#include "supervisor/cri/cri_items.h"
#include "supervisor/cri/cri_meta.h"
#include "supervisor/cri/cri_store.h"
#include "supervisor/cri/runtime_v1.pb-c.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef Runtime__V1__PodSandboxConfig pod_config;

static Runtime__V1__NamespaceMode mode_of(const pod_config *cfg, int which)
{
	const Runtime__V1__NamespaceOption *o =
		cfg->linux && cfg->linux->security_context ? cfg->linux->security_context->namespace_options : NULL;
	/* none given: kubelet's own defaults (a pod without
	 * shareProcessNamespace), not proto3's zeros, which would share PID */
	if (!o)
		return which == 1 ? RUNTIME__V1__NAMESPACE_MODE__CONTAINER : RUNTIME__V1__NAMESPACE_MODE__POD;
	return which == 0 ? o->network : which == 1 ? o->pid : o->ipc;
}

/* A pod's id as RunPodSandbox makes them: hex digits (a prefix, too) */
bool pod_id_ok(cri_call *c, const char *rpc, const char *id)
{
	if (*id && strlen(id) <= 63 && strspn(id, "0123456789abcdef") == strlen(id))
		return true;
	cri_fail(c, GRPC_INVALID_ARGUMENT, "%s: pod_sandbox_id \"%.80s\": not a pod's id", rpc, id);
	return false;
}

/* ---- RunPodSandbox */

static void run_done(cri_call *c, vl_reply *rep, void *data)
{
	if (rep->error)
		return cri_fail_corrald(c, rep, "RunPodSandbox");
	Runtime__V1__RunPodSandboxResponse r = RUNTIME__V1__RUN_POD_SANDBOX_RESPONSE__INIT;
	r.pod_sandbox_id = (char *)json_str(json_get(rep->params, "session"), "name");
	store_touch_pod(c, r.pod_sandbox_id);
	cri_reply(c, &r.base);
}

static int gen_ports(yajl_gen g, const pod_config *cfg)
{
	size_t n = 0;
	for (size_t i = 0; i < cfg->n_port_mappings; i++)
		n += cfg->port_mappings[i]->host_port > 0;
	if (!n)
		return 0;
	if (jg_key(g, "ports") || yajl_gen_array_open(g))
		return -1;
	for (size_t i = 0; i < cfg->n_port_mappings; i++) {
		const Runtime__V1__PortMapping *p = cfg->port_mappings[i];
		if (p->host_port <= 0) /* no host port: nothing to publish */
			continue;
		if (yajl_gen_map_open(g) || jg_key_int(g, "containerPort", p->container_port) ||
		    jg_key_int(g, "hostPort", p->host_port) ||
		    jg_key_str(g, "protocol", p->protocol == RUNTIME__V1__PROTOCOL__UDP ? "udp" : "tcp") ||
		    (p->host_ip && *p->host_ip && jg_key_str(g, "hostIP", p->host_ip)) || yajl_gen_map_close(g))
			return -1;
	}
	return yajl_gen_array_close(g) ? -1 : 0;
}

void rpc_run_pod_sandbox(cri_call *c, const ProtobufCMessage *msg)
{
	const Runtime__V1__RunPodSandboxRequest *req = (const void *)msg;
	const pod_config *cfg = req->config;
	if (!cfg || !cfg->metadata || !*cfg->metadata->name || !*cfg->metadata->namespace_ || !*cfg->metadata->uid)
		return cri_fail(c, GRPC_INVALID_ARGUMENT, "RunPodSandbox: config.metadata needs a name, namespace and uid");
	if (*req->runtime_handler)
		return cri_fail(c, GRPC_NOT_FOUND, "RunPodSandbox: runtime handler \"%s\": corral has the default one only (\"\")",
				req->runtime_handler);
	for (size_t i = 0; i < cfg->n_port_mappings; i++)
		if (cfg->port_mappings[i]->protocol == RUNTIME__V1__PROTOCOL__SCTP)
			return cri_fail(c, GRPC_INVALID_ARGUMENT, "RunPodSandbox: port_mappings[%zu]: SCTP is not published", i);
	if (mode_of(cfg, 1) == RUNTIME__V1__NAMESPACE_MODE__TARGET || mode_of(cfg, 2) == RUNTIME__V1__NAMESPACE_MODE__TARGET)
		return cri_fail(c, GRPC_INVALID_ARGUMENT, "RunPodSandbox: namespace_options: TARGET is a container's mode");
	/* a user namespace (hostUsers: false) is each container's, of the
	 * mappings kubelet gives it; the pod's namespaces stay the host's */
	char id[64];
	if (meta_new_pod_id(id) < 0)
		return cri_fail(c, GRPC_INTERNAL, "RunPodSandbox: no random bytes for an id");
	bool host_net = mode_of(cfg, 0) == RUNTIME__V1__NAMESPACE_MODE__NODE;
	/* what the session shares: the network and the name unless the host's
	 * (then the host's name too), IPC unless the host's, PID where asked
	 * (the containers of a pod that shares none have their own, as
	 * CONTAINER; the host's are theirs to ask: ctr_spec_gen.c) */
	char share[32];
	snprintf(share, sizeof(share), "%s%s%s", host_net ? "" : "net,uts,",
		 mode_of(cfg, 2) == RUNTIME__V1__NAMESPACE_MODE__NODE ? "" : "ipc,",
		 mode_of(cfg, 1) == RUNTIME__V1__NAMESPACE_MODE__POD ? "pid," : "");
	if (*share)
		share[strlen(share) - 1] = '\0';
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	char now[32];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(now, sizeof(now), "%lld", (long long)ts.tv_sec * 1000000000 + ts.tv_nsec);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "name", id) || jg_key_str(g, "share", share) ||
	    (!host_net && *cfg->hostname && jg_key_str(g, "hostname", cfg->hostname)) ||
	    jg_key(g, "labels") || yajl_gen_map_open(g) || meta_put(g, META_POD_CONFIG, &cfg->base) < 0 ||
	    jg_key_str(g, META_POD_CREATED, now) || jg_key_str(g, META_POD_HANDLER, req->runtime_handler) ||
	    /* for an operator's eyes: corralctl session ls shows them */
	    jg_key_str(g, "io.kubernetes.pod.name", cfg->metadata->name) ||
	    jg_key_str(g, "io.kubernetes.pod.namespace", cfg->metadata->namespace_) ||
	    yajl_gen_map_close(g) || (!host_net && gen_ports(g, cfg) < 0) || yajl_gen_map_close(g))
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	_cleanup_free_ char *params = jg_finish(g, NULL);
	cri_corrald(c, "SessionCreate", params, 0, run_done, NULL);
}

/* ---- the pod's containers, for Stop and Remove: each call of corrald's
 * for each of them at once, then the next step */

typedef struct pod_step {
	char id[64];
	unsigned left;  /* calls in flight */
	bool failed;
	char why[256];
	bool remove;    /* RemovePodSandbox: remove them, then the session */
} pod_step;

static void session_removed(cri_call *c, vl_reply *rep, void *data)
{
	/* a pod that is not there is removed (the CRI: idempotent) */
	if (rep->error && !strstr(rep->error, "NoSuchSession"))
		return cri_fail_corrald(c, rep, "RemovePodSandbox");
	store_touch_pod(c, ((pod_step *)cri_call_ctx(c, sizeof(pod_step)))->id);
	Runtime__V1__RemovePodSandboxResponse r = RUNTIME__V1__REMOVE_POD_SANDBOX_RESPONSE__INIT;
	cri_reply(c, &r.base);
}

static void session_stopped(cri_call *c, vl_reply *rep, void *data)
{
	if (rep->error && !strstr(rep->error, "NoSuchSession"))
		return cri_fail_corrald(c, rep, "StopPodSandbox");
	store_touch_pod(c, ((pod_step *)cri_call_ctx(c, sizeof(pod_step)))->id);
	Runtime__V1__StopPodSandboxResponse r = RUNTIME__V1__STOP_POD_SANDBOX_RESPONSE__INIT;
	cri_reply(c, &r.base);
}

/* Every container's Stop or Remove is over: the session's turn */
static void pod_next(cri_call *c, pod_step *st)
{
	store_touch_pod_ctrs(c, st->id);
	if (st->failed)
		return cri_fail(c, GRPC_UNKNOWN, "%s %s: %s", st->remove ? "RemovePodSandbox" : "StopPodSandbox", st->id,
				st->why);
	char params[128];
	snprintf(params, sizeof(params), "{\"name\":\"%s\",\"force\":true}", st->id);
	if (st->remove)
		return cri_corrald(c, "SessionRemove", params, 0, session_removed, NULL);
	snprintf(params, sizeof(params), "{\"name\":\"%s\"}", st->id);
	cri_corrald(c, "SessionStop", params, 0, session_stopped, NULL);
}

static void ctr_done(cri_call *c, vl_reply *rep, void *data)
{
	pod_step *st = cri_call_ctx(c, sizeof(*st));
	if (rep->error && !strstr(rep->error, "NoSuchContainer") && !st->failed) {
		st->failed = true;
		snprintf(st->why, sizeof(st->why), "%s", rep->error);
	}
	if (--st->left == 0)
		pod_next(c, st);
}

static void ctrs_listed(cri_call *c, vl_reply *rep, void *data)
{
	pod_step *st = cri_call_ctx(c, sizeof(*st));
	if (rep->error)
		return cri_fail_corrald(c, rep, st->id);
	yajl_val list = json_get(rep->params, "containers");
	for (size_t i = 0; YAJL_IS_ARRAY(list) && i < list->u.array.len; i++) {
		yajl_val ct = list->u.array.values[i];
		const char *cid = json_str(ct, "id");
		const char *status = json_str(json_get(ct, "state"), "status");
		if (!cid || (!st->remove && status && !streq(status, "running") && !streq(status, "paused") &&
			     !streq(status, "restarting")))
			continue;
		char params[160];
		if (st->remove)
			snprintf(params, sizeof(params), "{\"id\":\"%s\",\"force\":true}", cid);
		else /* kubelet stopped them with their grace periods first */
			snprintf(params, sizeof(params), "{\"id\":\"%s\",\"timeout\":0}", cid);
		st->left++;
		cri_corrald(c, st->remove ? "Remove" : "Stop", params, 0, ctr_done, NULL);
	}
	if (st->left == 0)
		pod_next(c, st);
}

static void pod_ctrs(cri_call *c, const char *pod_id, bool remove)
{
	if (!pod_id_ok(c, remove ? "RemovePodSandbox" : "StopPodSandbox", pod_id))
		return;
	pod_step *st = cri_call_ctx(c, sizeof(*st));
	if (!st)
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	snprintf(st->id, sizeof(st->id), "%s", pod_id);
	st->remove = remove;
	char params[160];
	snprintf(params, sizeof(params), "{\"all\":true,\"labels\":{\"" META_CTR_POD "\":\"%s\"}}", pod_id);
	cri_corrald(c, "List", params, 0, ctrs_listed, NULL);
}

void rpc_stop_pod_sandbox(cri_call *c, const ProtobufCMessage *msg)
{
	pod_ctrs(c, ((const Runtime__V1__StopPodSandboxRequest *)msg)->pod_sandbox_id, false);
}

void rpc_remove_pod_sandbox(cri_call *c, const ProtobufCMessage *msg)
{
	pod_ctrs(c, ((const Runtime__V1__RemovePodSandboxRequest *)msg)->pod_sandbox_id, true);
}

/* ---- PodSandboxStatus, ListPodSandbox */

static void status_done(cri_call *c, vl_reply *rep, void *data)
{
	const Runtime__V1__PodSandboxStatusRequest *req = (const void *)data;
	if (rep->error)
		return cri_fail_corrald(c, rep, req->pod_sandbox_id);
	yajl_val s = json_get(rep->params, "session");
	pod_config *cfg = pod_config_of(s);
	if (!cfg)
		return cri_fail(c, GRPC_NOT_FOUND, "pod %s: not a CRI pod (a session of corral's own)", req->pod_sandbox_id);
	cri_pod_status ps;
	pod_status_of(s, json_str(s, "name"), cfg, &ps);
	Runtime__V1__PodSandboxStatus *st = &ps.st;
	store_saw_pod(c, st->id, st->state);
	Runtime__V1__NamespaceOption opts = RUNTIME__V1__NAMESPACE_OPTION__INIT;
	opts.network = mode_of(cfg, 0), opts.pid = mode_of(cfg, 1), opts.ipc = mode_of(cfg, 2);
	Runtime__V1__Namespace ns = RUNTIME__V1__NAMESPACE__INIT;
	ns.options = &opts;
	Runtime__V1__LinuxPodSandboxStatus lx = RUNTIME__V1__LINUX_POD_SANDBOX_STATUS__INIT;
	lx.namespaces = &ns;
	st->linux = &lx;
	st->n_labels = cfg->n_labels, st->labels = (void *)cfg->labels;
	st->n_annotations = cfg->n_annotations, st->annotations = (void *)cfg->annotations;
	st->runtime_handler = (char *)(json_str(json_get(s, "labels"), META_POD_HANDLER) ?: "");
	Runtime__V1__PodSandboxStatusResponse r = RUNTIME__V1__POD_SANDBOX_STATUS_RESPONSE__INIT;
	r.status = st;
	/* verbose: what corral made of it, as containerd's "info" */
	Runtime__V1__PodSandboxStatusResponse__InfoEntry info = RUNTIME__V1__POD_SANDBOX_STATUS_RESPONSE__INFO_ENTRY__INIT;
	Runtime__V1__PodSandboxStatusResponse__InfoEntry *infos[] = { &info };
	_cleanup_free_ char *text = NULL;
	if (req->verbose) {
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		if (g && !yajl_gen_map_open(g) && !jg_key_str(g, "session", st->id) && !jg_key(g, "share") &&
		    !jg_value(g, json_get(s, "share")) && !jg_key(g, "members") && !jg_value(g, json_get(s, "members")) &&
		    !jg_key_str(g, "network", json_str(s, "network") ?: "") && !yajl_gen_map_close(g))
			text = jg_finish(g, NULL);
		info.key = "info", info.value = text ? text : "{}";
		r.n_info = 1, r.info = infos;
	}
	cri_reply(c, &r.base);
	protobuf_c_message_free_unpacked(&cfg->base, NULL);
}

void rpc_pod_sandbox_status(cri_call *c, const ProtobufCMessage *msg)
{
	const Runtime__V1__PodSandboxStatusRequest *req = (const void *)msg;
	if (!pod_id_ok(c, "PodSandboxStatus", req->pod_sandbox_id))
		return;
	char params[128];
	snprintf(params, sizeof(params), "{\"name\":\"%s\"}", req->pod_sandbox_id);
	cri_corrald(c, "SessionInspect", params, 0, status_done, (void *)req);
}

static void list_done(cri_call *c, vl_reply *rep, void *data)
{
	const Runtime__V1__ListPodSandboxRequest *req = (const void *)data;
	if (rep->error)
		return cri_fail_corrald(c, rep, "ListPodSandbox");
	yajl_val list = json_get(rep->params, "sessions");
	size_t n = YAJL_IS_ARRAY(list) ? list->u.array.len : 0;
	_cleanup_free_ cri_pod_item *items = calloc(n + 1, sizeof(*items));
	_cleanup_free_ cri_pod_item **ptrs = calloc(n + 1, sizeof(*ptrs));
	if (!items || !ptrs)
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	for (size_t i = 0; i < n; i++) /* a session of corral's own is none */
		if (pod_item_of(list->u.array.values[i], &items[i]) == 0)
			ptrs[i] = &items[i];
	pod_items_answer(c, req->filter, ptrs, n);
	for (size_t i = 0; i < n; i++)
		pod_item_release(&items[i]);
}

void rpc_list_pod_sandbox(cri_call *c, const ProtobufCMessage *msg)
{
	const Runtime__V1__ListPodSandboxRequest *req = (const void *)msg;
	if (!store_list_pods(c, req->filter))
		cri_corrald(c, "SessionList", NULL, 0, list_done, (void *)msg);
}
