/* ContainerStatus and ListContainers, from corrald's Inspect and List:
 * answered from its memory, so that kubelet's relist never waits. */
#include "supervisor/cri/cri_rpcs.h"
#include "supervisor/cri/cri_meta.h"
#include "supervisor/cri/runtime_v1.pb-c.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef Runtime__V1__ContainerConfig ctr_config;

static Runtime__V1__ContainerState state_of(yajl_val ct)
{
	const char *st = meta_str(json_get(ct, "state"), "status");
	if (!st)
		return RUNTIME__V1__CONTAINER_STATE__CONTAINER_UNKNOWN;
	if (streq(st, "created"))
		return RUNTIME__V1__CONTAINER_STATE__CONTAINER_CREATED;
	if (streq(st, "running") || streq(st, "paused") || streq(st, "restarting"))
		return RUNTIME__V1__CONTAINER_STATE__CONTAINER_RUNNING;
	if (streq(st, "exited"))
		return RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED;
	return RUNTIME__V1__CONTAINER_STATE__CONTAINER_UNKNOWN;
}

static ctr_config *config_of(yajl_val ct)
{
	return (ctr_config *)meta_get(json_get(ct, "labels"), META_CTR_CONFIG, &runtime__v1__container_config__descriptor);
}

/* "sha256:..." as the CRI names an image by its id */
static void image_id(yajl_val ct, char *out, size_t n)
{
	const char *d = meta_str(ct, "imageDigest");
	snprintf(out, n, "%s%s", d && strncmp(d, "sha256:", 7) ? "sha256:" : "", d ? d : "");
}

