/* The workload methods of io.corral.Supervisor (wl_methods.c). */
#pragma once
#include <yajl/yajl_tree.h>
#include "supervisor/varlink/server.h"
int sv_workload_apply(vl_call *call, yajl_val params, void *ud);
int sv_workload_list(vl_call *call, yajl_val params, void *ud);
int sv_workload_inspect(vl_call *call, yajl_val params, void *ud);
int sv_workload_delete(vl_call *call, yajl_val params, void *ud);
