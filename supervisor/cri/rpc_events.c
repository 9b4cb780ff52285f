/* GetContainerEvents, kubelet's evented PLEG: a server stream of each CRI
 * container's creation, start, stop (its death) and removal, from corrald's
 * Events, and of each pod's (its session's) as containerd sends them: the
 * pod's id as the container's, created and started at once, stopped. Each goes out with its pod's status and the statuses of the
 * pod's containers, as containerd sends them, which kubelet puts in its
 * cache whole: SessionInspect, then List of the pod's containers, one event
 * at a time so that they go out in order. What waits is in the call's ctx
 * (a call whose client went gets no callback, and its ctx is freed whole). */
#include "supervisor/cri/cri_rpcs.h"
#include "supervisor/cri/rpc_events.h"
#include "supervisor/cri/rpc_ctr_status.h"
#include "supervisor/cri/corrald_errors.h"
#include "supervisor/cri/links.h"
#include "supervisor/cri/grpc_call.h"
#include "supervisor/cri/cri_items.h"
#include "supervisor/cri/cri_meta.h"
#include "supervisor/cri/runtime_v1.pb-c.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* events waiting for their lookups: past that the stream fails, and
 * kubelet lists again (as after any break of the stream) */
#define EVENTS_QUEUED 256
#define POD_STATUS_MAX 4096 /* the PodSandboxStatus an event carries, packed */

typedef struct pending {
	char id[65], pod[64];
	Runtime__V1__ContainerEventType type;
	int64_t at_ns;
} pending;

typedef struct events_call {
	pending q[EVENTS_QUEUED];
	size_t head, len;
	bool busy; /* the head's lookups are in flight */
	size_t pod_len; /* the head's pod status, packed; 0: none */
	uint8_t pod_status[POD_STATUS_MAX];
} events_call;

static bool type_of(const char *action, Runtime__V1__ContainerEventType *t)
{
	/* a pod's: its session's create (and with it, start) and stop; a
	 * removed one has no status left to send (as a container's) */
	static const struct {
		const char *action;
		Runtime__V1__ContainerEventType type;
	} types[] = {
		{ "create", RUNTIME__V1__CONTAINER_EVENT_TYPE__CONTAINER_CREATED_EVENT },
		{ "start", RUNTIME__V1__CONTAINER_EVENT_TYPE__CONTAINER_STARTED_EVENT },
		/* "stop" is asked for: "die" is when it has stopped */
		{ "die", RUNTIME__V1__CONTAINER_EVENT_TYPE__CONTAINER_STOPPED_EVENT },
		{ "remove", RUNTIME__V1__CONTAINER_EVENT_TYPE__CONTAINER_DELETED_EVENT },
	};
	for (size_t i = 0; action && i < ARRAY_SIZE(types); i++)
		if (streq(action, types[i].action))
			return *t = types[i].type, true;
	return false;
}

static void next_event(cri_call *c, events_call *j);

static void event_done(cri_call *c, events_call *j)
{
	j->head = (j->head + 1) % EVENTS_QUEUED;
	j->len--;
	next_event(c, j);
}

static void ctrs_listed(cri_call *c, vl_reply *rep, void *data)
{
	events_call *j = cri_call_ctx(c, sizeof(*j));
	const pending *e = &j->q[j->head];
	if (rep->error)
		return cri_fail_corrald(c, rep, "GetContainerEvents");
	yajl_val list = json_get(rep->params, "containers");
	size_t n = YAJL_IS_ARRAY(list) ? list->u.array.len : 0, k = 0;
	_cleanup_free_ Runtime__V1__ContainerStatus *st = calloc(n + 1, sizeof(*st));
	_cleanup_free_ Runtime__V1__ContainerStatus **ptrs = calloc(n + 1, sizeof(*ptrs));
	_cleanup_free_ Runtime__V1__ContainerConfig **cfgs = calloc(n + 1, sizeof(*cfgs));
	_cleanup_free_ cri_status_mem *mems = calloc(n + 1, sizeof(*mems));
	if (!st || !ptrs || !cfgs || !mems)
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	bool ours = true; /* gone since (removed): its pod says it was a CRI one */
	for (size_t i = 0; i < n; i++) {
		yajl_val ct = list->u.array.values[i];
		cfgs[k] = cri_ctr_status_of(ct, &st[k], &mems[k]);
		if (streq(json_str(ct, "id") ?: "", e->id))
			ours = cfgs[k] != NULL;
		if (cfgs[k])
			ptrs[k] = &st[k], k++;
	}
	int sent = 0;
	if (ours) {
		Runtime__V1__ContainerEventResponse r = RUNTIME__V1__CONTAINER_EVENT_RESPONSE__INIT;
		r.container_id = (char *)e->id;
		r.container_event_type = e->type;
		r.created_at = e->at_ns;
		r.pod_sandbox_status = j->pod_len ? (void *)protobuf_c_message_unpack(&runtime__v1__pod_sandbox_status__descriptor,
										     NULL, j->pod_len, j->pod_status)
						  : NULL;
		r.n_containers_statuses = k, r.containers_statuses = ptrs;
		sent = cri_stream_send(c, &r.base);
		if (r.pod_sandbox_status)
			protobuf_c_message_free_unpacked(&r.pod_sandbox_status->base, NULL);
	}
	for (size_t i = 0; i < k; i++)
		protobuf_c_message_free_unpacked(&cfgs[i]->base, NULL);
	if (sent == 0) /* else the client is gone, or the stream failed */
		event_done(c, j);
}

