/* What the container verbs share to answer a call (methods/, and the
 * engine's and the features' calls that answer about a container). */
#pragma once
#include "common/json_get.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/varlink/server.h"
#include "supervisor/varlink/call.h"

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
