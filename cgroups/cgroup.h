/* cgroup.c: The cgroup2 mount and a handle on one cgroup. */
#pragma once
#include "cgroups/cg_internal.h"

int cg_new(const char *mount, const char *path, cg **out, cerr *err);
