/* ctr_exec.c: Exec: a command in a running container, run by the container's
 * monitor through the runtime's exec, with the container's whole confinement
 * (see monitor/exec_session.c). */
#pragma once
#include "supervisor/daemon/containers/methods/ctr_methods.h"

int sv_exec(vl_call *call, yajl_val params, void *ud);
int sv_exec_create(vl_call *call, yajl_val params, void *ud);
int sv_exec_start(vl_call *call, yajl_val params, void *ud);
int sv_exec_inspect(vl_call *call, yajl_val params, void *ud);
int sv_exec_resize(vl_call *call, yajl_val params, void *ud);
