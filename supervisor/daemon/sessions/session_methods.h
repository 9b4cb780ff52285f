/* SessionCreate, SessionList, SessionInspect, SessionRemove and the
 * operator's side of the session state (session_state_methods.c). */
#pragma once
#include "supervisor/daemon/sessions/session_int.h"
#include <yajl/yajl_tree.h>
#include "supervisor/varlink/server.h"

struct corrald;

vl_method_fn sv_session_create, sv_session_list, sv_session_inspect, sv_session_remove, sv_session_stop;

/* At corrald's start, before its containers are adopted: every session in
 * <state>/sessions, its namespaces made again should a reboot have taken
 * them. At its exit: forget them (they stay on disk). */
void sessions_load(struct corrald *d);
void sessions_shutdown(struct corrald *d);

/* session_methods.c: the session params' "name" names, if peer may see
 * it; else NULL, with *f saying what was wrong, or *name none. */
session *session_of_params(struct corrald *d, const peer_cred *peer, yajl_val params, const char *const *known,
			   const char **name, json_fault *f);
/* The answer when session_of_params found none. */
int session_reply_not_found(vl_call *call, const char *name, const json_fault *f);
/* A method on one session begins with this: s is the session that the
 * call's "name" names, as the call's peer may see it, and params hold no
 * key but the named ones; else the call is answered (InvalidParameter, or
 * NoSuchSession) and the method returns. */
#define SESSION_METHOD_TARGET(s, d, call, params, f, ...)                                                    \
	const char *s##_name_;                                                                               \
	session *s = session_of_params((d), vl_call_peer(call), (params), KNOWN(__VA_ARGS__), &s##_name_, &(f)); \
	if (!(s))                                                                                            \
	return session_reply_not_found((call), s##_name_, &(f))