ctr_config *cri_ctr_status_of(yajl_val ct, Runtime__V1__ContainerStatus *st, char ref[CRI_IMAGE_REF_MAX])
{
	ctr_config *cfg = config_of(ct);
	if (!cfg)
		return NULL;
	yajl_val state = json_get(ct, "state");
	runtime__v1__container_status__init(st);
	st->id = (char *)meta_str(ct, "id");
	st->metadata = cfg->metadata;
	st->state = state_of(ct);
	st->created_at = meta_time_ns(meta_str(ct, "created"));
	st->started_at = meta_time_ns(meta_str(state, "startedAt"));
	st->finished_at = st->state == RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED ? meta_time_ns(meta_str(state, "finishedAt")) : 0;
	long long code = 0;
	json_int_in(json_get(state, "exitCode"), -1000000, 1000000, &code);
	st->exit_code = (int32_t)code;
	yajl_val oom = json_get(state, "oomKilled");
	if (st->state == RUNTIME__V1__CONTAINER_STATE__CONTAINER_EXITED)
		st->reason = oom && YAJL_IS_TRUE(oom) ? "OOMKilled" : code == 0 ? "Completed" : "Error";
	st->image = cfg->image;
	image_id(ct, ref, CRI_IMAGE_REF_MAX);
	st->image_ref = ref;
	st->image_id = ref;
	st->n_labels = cfg->n_labels, st->labels = (void *)cfg->labels;
	st->n_annotations = cfg->n_annotations, st->annotations = (void *)cfg->annotations;
	st->n_mounts = cfg->n_mounts, st->mounts = cfg->mounts;
	st->log_path = (char *)(meta_str(json_get(ct, "labels"), META_CTR_LOG) ?: "");
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
	char ref[CRI_IMAGE_REF_MAX];
	ctr_config *cfg = cri_ctr_status_of(ct, &st, ref);
	if (!cfg)
		return cri_fail(c, GRPC_NOT_FOUND, "container %s: not a CRI container (one of corral's own)", req->container_id);
	Runtime__V1__ContainerStatusResponse r = RUNTIME__V1__CONTAINER_STATUS_RESPONSE__INIT;
	r.status = &st;
	Runtime__V1__ContainerStatusResponse__InfoEntry info = RUNTIME__V1__CONTAINER_STATUS_RESPONSE__INFO_ENTRY__INIT;
	Runtime__V1__ContainerStatusResponse__InfoEntry *infos[] = { &info };
	_cleanup_free_ char *text = NULL;
	if (req->verbose) {
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		if (g && !yajl_gen_map_open(g) && !jg_key_str(g, "name", meta_str(ct, "name") ?: "") &&
		    !jg_key_int(g, "pid", json_get(state, "pid") && YAJL_IS_INTEGER(json_get(state, "pid")) ?
						  YAJL_GET_INTEGER(json_get(state, "pid")) : 0) &&
		    !jg_key_str(g, "sandboxID", meta_str(json_get(ct, "labels"), META_CTR_POD) ?: "") &&
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
	const Runtime__V1__ContainerFilter *f = ((const Runtime__V1__ListContainersRequest *)data)->filter;
	if (rep->error)
		return cri_fail_corrald(c, rep, "ListContainers");
	yajl_val list = json_get(rep->params, "containers");
	size_t n = YAJL_IS_ARRAY(list) ? list->u.array.len : 0;
	_cleanup_free_ Runtime__V1__Container *items = calloc(n + 1, sizeof(*items));
	_cleanup_free_ Runtime__V1__Container **ptrs = calloc(n + 1, sizeof(*ptrs));
	_cleanup_free_ ctr_config **cfgs = calloc(n + 1, sizeof(*cfgs));
	_cleanup_free_ char(*refs)[96] = calloc(n + 1, sizeof(*refs));
	if (!items || !ptrs || !cfgs || !refs)
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		yajl_val ct = list->u.array.values[i];
		const char *id = meta_str(ct, "id");
		const char *pod = meta_str(json_get(ct, "labels"), META_CTR_POD);
		Runtime__V1__ContainerState state = state_of(ct);
		if (!id || !pod || (f && *f->id && strncmp(id, f->id, strlen(f->id)) != 0) ||
		    (f && *f->pod_sandbox_id && strncmp(pod, f->pod_sandbox_id, strlen(f->pod_sandbox_id)) != 0) ||
		    (f && f->state && f->state->state != state))
			continue;
		ctr_config *cfg = config_of(ct);
		if (!cfg)
			continue;
		if (f && !meta_labels_match((meta_kv *const *)cfg->labels, cfg->n_labels,
					    (meta_kv *const *)f->label_selector, f->n_label_selector)) {
			protobuf_c_message_free_unpacked(&cfg->base, NULL);
			continue;
		}
		Runtime__V1__Container *x = &items[k];
		runtime__v1__container__init(x);
		x->id = (char *)id;
		x->pod_sandbox_id = (char *)pod;
		x->metadata = cfg->metadata;
		x->image = cfg->image;
		image_id(ct, refs[k], sizeof(refs[k]));
		x->image_ref = refs[k];
		x->image_id = refs[k];
		x->state = state;
		x->created_at = meta_time_ns(meta_str(ct, "created"));
		x->n_labels = cfg->n_labels, x->labels = (void *)cfg->labels;
		x->n_annotations = cfg->n_annotations, x->annotations = (void *)cfg->annotations;
		cfgs[k] = cfg;
		ptrs[k] = x;
		k++;
	}
	Runtime__V1__ListContainersResponse r = RUNTIME__V1__LIST_CONTAINERS_RESPONSE__INIT;
	r.n_containers = k, r.containers = ptrs;
	cri_reply(c, &r.base);
	for (size_t i = 0; i < k; i++)
		protobuf_c_message_free_unpacked(&cfgs[i]->base, NULL);
}

void rpc_list_containers(cri_call *c, const ProtobufCMessage *msg)
{
	const Runtime__V1__ListContainersRequest *req = (const void *)msg;
	const char *pod = req->filter ? req->filter->pod_sandbox_id : "";
	char params[200];
	/* a whole pod id narrows corrald's list; a prefix is matched here */
	if (strlen(pod) == 63 && strspn(pod, "0123456789abcdef") == 63)
		snprintf(params, sizeof(params), "{\"all\":true,\"labels\":{\"" META_CTR_POD "\":\"%s\"}}", pod);
	else
		snprintf(params, sizeof(params), "{\"all\":true}");
	cri_corrald(c, "List", params, 0, list_done, (void *)req);
}
