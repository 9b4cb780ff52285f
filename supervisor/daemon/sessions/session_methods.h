/* SessionCreate, SessionList, SessionInspect, SessionRemove and the
 * operator's side of the session state (session_state_methods.c). */
#pragma once
#include "supervisor/daemon/sessions/session_int.h"
#include <yajl/yajl_tree.h>
#include "supervisor/varlink/params.h"
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
session *session_of_params(struct corrald *d, const peer_cred *peer, yajl_val params, const sp_param *table,
			   const char **name, json_fault *f);
/* The answer when session_of_params found none. */
int session_reply_not_found(vl_call *call, const char *name, const json_fault *f);
/* A method on one session begins with this: s is the session that the
 * call's "name" names, as the call's peer may see it, params hold no key
 * but "name" and the method's own (sp_param entries), and those are read;
 * else the call is answered (InvalidParameter, or NoSuchSession) and the
 * method returns. */
#define SESSION_METHOD_TARGET(s, d, call, params, f, ...)                                                    \
	const char *s##_name_;                                                                               \
	const sp_param *s##_params_ = SP_PARAMS(SP_KEY("name") __VA_OPT__(, ) __VA_ARGS__);                  \
	session *s = session_of_params((d), vl_call_peer(call), (params), s##_params_, &s##_name_, &(f));     \
	if (!(s))                                                                                            \
		return session_reply_not_found((call), s##_name_, &(f));                                     \
	if (sp_read((params), s##_params_, &(f)) < 0)                                                        \
	return sv_invalid_fault((call), &(f))
