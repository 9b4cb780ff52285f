/* systemd_scope.c: Transient scope units through systemd's D-Bus API:
 * StartTransientUnit, SetUnitProperties and StopUnit, each waiting for its
 * systemd job as runc does. */
#pragma once
#include "cgroups/systemd.h"

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
