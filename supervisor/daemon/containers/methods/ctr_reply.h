/* What the container verbs share to answer a call about a container (the
 * container methods', and the features' methods about a container). */
#pragma once
#include "common/json_get.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/record/ctr_done.h"
#include "supervisor/daemon/containers/record/ctr_target.h"
#include "supervisor/varlink/server.h"
#include "supervisor/varlink/call.h"

/* The answer to a call that ctr_of_params() found nothing for. */
int reply_not_found(vl_call *call, const char *id, const json_fault *f);
/* A method on one container begins with this: c is the container that the
 * call's "id" names, as the call's peer may see it (owner.h), params hold
 * no key but "id" and the method's own (sp_param entries, varlink/params.h),
 * and those are read; else the call is answered (InvalidParameter, or
 * NoSuchContainer whether it is not there or not the peer's) and the
 * method returns. */
#define CTR_METHOD_TARGET(c, d, call, params, f, ...)                                                        \
	const char *c##_ref_;                                                                                \
	const sp_param *c##_params_ = SP_PARAMS(SP_KEY("id") __VA_OPT__(, ) __VA_ARGS__);                    \
	ctr *c = ctr_of_params((d), vl_call_peer(call), (params), c##_params_, &c##_ref_, &(f));             \
	if (!(c))                                                                                            \
		return reply_not_found((call), c##_ref_, &(f));                                              \
	if (sp_read((params), c##_params_, &(f)) < 0)                                                        \
	return sv_invalid_fault((call), &(f))
/* NameInUse for the name other holds (ctr_fault_name_in_use). */
int reply_name_in_use(vl_call *call, const ctr *other);
/* InvalidState for c as it is. */
int reply_bad_state(vl_call *call, const ctr *c, const char *reason);
/* CreateContainer's reply: its id and name. */
int ctr_reply_created(vl_call *call, const ctr *c);
/* What a call is answered once what it waits for is done. */
typedef int ctr_reply_fn(vl_call *call, const ctr *c);
/* The completion of a call that finishes later (ctr_done.h): told, it
 * replies reply's answer (NULL: no parameters), or the fault; should the
 * client leave first, it lets go, and what it waited for goes on. NULL
 * when out of memory. */
ctr_done *reply_when_done(vl_call *call, ctr_reply_fn *reply);
/* One the engine did not take (its step failed): let go, with no reply. */
void reply_when_done_drop(ctr_done *done);
