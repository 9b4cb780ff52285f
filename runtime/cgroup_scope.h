/* cgroup_scope.c: The systemd cgroup driver's side of create: systemd moves
 * the init into its scope, so clone3 cannot place it, and a new cgroup
 * namespace is made by the init once it is there (runc's order). */
#pragma once
#include "runtime/cgroup_path.h"
#include <limits.h>
#include <sys/types.h>

/* The systemd driver, in the parent after clone: the init (pid) becomes the
 * transient scope of cgroups_path, the limits systemd has no property for
 * are written into its cgroup, and the init hears SYNC_CGROUP_DONE on sync
 * (-1: none to tell).
 * unit gets the scope's name (for undoing), *out its cgroup. */
int cgroup_scope_enter(const char *cgroups_path, const char *id, const struct cg_resources *res, pid_t pid,
		       int sync, char unit[NAME_MAX + 1], cg **out, cerr *err);
