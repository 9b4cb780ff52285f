/* ctr_pause.c: Pause and Unpause: the container's cgroup frozen through
 * cgroup.freeze, and thawed; its status is "paused" in between. */
#pragma once
#include "supervisor/daemon/containers/methods/ctr_methods.h"

int sv_pause(vl_call *call, yajl_val params, void *ud);
int sv_unpause(vl_call *call, yajl_val params, void *ud);
