/* The container methods of io.corral.Supervisor: each owns its call (see
 * vl_method_fn). */
#pragma once
#include "supervisor/varlink/server.h"

int sv_create(vl_call *call, yajl_val params, void *ud);
int sv_start(vl_call *call, yajl_val params, void *ud);
int sv_stop(vl_call *call, yajl_val params, void *ud);
int sv_kill(vl_call *call, yajl_val params, void *ud);
int sv_remove(vl_call *call, yajl_val params, void *ud);
int sv_list(vl_call *call, yajl_val params, void *ud);
int sv_inspect(vl_call *call, yajl_val params, void *ud);
int sv_wait(vl_call *call, yajl_val params, void *ud);
int sv_logs(vl_call *call, yajl_val params, void *ud);
int sv_stats(vl_call *call, yajl_val params, void *ud);
int sv_exec(vl_call *call, yajl_val params, void *ud);
