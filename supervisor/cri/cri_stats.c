/* A container's ContainerStats of what corrald's List and Stats said
 * (cri_stats.h), and the CPU samples usage_nano_cores is reckoned from. */
#include "supervisor/cri/cri_stats.h"
#include "common/cleanup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARKS_KEPT 1024 /* containers and pods whose last CPU sample is kept */

stats_want stats_want_of(const ProtobufCMessage *req)
{
	stats_want w = { .id = "", .pod = "" };
	const ProtobufCMessageDescriptor *d = req->descriptor;
	if (d == &runtime__v1__container_stats_request__descriptor) {
		w.id = ((const Runtime__V1__ContainerStatsRequest *)req)->container_id, w.one = true;
	} else if (d == &runtime__v1__list_container_stats_request__descriptor) {
		const Runtime__V1__ContainerStatsFilter *f = ((const Runtime__V1__ListContainerStatsRequest *)req)->filter;
		if (f)
			w.id = f->id, w.pod = f->pod_sandbox_id, w.sel = (meta_kv *const *)f->label_selector,
			w.n_sel = f->n_label_selector;
	} else if (d == &runtime__v1__pod_sandbox_stats_request__descriptor) {
		w.pod = ((const Runtime__V1__PodSandboxStatsRequest *)req)->pod_sandbox_id, w.pods = w.one = true;
	} else {
		const Runtime__V1__PodSandboxStatsFilter *f = ((const Runtime__V1__ListPodSandboxStatsRequest *)req)->filter;
		w.pod = f ? f->id : "", w.pods = true;
	}
	return w;
}

bool stats_prefixed(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

/* kubelet keeps one connection, so this process sees its every call; a
 * usage that went back (a pod's container gone) starts again at 0 */
uint64_t stats_nano_cores(const char *key, int64_t at_ns, uint64_t cpu_ns)
{
	static struct mark {
		char key[65];
		int64_t at_ns;
		uint64_t cpu_ns;
	} marks[MARKS_KEPT];
	struct mark *m = NULL, *oldest = &marks[0];
	for (size_t i = 0; i < MARKS_KEPT && !m; i++) {
		if (streq(marks[i].key, key))
			m = &marks[i];
		else if (marks[i].at_ns < oldest->at_ns)
			oldest = &marks[i];
	}
	uint64_t rate = 0;
	if (m && at_ns > m->at_ns && cpu_ns >= m->cpu_ns)
		rate = (uint64_t)((double)(cpu_ns - m->cpu_ns) * 1e9 / (double)(at_ns - m->at_ns));
	if (!m) {
		m = oldest;
		snprintf(m->key, sizeof(m->key), "%s", key);
	}
	m->at_ns = at_ns, m->cpu_ns = cpu_ns;
	return rate;
}

Runtime__V1__UInt64Value *stats_u64(Runtime__V1__UInt64Value *v, uint64_t x)
{
	runtime__v1__uint64_value__init(v);
	v->value = x;
	return v;
}

void stats_ctr_fill(stats_ctr_out *o, const stats_sample *s, const uint8_t *arena)
{
	runtime__v1__container_stats__init(&o->st);
	o->attrs = (void *)protobuf_c_message_unpack(&runtime__v1__container_attributes__descriptor, NULL, s->attrs_len,
						     arena + s->attrs_off);
	o->st.attributes = o->attrs;
	if (s->sized) { /* bytes only: corrald counts no inodes */
		runtime__v1__filesystem_usage__init(&o->fs);
		o->fs.timestamp = s->at_ns;
		o->fs.used_bytes = stats_u64(&o->v[0], s->size_rw);
		o->st.writable_layer = &o->fs;
	}
	if (!s->got)
		return;
	runtime__v1__cpu_usage__init(&o->cpu);
	o->cpu.timestamp = s->at_ns;
	o->cpu.usage_core_nano_seconds = stats_u64(&o->v[1], s->cpu_ns);
	o->cpu.usage_nano_cores = stats_u64(&o->v[2], stats_nano_cores(s->id, s->at_ns, s->cpu_ns));
	o->st.cpu = &o->cpu;
	runtime__v1__memory_usage__init(&o->mem);
	o->mem.timestamp = s->at_ns;
	o->st.memory = &o->mem;
	if (s->mem < 0) /* no memory controller: sampled, its figures unknown (unset, never 0) */
		return;
	/* the working set as kubelet's eviction reads it: memory.current less
	 * the inactive page cache, as containerd and cAdvisor count it */
	int64_t ws = s->working_set >= 0 ? s->working_set : s->mem;
	o->mem.working_set_bytes = stats_u64(&o->v[3], (uint64_t)ws);
	o->mem.usage_bytes = stats_u64(&o->v[4], (uint64_t)s->mem);
	if (s->limit >= 0) /* below the limit, as containerd: less the working set */
		o->mem.available_bytes = stats_u64(&o->v[5], s->limit > ws ? (uint64_t)(s->limit - ws) : 0);
}

void stats_ctr_outs_free(stats_ctr_out *o, size_t n)
{
	for (size_t i = 0; o && i < n; i++)
		if (o[i].attrs)
			protobuf_c_message_free_unpacked(&o[i].attrs->base, NULL);
	free(o);
}
