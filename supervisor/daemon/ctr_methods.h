/* The container methods of io.corral.Supervisor. */
#pragma once
#include "supervisor/varlink/server.h"

void sv_create(vl_call *call, yajl_val params, void *ud);
void sv_start(vl_call *call, yajl_val params, void *ud);
void sv_stop(vl_call *call, yajl_val params, void *ud);
void sv_kill(vl_call *call, yajl_val params, void *ud);
void sv_remove(vl_call *call, yajl_val params, void *ud);
void sv_list(vl_call *call, yajl_val params, void *ud);
void sv_inspect(vl_call *call, yajl_val params, void *ud);
void sv_wait(vl_call *call, yajl_val params, void *ud);
void sv_logs(vl_call *call, yajl_val params, void *ud);
void sv_stats(vl_call *call, yajl_val params, void *ud);
void sv_exec(vl_call *call, yajl_val params, void *ud);
