/* ContainerStatus and ListContainers, from corrald's Inspect and List, or
 * for a client that lists again, from the relist's store (cri_store.h). */
#include "supervisor/cri/cri_rpcs.h"
#include "supervisor/cri/rpc_ctr_status.h"
#include "supervisor/cri/rpc_containers.h"
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

typedef Runtime__V1__ContainerConfig ctr_config;

/* config.resources, as CreateContainer gave them and Update kept them; the
 * period is the config's where it gave one (corrald keeps CPUs) */
static Runtime__V1__ContainerResources *resources_of(yajl_val ct, const ctr_config *cfg, cri_status_mem *mem)
{
	yajl_val r = json_get(json_get(ct, "config"), "resources");
	if (!YAJL_IS_OBJECT(r))
		return NULL;
	Runtime__V1__LinuxContainerResources *lx = &mem->linux;
	runtime__v1__linux_container_resources__init(lx);
	runtime__v1__container_resources__init(&mem->res);
	long long v = 0;
	if (json_int_in(json_get(r, "memory"), 0, (long long)1 << 62, &v))
		lx->memory_limit_in_bytes = v;
	if (json_int_in(json_get(r, "cpuShares"), 0, 262144, &v))
		lx->cpu_shares = v;
	if (json_int_in(json_get(r, "oomScoreAdj"), -1000, 1000, &v))
		lx->oom_score_adj = v;
	yajl_val cpus = json_get(r, "cpus");
	if (cpus && YAJL_IS_NUMBER(cpus)) {
		const Runtime__V1__LinuxContainerResources *given = cfg->linux ? cfg->linux->resources : NULL;
		lx->cpu_period = given && given->cpu_period > 0 ? given->cpu_period : 100000;
		lx->cpu_quota = (int64_t)(YAJL_GET_DOUBLE(cpus) * (double)lx->cpu_period + 0.5);
	}
	lx->cpuset_cpus = (char *)(json_str(r, "cpusetCpus") ?: "");
	lx->cpuset_mems = (char *)(json_str(r, "cpusetMems") ?: "");
	mem->res.linux = lx;
	return &mem->res;
}

ctr_config *cri_ctr_status_of(yajl_val ct, Runtime__V1__ContainerStatus *st, cri_status_mem *mem)
{
	ctr_config *cfg = ctr_config_of(ct);
	if (!cfg)
		return NULL;
	yajl_val state = json_get(ct, "state");
	runtime__v1__container_status__init(st);
	st->id = (char *)json_str(ct, "id");
	st->metadata = cfg->metadata;
	st->state = ctr_state_of(ct);
	st->created_at = meta_time_ns(json_str(ct, "created"));
	st->started_at = meta_time_ns(json_str(state, "startedAt"));
	st->finished_at = st->state == RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED ? meta_time_ns(json_str(state, "finishedAt")) : 0;
	long long code = 0;
	json_int_in(json_get(state, "exitCode"), -1000000, 1000000, &code);
	st->exit_code = (int32_t)code;
	yajl_val oom = json_get(state, "oomKilled");
	if (st->state == RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED)
		st->reason = oom && YAJL_IS_TRUE(oom) ? "OOMKilled" : code == 0 ? "Completed" : "Error";
	st->image = cfg->image;
	ctr_image_id(ct, mem->ref, CRI_IMAGE_REF_MAX);
	st->image_ref = mem->ref;
	st->image_id = mem->ref;
	st->n_labels = cfg->n_labels, st->labels = (void *)cfg->labels;
	st->n_annotations = cfg->n_annotations, st->annotations = (void *)cfg->annotations;
	st->n_mounts = cfg->n_mounts, st->mounts = cfg->mounts;
	st->log_path = (char *)(json_str(json_get(ct, "labels"), META_CTR_LOG) ?: "");
	st->resources = resources_of(ct, cfg, mem);
	return cfg;
}

