/* apply.c: linux.resources → cgroup v2 files. */
#pragma once
#include "cgroups/resources.h"

/* Write r's values into the cgroup's files. */
int cg_resources_apply(cg *c, const struct cg_resources *r, cerr *err);
