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

/* Whether libsystemd.so.0 can be loaded (`corral features`). */
bool cg_systemd_available(void);
/* Start unit (NAME.scope) in slice holding pid, with Delegate=yes and res as
 * unit properties, and wait until systemd has made it; *path gets its cgroup
 * (below the cgroup2 mount), as /proc/PID/cgroup then says. */
int cg_scope_start(const char *slice, const char *unit, pid_t pid, const struct cg_resources *res, char **path,
		   cerr *err);
/* corral-monitor's own scope unit (NAME.scope) in slice, holding pid: not
 * delegated, no limits. A unit of that name that is there already (the
 * previous monitor of a restarted container, ending) takes pid in. */
int cg_monitor_scope(const char *slice, const char *unit, pid_t pid, cerr *err);
/* Set res's values as the unit's properties (SetUnitProperties, runtime). */
int cg_scope_set(const char *unit, const struct cg_resources *res, cerr *err);
/* Stop the unit and wait for it; a unit that is gone already is fine. */
int cg_scope_stop(const char *unit, cerr *err);

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
int cg_unit_props(const struct cg_resources *r, struct cg_unit_props *p, cerr *err);
/* The unit name and slice of linux.cgroupsPath "slice:prefix:name" (an
 * empty slice is system.slice, as runc has it). unit and slice get
 * NAME_MAX+1 bytes. */
int cg_scope_names(const char *cgroups_path, char *slice, char *unit, cerr *err);