static void status_done(cri_call *c, vl_reply *rep, void *data)
{
	const Runtime__V1__ContainerStatusRequest *req = data;
	if (rep->error)
		return cri_fail_corrald(c, rep, req->container_id);
	yajl_val ct = json_get(rep->params, "container");
	yajl_val state = json_get(ct, "state");
	Runtime__V1__ContainerStatus st;
	cri_status_mem mem;
	ctr_config *cfg = cri_ctr_status_of(ct, &st, &mem);
	if (!cfg)
		return cri_fail(c, GRPC_NOT_FOUND, "container %s: not a CRI container (one of corral's own)", req->container_id);
	store_saw_ctr(c, st.id, st.state);
	Runtime__V1__ContainerStatusResponse r = RUNTIME__V1__CONTAINER_STATUS_RESPONSE__INIT;
	r.status = &st;
	Runtime__V1__ContainerStatusResponse__InfoEntry info = RUNTIME__V1__CONTAINER_STATUS_RESPONSE__INFO_ENTRY__INIT;
	Runtime__V1__ContainerStatusResponse__InfoEntry *infos[] = { &info };
	_cleanup_free_ char *text = NULL;
	if (req->verbose) {
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		if (g && !yajl_gen_map_open(g) && !jg_key_str(g, "name", json_str(ct, "name") ?: "") &&
		    !jg_key_int(g, "pid", json_get(state, "pid") && YAJL_IS_INTEGER(json_get(state, "pid")) ?
						  YAJL_GET_INTEGER(json_get(state, "pid")) : 0) &&
		    !jg_key_str(g, "sandboxID", json_str(json_get(ct, "labels"), META_CTR_POD) ?: "") &&
		    !jg_key(g, "config") && !jg_value(g, json_get(ct, "config")) && !yajl_gen_map_close(g))
			text = jg_finish(g, NULL);
		info.key = "info", info.value = text ? text : "{}";
		r.n_info = 1, r.info = infos;
	}
	cri_reply(c, &r.base);
	protobuf_c_message_free_unpacked(&cfg->base, NULL);
}

void rpc_container_status(cri_call *c, const ProtobufCMessage *msg)
{
	const Runtime__V1__ContainerStatusRequest *req = (const void *)msg;
	if (!ctr_id_ok(c, "ContainerStatus", req->container_id))
		return;
	char params[128];
	snprintf(params, sizeof(params), "{\"id\":\"%s\"}", req->container_id);
	cri_corrald(c, "Inspect", params, 0, status_done, (void *)req);
}

static void list_done(cri_call *c, vl_reply *rep, void *data)
{
	const Runtime__V1__ListContainersRequest *req = data;
	if (rep->error)
		return cri_fail_corrald(c, rep, "ListContainers");
	yajl_val list = json_get(rep->params, "containers");
	size_t n = YAJL_IS_ARRAY(list) ? list->u.array.len : 0;
	_cleanup_free_ cri_ctr_item *items = calloc(n + 1, sizeof(*items));
	_cleanup_free_ cri_ctr_item **ptrs = calloc(n + 1, sizeof(*ptrs));
	if (!items || !ptrs)
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	for (size_t i = 0; i < n; i++) /* one of corral's own is none */
		if (ctr_item_of(list->u.array.values[i], &items[i]) == 0)
			ptrs[i] = &items[i];
	ctr_items_answer(c, req->filter, ptrs, n);
	for (size_t i = 0; i < n; i++)
		ctr_item_release(&items[i]);
}

void rpc_list_containers(cri_call *c, const ProtobufCMessage *msg)
{
	const Runtime__V1__ListContainersRequest *req = (const void *)msg;
	if (store_list_ctrs(c, req->filter))
		return;
	const char *pod = req->filter ? req->filter->pod_sandbox_id : "";
	char params[200];
	/* a whole pod id narrows corrald's list; a prefix is matched here */
	if (strlen(pod) == 63 && strspn(pod, "0123456789abcdef") == 63)
		snprintf(params, sizeof(params), "{\"all\":true,\"labels\":{\"" META_CTR_POD "\":\"%s\"}}", pod);
	else
		snprintf(params, sizeof(params), "{\"all\":true}");
	cri_corrald(c, "List", params, 0, list_done, (void *)req);
}
