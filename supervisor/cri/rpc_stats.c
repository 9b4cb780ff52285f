/* ContainerStats, ListContainerStats, PodSandboxStats, ListPodSandboxStats:
 * corrald's Stats of each running CRI container, in three steps. First the
 * containers, with List's size (corrald walks their writable layers: only
 * this step does, and a pod's call lists its pod's containers only); then
 * Stats of each, a few at once; then the answer (for pods, with their
 * sessions: rpc_pod_stats.c). What a step keeps for the next is in the
 * call's ctx, one block sized at the first step: a call whose client went
 * gets no callback, and its ctx is freed whole. */
#include "supervisor/cri/cri_rpcs.h"
#include "supervisor/cri/rpc_stats.h"
#include "supervisor/cri/rpc_containers.h"
#include "supervisor/cri/rpc_pods.h"
#include "supervisor/cri/corrald_errors.h"
#include "supervisor/cri/links.h"
#include "supervisor/cri/grpc_call.h"
#include "supervisor/cri/cri_stats.h"
#include "supervisor/cri/rpc_pod_stats.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STATS_AT_ONCE 4 /* Stats calls in flight for one rpc: each holds a connection to corrald */

typedef Runtime__V1__ContainerConfig ctr_config;

static bool is_pod_id(const char *s) { return strlen(s) == 63 && strspn(s, "0123456789abcdef") == 63; }

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- step 3: the containers' answer */

static void reply_ctrs(cri_call *c, stats_call *j)
{
	stats_want w = stats_want_of(j->req);
	stats_ctr_out *o = calloc(j->n + 1, sizeof(*o));
	_cleanup_free_ Runtime__V1__ContainerStats **ptrs = calloc(j->n + 1, sizeof(*ptrs));
	if (!o || !ptrs) {
		free(o);
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	}
	size_t k = 0;
	for (size_t i = 0; i < j->n; i++) {
		/* as containerd: the running ones (one asked for by id: whatever it is) */
		if (!j->s[i].got && !w.one)
			continue;
		stats_ctr_fill(&o[k], &j->s[i], j->arena);
		ptrs[k] = &o[k].st;
		k++;
	}
	if (!w.one) {
		Runtime__V1__ListContainerStatsResponse r = RUNTIME__V1__LIST_CONTAINER_STATS_RESPONSE__INIT;
		r.n_stats = k, r.stats = ptrs;
		cri_reply(c, &r.base);
	} else if (k) {
		Runtime__V1__ContainerStatsResponse r = RUNTIME__V1__CONTAINER_STATS_RESPONSE__INIT;
		r.stats = ptrs[0];
		cri_reply(c, &r.base);
	} else {
		cri_fail(c, GRPC_NOT_FOUND, "ContainerStats: container %s: gone", w.id);
	}
	stats_ctr_outs_free(o, k);
}

/* ---- step 2: Stats of each, a few at once */

static void stats_next(cri_call *c, stats_call *j);

/* a figure of Stats; -1 when it is null (not known; no limit) */
static int64_t figure(yajl_val st, const char *key)
{
	long long v;
	return json_int_in(json_get(st, key), 0, INT64_MAX / 1000, &v) ? v : -1;
}

static uint64_t counter(yajl_val st, const char *key)
{
	int64_t v = figure(st, key);
	return v < 0 ? 0 : (uint64_t)v;
}

static void sampled(cri_call *c, vl_reply *rep, void *data)
{
	stats_call *j = cri_call_ctx(c, sizeof(*j));
	stats_sample *s = &j->s[(uintptr_t)data];
	j->in_flight--;
	/* an error: it stopped since List (InvalidState), or went */
	yajl_val st = rep->error ? NULL : json_get(rep->params, "stats");
	if (st) {
		s->got = true;
		s->at_ns = now_ns();
		s->cpu_ns = counter(st, "cpuUsageUsec") * 1000;
		s->mem = figure(st, "memoryBytes");
		s->working_set = figure(st, "memoryWorkingSet");
		s->limit = figure(st, "memoryLimit");
		s->pids = counter(st, "pids");
		s->rx = counter(st, "netInput");
		s->tx = counter(st, "netOutput");
	}
	stats_next(c, j);
}

static void stats_next(cri_call *c, stats_call *j)
{
	while (j->next < j->n && j->in_flight < STATS_AT_ONCE) {
		size_t i = j->next++;
		if (!j->s[i].running)
			continue;
		char params[128];
		snprintf(params, sizeof(params), "{\"id\":\"%s\"}", j->s[i].id);
		j->in_flight++;
		cri_corrald(c, "Stats", params, 0, sampled, (void *)(uintptr_t)i);
	}
	if (j->in_flight || j->next < j->n)
		return;
	if (stats_want_of(j->req).pods)
		return stats_pods_answer(c, j);
	reply_ctrs(c, j);
}

/* ---- step 1: the containers */

/* The CRI container ct is, if the request wants it: its config (the
 * caller frees it), else NULL */
static ctr_config *picked(yajl_val ct, const stats_want *w)
{
	const char *id = json_str(ct, "id"), *pod = json_str(json_get(ct, "labels"), META_CTR_POD);
	if (!id || strlen(id) > 64 || !pod || strlen(pod) > 63 || !stats_prefixed(id, w->id) ||
	    !stats_prefixed(pod, w->pod))
		return NULL;
	ctr_config *cfg = (ctr_config *)meta_get(json_get(ct, "labels"), META_CTR_CONFIG,
						 &runtime__v1__container_config__descriptor);
	if (cfg && !meta_labels_match((meta_kv *const *)cfg->labels, cfg->n_labels, w->sel, w->n_sel)) {
		protobuf_c_message_free_unpacked(&cfg->base, NULL);
		return NULL;
	}
	return cfg;
}

