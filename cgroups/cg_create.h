/* cg_create.c: Creating a container's cgroup in the cgroup2 mount, with the
 * controllers it needs enabled down the tree, and updating its resources. */
#pragma once
#include "cgroups/resources.h"

/* The limits of r named in optional ("memory pids": a supervisor's defaults,
 * which the config's author did not ask for) whose controller the cgroup2
 * root does not offer, unset: they could not be enforced there, and the
 * container runs without them instead of failing. dropped (n bytes) gets
 * their controllers' names, "" when none. Only memory's and pids' limits. */
void cg_resources_drop_absent(struct cg_resources *r, const char *optional, char *dropped, size_t n);
