/* Cgroup statistics: memory, cpu, pids, io; as a struct and as the JSON of
 * `runc events --stats` ("data" object). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include "cgroups.h"

#define CG_UNLIMITED UINT64_MAX /* "max" in a cgroup file */

struct cg_stat_kv {
	char *key;
	uint64_t val;
};

struct cg_io_stat {
	unsigned major, minor;
	uint64_t rbytes, wbytes, rios, wios, dbytes, dios;
};

struct cg_stats {
	bool has_memory, has_cpu, has_pids, has_io;
	/* memory.current, memory.peak, memory.max, memory.swap.{current,max} */
	uint64_t mem_current, mem_peak, mem_max, swap_current, swap_max;
	/* memory.events */
	uint64_t ev_low, ev_high, ev_max, ev_oom, ev_oom_kill;
	struct cg_stat_kv *mem_stat; /* memory.stat, raw */
	size_t n_mem_stat;
	/* cpu.stat */
	uint64_t cpu_usage_usec, cpu_user_usec, cpu_system_usec;
	uint64_t nr_periods, nr_throttled, throttled_usec;
	/* pids.current, pids.max */
	uint64_t pids_current, pids_max;
	struct cg_io_stat *io;
	size_t n_io;
};