static Runtime__V1__ContainerAttributes attrs_of(yajl_val ct, const ctr_config *cfg)
{
	Runtime__V1__ContainerAttributes a = RUNTIME__V1__CONTAINER_ATTRIBUTES__INIT;
	a.id = (char *)json_str(ct, "id");
	a.metadata = cfg->metadata;
	a.n_labels = cfg->n_labels, a.labels = (void *)cfg->labels;
	a.n_annotations = cfg->n_annotations, a.annotations = (void *)cfg->annotations;
	return a;
}

static void listed(cri_call *c, vl_reply *rep, void *data)
{
	const ProtobufCMessage *req = data;
	stats_want w = stats_want_of(req);
	if (rep->error)
		return cri_fail_corrald(c, rep, req->descriptor->short_name);
	yajl_val list = json_get(rep->params, "containers");
	size_t n = YAJL_IS_ARRAY(list) ? list->u.array.len : 0, k = 0, arena = 0;
	_cleanup_free_ ctr_config **cfgs = calloc(n + 1, sizeof(*cfgs));
	if (!cfgs)
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (!(cfgs[i] = picked(list->u.array.values[i], &w)))
			continue;
		Runtime__V1__ContainerAttributes a = attrs_of(list->u.array.values[i], cfgs[i]);
		arena += protobuf_c_message_get_packed_size(&a.base);
		k++;
	}
	stats_call *j = cri_call_ctx(c, sizeof(*j) + k * sizeof(stats_sample) + arena);
	if (j)
		j->req = req, j->n = k, j->arena = (uint8_t *)&j->s[k];
	int64_t now = now_ns();
	for (size_t i = 0, x = 0, off = 0; j && i < n; i++) {
		if (!cfgs[i])
			continue;
		yajl_val ct = list->u.array.values[i];
		const char *status = json_str(json_get(ct, "state"), "status");
		stats_sample *s = &j->s[x++];
		snprintf(s->id, sizeof(s->id), "%s", json_str(ct, "id"));
		snprintf(s->pod, sizeof(s->pod), "%s", json_str(json_get(ct, "labels"), META_CTR_POD));
		s->running = status && (streq(status, "running") || streq(status, "paused"));
		long long size;
		s->sized = json_int_in(json_get(ct, "sizeRw"), 0, INT64_MAX, &size);
		s->size_rw = s->sized ? (uint64_t)size : 0;
		s->at_ns = now;
		Runtime__V1__ContainerAttributes a = attrs_of(ct, cfgs[i]);
		s->attrs_off = off;
		s->attrs_len = protobuf_c_message_pack(&a.base, j->arena + off);
		off += s->attrs_len;
	}
	for (size_t i = 0; i < n; i++)
		if (cfgs[i])
			protobuf_c_message_free_unpacked(&cfgs[i]->base, NULL);
	if (!j)
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	stats_next(c, j);
}

/* List's params: running containers (all of them, for one asked for by
 * id), of one pod when one is named whole, with their sizes */
static void list(cri_call *c, const ProtobufCMessage *req, const char *pod, bool all)
{
	char params[200];
	if (is_pod_id(pod))
		snprintf(params, sizeof(params), "{\"all\":%s,\"size\":true,\"labels\":{\"" META_CTR_POD "\":\"%s\"}}",
			 all ? "true" : "false", pod);
	else
		snprintf(params, sizeof(params), "{\"size\":true}");
	cri_corrald(c, "List", params, 0, listed, (void *)req);
}

static void inspected(cri_call *c, vl_reply *rep, void *data)
{
	const Runtime__V1__ContainerStatsRequest *req = data;
	if (rep->error)
		return cri_fail_corrald(c, rep, req->container_id);
	yajl_val labels = json_get(json_get(rep->params, "container"), "labels");
	const char *pod = json_str(labels, META_CTR_POD);
	if (!pod || !is_pod_id(pod) || !json_str(labels, META_CTR_CONFIG))
		return cri_fail(c, GRPC_NOT_FOUND, "container %s: not a CRI container (one of corral's own)",
				req->container_id);
	list(c, data, pod, true);
}

void rpc_container_stats(cri_call *c, const ProtobufCMessage *msg)
{
	const Runtime__V1__ContainerStatsRequest *req = (const void *)msg;
	if (!ctr_id_ok(c, "ContainerStats", req->container_id))
		return;
	char params[128];
	snprintf(params, sizeof(params), "{\"id\":\"%s\"}", req->container_id);
	cri_corrald(c, "Inspect", params, 0, inspected, (void *)req);
}

void rpc_list_container_stats(cri_call *c, const ProtobufCMessage *msg)
{
	list(c, msg, stats_want_of(msg).pod, false);
}

void rpc_pod_sandbox_stats(cri_call *c, const ProtobufCMessage *msg)
{
	const Runtime__V1__PodSandboxStatsRequest *req = (const void *)msg;
	if (!pod_id_ok(c, "PodSandboxStats", req->pod_sandbox_id))
		return;
	list(c, msg, req->pod_sandbox_id, false);
}

void rpc_list_pod_sandbox_stats(cri_call *c, const ProtobufCMessage *msg)
{
	list(c, msg, stats_want_of(msg).pod, false);
}
