/* The systemd cgroup driver: a container's cgroup is a transient scope unit
 * that systemd makes and delegates (Delegate=yes), as runc's and crun's
 * systemd drivers do. sd-bus is loaded from libsystemd.so.0 only when the
 * driver is used, so that the cgroupfs path loads nothing more. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "common/error.h"

struct cg_resources;

/* linux.resources as systemd unit properties (what runc's systemd driver
 * sets): numbers, and the cpuset masks. Pure, for tests. */
#define CG_UNIT_PROPS_MAX 12
#define CG_UNIT_MASK_MAX 512 /* bytes: 4096 CPUs or memory nodes */
struct cg_unit_props {
	struct {
		const char *name;
		uint64_t v; /* UINT64_MAX is systemd's "infinity" */
	} num[CG_UNIT_PROPS_MAX];
	size_t n_num;
	uint8_t cpus[CG_UNIT_MASK_MAX], mems[CG_UNIT_MASK_MAX];
	size_t n_cpus, n_mems; /* mask lengths in bytes; 0: not set */
};
