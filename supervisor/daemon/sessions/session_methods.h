/* SessionCreate, SessionList, SessionInspect, SessionRemove and the
 * operator's side of the session state (session_state_methods.c). */
#pragma once
#include <yajl/yajl_tree.h>
#include "supervisor/varlink/server.h"

struct corrald;

int sv_session_create(vl_call *call, yajl_val params, void *ud);
int sv_session_list(vl_call *call, yajl_val params, void *ud);
int sv_session_inspect(vl_call *call, yajl_val params, void *ud);
int sv_session_remove(vl_call *call, yajl_val params, void *ud);
int sv_session_stop(vl_call *call, yajl_val params, void *ud);
int sv_session_state_get(vl_call *call, yajl_val params, void *ud);
int sv_session_state_set(vl_call *call, yajl_val params, void *ud);
int sv_session_state_remove(vl_call *call, yajl_val params, void *ud);
int sv_session_state_list(vl_call *call, yajl_val params, void *ud);

/* At corrald's start, before its containers are adopted: every session in
 * <state>/sessions, its namespaces made again should a reboot have taken
 * them. At its exit: forget them (they stay on disk). */
void sessions_load(struct corrald *d);
void sessions_shutdown(struct corrald *d);
