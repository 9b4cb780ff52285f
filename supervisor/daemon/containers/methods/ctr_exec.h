/* ctr_exec.c: Exec: a command in a running container, run by the container's
 * monitor through the runtime's exec, with the container's whole confinement
 * (see monitor/exec_session.c). */
#pragma once
#include "supervisor/daemon/containers/methods/ctr_methods.h"

vl_method_fn sv_exec, sv_exec_create, sv_exec_start, sv_exec_inspect, sv_exec_resize;
