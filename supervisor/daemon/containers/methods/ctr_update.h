/* ctr_update.c: Update: a running container's resources changed in place
 * (Docker's update, the CRI's UpdateContainerResources), by the runtime's own
 * `corral update`, in a process of its own: lowering memory.max may make the
 * kernel reclaim for a while, which corrald's loop must not wait on. */
#pragma once
#include "supervisor/daemon/containers/methods/ctr_methods.h"

vl_method_fn sv_update;
