/* session_state_methods.c: The operator's side of a session's key/value
 * state: SessionStateGet, Set, Remove and List. */
#pragma once
#include "supervisor/daemon/sessions/session_methods.h"

int sv_session_state_get(vl_call *call, yajl_val params, void *ud);
int sv_session_state_set(vl_call *call, yajl_val params, void *ud);
int sv_session_state_remove(vl_call *call, yajl_val params, void *ud);
int sv_session_state_list(vl_call *call, yajl_val params, void *ud);
