/* The container methods of io.corral.Supervisor, the top of containers/:
 * each owns its call (see vl_method_fn). They stand on the engine (engine/)
 * and the record (record/), which never call up into them. */
#pragma once
#include "supervisor/varlink/server.h"

int sv_create(vl_call *call, yajl_val params, void *ud);
int sv_start(vl_call *call, yajl_val params, void *ud);
int sv_restart(vl_call *call, yajl_val params, void *ud);
int sv_stop(vl_call *call, yajl_val params, void *ud);
int sv_kill(vl_call *call, yajl_val params, void *ud);
int sv_remove(vl_call *call, yajl_val params, void *ud);
int sv_container_prune(vl_call *call, yajl_val params, void *ud);
int sv_list(vl_call *call, yajl_val params, void *ud);
int sv_inspect(vl_call *call, yajl_val params, void *ud);
int sv_wait(vl_call *call, yajl_val params, void *ud);
int sv_logs(vl_call *call, yajl_val params, void *ud);
int sv_reopen_log(vl_call *call, yajl_val params, void *ud);
/* ctr_update.c */
int sv_update(vl_call *call, yajl_val params, void *ud);
int sv_stats(vl_call *call, yajl_val params, void *ud);
int sv_exec(vl_call *call, yajl_val params, void *ud);
int sv_exec_create(vl_call *call, yajl_val params, void *ud);
int sv_exec_start(vl_call *call, yajl_val params, void *ud);
int sv_exec_inspect(vl_call *call, yajl_val params, void *ud);
int sv_exec_resize(vl_call *call, yajl_val params, void *ud);
int sv_attach(vl_call *call, yajl_val params, void *ud);
int sv_pause(vl_call *call, yajl_val params, void *ud);
int sv_unpause(vl_call *call, yajl_val params, void *ud);
int sv_rename(vl_call *call, yajl_val params, void *ud);
int sv_top(vl_call *call, yajl_val params, void *ud);
int sv_port(vl_call *call, yajl_val params, void *ud);
int sv_checkpoint(vl_call *call, yajl_val params, void *ud);
int sv_restore(vl_call *call, yajl_val params, void *ud);
