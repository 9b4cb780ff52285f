/* The workload methods of io.corral.Supervisor (wl_methods.c). */
#pragma once
#include <yajl/yajl_tree.h>
#include "supervisor/varlink/server.h"
vl_method_fn sv_workload_apply, sv_workload_list, sv_workload_inspect, sv_workload_delete;
