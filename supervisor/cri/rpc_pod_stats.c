/* PodSandboxStats' and ListPodSandboxStats' answer (cri_stats.h): a pod's
 * figures are its running containers' summed (corral keeps no cgroup of
 * the pod's own, and runs no pause container), its network is what one of
 * them sees (they share the pod's namespace), its attributes are its
 * session's PodSandboxConfig. */
#include "supervisor/cri/cri_rpcs.h"
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

typedef Runtime__V1__PodSandboxConfig pod_config;

typedef struct pod_out {
	Runtime__V1__PodSandboxStats ps;
	Runtime__V1__PodSandboxAttributes attrs;
	Runtime__V1__LinuxPodSandboxStats lx;
	Runtime__V1__CpuUsage cpu;
	Runtime__V1__MemoryUsage mem;
	Runtime__V1__ProcessUsage proc;
	Runtime__V1__NetworkUsage net;
	Runtime__V1__NetworkInterfaceUsage eth0, *ifs[1];
	Runtime__V1__UInt64Value v[7];
	pod_config *cfg;
} pod_out;

/* a pod on a CNI network has its eth0 there; on the host's network, or
 * none, it has no interface of its own */
static void net_fill(pod_out *p, yajl_val session, const stats_sample *x)
{
	const Runtime__V1__LinuxPodSandboxConfig *lx = p->cfg->linux;
	const Runtime__V1__NamespaceOption *ns =
		lx && lx->security_context ? lx->security_context->namespace_options : NULL;
	if (!json_str(session, "ipAddress") || (ns && ns->network == RUNTIME__V1__NAMESPACE_MODE__NODE))
		return;
	runtime__v1__network_interface_usage__init(&p->eth0);
	p->eth0.name = "eth0";
	p->eth0.rx_bytes = stats_u64(&p->v[5], x->rx);
	p->eth0.tx_bytes = stats_u64(&p->v[6], x->tx);
	runtime__v1__network_usage__init(&p->net);
	p->net.timestamp = x->at_ns;
	p->net.default_interface = &p->eth0;
	p->ifs[0] = &p->eth0;
	p->net.n_interfaces = 1, p->net.interfaces = p->ifs;
	p->lx.network = &p->net;
}

/* p's stats, its containers' into outs and ptrs (as many as it has) */
static void pod_fill(pod_out *p, yajl_val session, const stats_call *j, stats_ctr_out *outs,
		     Runtime__V1__ContainerStats **ptrs)
{
	const char *id = json_str(session, "name");
	runtime__v1__pod_sandbox_stats__init(&p->ps);
	runtime__v1__pod_sandbox_attributes__init(&p->attrs);
	p->attrs.id = (char *)id;
	p->attrs.metadata = p->cfg->metadata;
	p->attrs.n_labels = p->cfg->n_labels, p->attrs.labels = (void *)p->cfg->labels;
	p->attrs.n_annotations = p->cfg->n_annotations, p->attrs.annotations = (void *)p->cfg->annotations;
	p->ps.attributes = &p->attrs;
	runtime__v1__linux_pod_sandbox_stats__init(&p->lx);
	p->lx.containers = ptrs;
	p->ps.linux = &p->lx;
	uint64_t cpu = 0, mem = 0, working_set = 0, pids = 0;
	const stats_sample *first = NULL;
	bool mem_known = false;
	int64_t at = 0;
	for (size_t i = 0; i < j->n; i++) {
		const stats_sample *x = &j->s[i];
		if (!x->got || !streq(x->pod, id))
			continue;
		stats_ctr_fill(&outs[p->lx.n_containers], x, j->arena);
		ptrs[p->lx.n_containers] = &outs[p->lx.n_containers].st;
		p->lx.n_containers++;
		cpu += x->cpu_ns, pids += x->pids, at = x->at_ns > at ? x->at_ns : at;
		if (x->mem >= 0)
			mem += (uint64_t)x->mem, mem_known = true;
		if (x->mem >= 0)
			working_set += (uint64_t)(x->working_set >= 0 ? x->working_set : x->mem);
		first = first ? first : x;
	}
	if (!first) /* nothing runs in it: nothing to sum */
		return;
	runtime__v1__cpu_usage__init(&p->cpu);
	p->cpu.timestamp = at;
	p->cpu.usage_core_nano_seconds = stats_u64(&p->v[0], cpu);
	p->cpu.usage_nano_cores = stats_u64(&p->v[1], stats_nano_cores(id, at, cpu));
	p->lx.cpu = &p->cpu;
	if (mem_known) {
		runtime__v1__memory_usage__init(&p->mem);
		p->mem.timestamp = at;
		p->mem.working_set_bytes = stats_u64(&p->v[2], working_set);
		p->mem.usage_bytes = stats_u64(&p->v[3], mem);
		p->lx.memory = &p->mem;
	}
	runtime__v1__process_usage__init(&p->proc);
	p->proc.timestamp = at;
	p->proc.process_count = stats_u64(&p->v[4], pids);
	p->lx.process = &p->proc;
	net_fill(p, session, first);
}