/* The pod's status as kubelet reads it from an event: its id, metadata,
 * state, creation and address (PodSandboxStatus gives the rest) */
static void pod_inspected(cri_call *c, vl_reply *rep, void *data)
{
	events_call *j = cri_call_ctx(c, sizeof(*j));
	const pending *e = &j->q[j->head];
	/* the pod went first (a RemovePodSandbox): kubelet drops an event
	 * without its pod's status, so none goes */
	if (rep->error && strstr(rep->error, "NoSuchSession"))
		return event_done(c, j);
	if (rep->error)
		return cri_fail_corrald(c, rep, "GetContainerEvents");
	yajl_val s = json_get(rep->params, "session");
	Runtime__V1__PodSandboxConfig *cfg = pod_config_of(s);
	if (!cfg) /* a session of corral's own */
		return event_done(c, j);
	cri_pod_status ps;
	pod_status_of(s, e->pod, cfg, &ps);
	size_t len = protobuf_c_message_get_packed_size(&ps.st.base);
	j->pod_len = len <= POD_STATUS_MAX ? protobuf_c_message_pack(&ps.st.base, j->pod_status) : 0;
	protobuf_c_message_free_unpacked(&cfg->base, NULL);
	char params[200];
	snprintf(params, sizeof(params), "{\"all\":true,\"labels\":{\"" META_CTR_POD "\":\"%s\"}}", e->pod);
	cri_corrald(c, "List", params, 0, ctrs_listed, NULL);
}

static void next_event(cri_call *c, events_call *j)
{
	j->busy = j->len > 0;
	if (!j->busy)
		return;
	char params[128];
	snprintf(params, sizeof(params), "{\"name\":\"%s\"}", j->q[j->head].pod);
	cri_corrald(c, "SessionInspect", params, 0, pod_inspected, NULL);
}

static bool is_pod_id(const char *id) { return id && strlen(id) == 63 && strspn(id, "0123456789abcdef") == 63; }

static int queue_event(cri_call *c, events_call *j, const char *id, const char *pod, Runtime__V1__ContainerEventType type,
		       int64_t at_ns)
{
	if (j->len == EVENTS_QUEUED)
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "GetContainerEvents: more than %d events wait for their pods' status",
				EVENTS_QUEUED), -1;
	pending *e = &j->q[(j->head + j->len++) % EVENTS_QUEUED];
	snprintf(e->id, sizeof(e->id), "%s", id);
	snprintf(e->pod, sizeof(e->pod), "%s", pod);
	e->type = type;
	e->at_ns = at_ns;
	return 0;
}

static void on_pod_event(cri_call *c, events_call *j, yajl_val ev)
{
	const char *action = json_str(ev, "action"), *id = json_str(ev, "id");
	int64_t at = meta_time_ns(json_str(ev, "time"));
	if (!is_pod_id(id) || !action)
		return;
	int r = 0;
	if (streq(action, "create") &&
	    (r = queue_event(c, j, id, id, RUNTIME__V1__CONTAINER_EVENT_TYPE__CONTAINER_CREATED_EVENT, at)) == 0)
		r = queue_event(c, j, id, id, RUNTIME__V1__CONTAINER_EVENT_TYPE__CONTAINER_STARTED_EVENT, at);
	else if (streq(action, "stop"))
		r = queue_event(c, j, id, id, RUNTIME__V1__CONTAINER_EVENT_TYPE__CONTAINER_STOPPED_EVENT, at);
	if (r == 0 && !j->busy)
		next_event(c, j);
}

static void on_event(cri_call *c, vl_reply *rep, void *data)
{
	events_call *j = cri_call_ctx(c, sizeof(*j));
	if (!j)
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	if (rep->error)
		return cri_fail_corrald(c, rep, "GetContainerEvents");
	if (!rep->continues)
		return cri_stream_end(c);
	yajl_val ev = json_get(rep->params, "event");
	const char *kind = json_str(ev, "type");
	if (kind && streq(kind, "session"))
		return on_pod_event(c, j, ev);
	const char *id = json_str(ev, "id"), *pod = json_str(json_get(ev, "attributes"), "session");
	Runtime__V1__ContainerEventType type;
	/* a CRI container is in its pod's session, named by a pod id */
	if (!kind || !streq(kind, "container") || !type_of(json_str(ev, "action"), &type) || !id || strlen(id) > 64 ||
	    !is_pod_id(pod))
		return;
	if (queue_event(c, j, id, pod, type, meta_time_ns(json_str(ev, "time"))) == 0 && !j->busy)
		next_event(c, j);
}

void rpc_get_container_events(cri_call *c, const ProtobufCMessage *req)
{
	/* containers' and sessions' (one filter takes one type): on_event
	 * keeps those two */
	cri_corrald(c, "Events", "{}", VL_CALL_MORE, on_event, NULL);
}
