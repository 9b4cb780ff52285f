/* The container methods of io.corral.Supervisor: each owns its call (see
 * vl_method_fn). */
#pragma once
#include "common/json_get.h"
#include "supervisor/daemon/containers/ctr.h"
#include "supervisor/varlink/server.h"

/* What the container methods share (ctr_create.c, ctr_start.c, ctr_methods.c). */
/* The container params name by "id", once they hold only known keys; NULL
 * when they are wrong (*f says why) or name none (*id). */
ctr *ctr_of_params(struct corrald *d, const peer_cred *peer, yajl_val params, const char *const *known, const char **id,
		   json_fault *f);
/* The answer to a call that ctr_of_params() found nothing for. */
int reply_not_found(vl_call *call, const char *id, const json_fault *f);
/* A method on one container begins with this: c is the container that the
 * call's "id" names, as the call's peer may see it (owner.h), and params
 * hold no key but the named ones; else the call is answered
 * (InvalidParameter, or NoSuchContainer whether it is not there or not the
 * peer's) and the method returns. */
#define CTR_METHOD_TARGET(c, d, call, params, f, ...)                                                        \
	const char *c##_ref_;                                                                                \
	ctr *c = ctr_of_params((d), vl_call_peer(call), (params), KNOWN(__VA_ARGS__), &c##_ref_, &(f));     \
	if (!(c))                                                                                            \
	return reply_not_found((call), c##_ref_, &(f))
/* NameInUse for the name other holds: container names are one namespace
 * for every user, and its id goes only to a peer that may see it. */
int reply_name_in_use(vl_call *call, const ctr *other);
/* InvalidState for c as it is. */
int reply_bad_state(vl_call *call, const ctr *c, const char *reason);
/* Remove c now, or once SIGKILL has ended it (a session's end). */
int ctr_remove_forced(struct corrald *d, ctr *c, cerr *err);

int sv_create(vl_call *call, yajl_val params, void *ud);
/* CreateContainer's steps: the spec parsed into c (f says what is wrong:
 * the caller answers), then the container made from c (taken), its upper
 * directory taken from upper_from unless it is NULL: *made once it is known
 * (the caller answers), else NULL and the reply given is returned. */
int ctr_parse_spec(struct corrald *d, yajl_val spec, ctr *c, json_fault *f);
int ctr_create_parsed(vl_call *call, struct corrald *d, ctr *c, const char *upper_from, ctr **made);
/* CreateContainer's reply: its id and name. */
int ctr_reply_created(vl_call *call, const ctr *c);
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
int sv_attach(vl_call *call, yajl_val params, void *ud);