static void sessions_done(cri_call *c, vl_reply *rep, void *data)
{
	stats_call *j = cri_call_ctx(c, sizeof(*j));
	stats_want w = stats_want_of(j->req);
	if (rep->error)
		return cri_fail_corrald(c, rep, w.one ? w.pod : "ListPodSandboxStats");
	yajl_val one = json_get(rep->params, "session"), list = json_get(rep->params, "sessions");
	size_t n = one ? 1 : YAJL_IS_ARRAY(list) ? list->u.array.len : 0;
	const Runtime__V1__PodSandboxStatsFilter *f =
		w.one ? NULL : ((const Runtime__V1__ListPodSandboxStatsRequest *)j->req)->filter;
	_cleanup_free_ pod_out *pods = calloc(n + 1, sizeof(*pods));
	stats_ctr_out *outs = calloc(j->n + 1, sizeof(*outs));
	_cleanup_free_ Runtime__V1__ContainerStats **ptrs = calloc(j->n + 1, sizeof(*ptrs));
	_cleanup_free_ Runtime__V1__PodSandboxStats **items = calloc(n + 1, sizeof(*items));
	size_t k = 0, used = 0;
	bool a_pod = false; /* a CRI pod, ready or not, was there */
	for (size_t i = 0; pods && outs && ptrs && items && i < n; i++) {
		yajl_val s = one ? one : list->u.array.values[i];
		yajl_val stopped = json_get(s, "stopped");
		const char *id = json_str(s, "name");
		pod_out *p = &pods[k];
		if (!id || !stats_prefixed(id, w.pod))
			continue;
		p->cfg = (pod_config *)meta_get(json_get(s, "labels"), META_POD_CONFIG,
						&runtime__v1__pod_sandbox_config__descriptor);
		if (!p->cfg)
			continue; /* a session of corral's own */
		a_pod = true;
		/* as containerd: a pod that is not ready has no stats */
		if ((stopped && YAJL_IS_TRUE(stopped)) ||
		    (f && !meta_labels_match((meta_kv *const *)p->cfg->labels, p->cfg->n_labels,
					     (meta_kv *const *)f->label_selector, f->n_label_selector))) {
			protobuf_c_message_free_unpacked(&p->cfg->base, NULL);
			p->cfg = NULL;
			continue;
		}
		pod_fill(p, s, j, outs + used, ptrs + used);
		used += p->lx.n_containers;
		items[k++] = &p->ps;
	}
	if (!pods || !outs || !ptrs || !items) {
		cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	} else if (w.one) {
		Runtime__V1__PodSandboxStatsResponse r = RUNTIME__V1__POD_SANDBOX_STATS_RESPONSE__INIT;
		r.stats = items[0];
		if (k)
			cri_reply(c, &r.base);
		else if (a_pod) /* containerd's word for a pod not ready */
			cri_fail(c, GRPC_UNAVAILABLE, "PodSandboxStats: pod %s is not ready", w.pod);
		else
			cri_fail(c, GRPC_NOT_FOUND, "pod %s: not a CRI pod (a session of corral's own)", w.pod);
	} else {
		Runtime__V1__ListPodSandboxStatsResponse r = RUNTIME__V1__LIST_POD_SANDBOX_STATS_RESPONSE__INIT;
		r.n_stats = k, r.stats = items;
		cri_reply(c, &r.base);
	}
	for (size_t i = 0; pods && i < k; i++)
		protobuf_c_message_free_unpacked(&pods[i].cfg->base, NULL);
	stats_ctr_outs_free(outs, used);
}

void stats_pods_answer(cri_call *c, stats_call *j)
{
	stats_want w = stats_want_of(j->req);
	if (!w.one)
		return cri_corrald(c, "SessionList", NULL, 0, sessions_done, NULL);
	char params[128];
	snprintf(params, sizeof(params), "{\"name\":\"%s\"}", w.pod);
	cri_corrald(c, "SessionInspect", params, 0, sessions_done, NULL);
}
