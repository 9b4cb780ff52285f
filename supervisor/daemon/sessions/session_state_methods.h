/* session_state_methods.c: The operator's side of a session's key/value
 * state: SessionStateGet, Set, Remove and List. */
#pragma once
#include "supervisor/daemon/sessions/session_methods.h"

vl_method_fn sv_session_state_get, sv_session_state_set, sv_session_state_remove, sv_session_state_list;
