/* The stats rpcs' shared pieces: rpc_stats.c runs the steps (List, then
 * Stats of each container), rpc_pod_stats.c answers for pods, cri_stats.c
 * makes a container's ContainerStats of what the steps kept. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "supervisor/cri/cri_meta.h"
#include "supervisor/cri/runtime_v1.pb-c.h"

/* One container: what List said of it, then what Stats said */
typedef struct stats_sample {
	char id[65], pod[64];
	size_t attrs_off, attrs_len; /* its ContainerAttributes, packed, in the call's arena */
	bool running, sized, got;    /* got: Stats answered */
	uint64_t size_rw;
	int64_t at_ns;
	uint64_t cpu_ns, pids, rx, tx;
	int64_t mem, limit; /* -1: not known; no limit */
	int64_t working_set; /* mem less the inactive page cache; -1: not known */
} stats_sample;

/* A call's work, its ctx: one block, the arena after the samples */
typedef struct stats_call {
	const ProtobufCMessage *req;
	size_t n, next, in_flight;
	uint8_t *arena;
	stats_sample s[];
} stats_call;

/* What the request asks for: prefixes of ids ("": any), and containers'
 * labels (pods' labels are matched against their sessions) */
typedef struct stats_want {
	const char *id, *pod;
	meta_kv *const *sel;
	size_t n_sel;
	bool pods; /* PodSandboxStats, ListPodSandboxStats */
	bool one;  /* ContainerStats, PodSandboxStats */
} stats_want;
stats_want stats_want_of(const ProtobufCMessage *req);

bool stats_prefixed(const char *s, const char *prefix);
/* usage_nano_cores as containerd reckons it: the CPU used since this
 * process's last sample of key, over the time between; 0 at the first */
uint64_t stats_nano_cores(const char *key, int64_t at_ns, uint64_t cpu_ns);
Runtime__V1__UInt64Value *stats_u64(Runtime__V1__UInt64Value *v, uint64_t x);

/* One container's ContainerStats, with the messages it points to */
typedef struct stats_ctr_out {
	Runtime__V1__ContainerStats st;
	Runtime__V1__ContainerAttributes *attrs; /* unpacked from the arena */
	Runtime__V1__CpuUsage cpu;
	Runtime__V1__MemoryUsage mem;
	Runtime__V1__FilesystemUsage fs;
	Runtime__V1__UInt64Value v[6];
} stats_ctr_out;
void stats_ctr_fill(stats_ctr_out *o, const stats_sample *s, const uint8_t *arena);
/* n filled ones, and the array */
void stats_ctr_outs_free(stats_ctr_out *o, size_t n);

