/* ctr_pause.c: Pause and Unpause: the container's cgroup frozen through
 * cgroup.freeze, and thawed; its status is "paused" in between. */
#pragma once
#include "supervisor/daemon/containers/methods/ctr_methods.h"

vl_method_fn sv_pause, sv_unpause;
