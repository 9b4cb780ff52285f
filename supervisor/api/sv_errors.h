/* The errors of io.corral.Supervisor, as replies a method handler returns:
 * `return sv_invalid_fault(call, &f)`. Each ends the call, as
 * vl_call_error() does. */
#pragma once
#include "common/error.h"
#include "common/json_get.h"
#include "supervisor/api/sv_fault.h"
#include "supervisor/varlink/params.h"
#include "supervisor/varlink/server.h"

/* InvalidParameter{parameter, reason}. */
int sv_invalid(vl_call *call, const char *parameter, const char *reason);
/* The same with err's message as the reason; err is cleared. */
int sv_invalid_err(vl_call *call, const char *parameter, cerr *err);
/* The same for what a validator found; InternalError when it ran out of memory. */
int sv_invalid_fault(vl_call *call, const json_fault *f);
/* A method that takes no parameters begins with this: any is answered
 * InvalidParameter, and the method returns. */
#define SV_NO_PARAMS(call, params)                                   \
	do {                                                         \
		json_fault none_ = { 0 };                            \
		if (sp_known((params), SP_PARAMS(), &none_) < 0)     \
			return sv_invalid_fault((call), &none_);     \
	} while (0)
/* InternalError{reason}; with no reason (NULL), no parameters. */
int sv_internal(vl_call *call, const char *reason);
/* InternalError{reason} with err's message; err is cleared. */
int sv_internal_err(vl_call *call, cerr *err);
/* InvalidState{id, state, reason}. */
int sv_invalid_state(vl_call *call, const char *id, const char *state, const char *reason);
/* NoSuchContainer{id}. */
int sv_no_such_container(vl_call *call, const char *id);
/* NoSuchExec{id}: an exec instance (ExecCreate) there is not, for the caller. */
int sv_no_such_exec(vl_call *call, const char *id);
/* NoSuchImage{image}. */
int sv_no_such_image(vl_call *call, const char *ref);
/* NameInUse{name, id}: id is the container that has the name; NULL (no
 * id) when it is another user's. */
int sv_name_in_use(vl_call *call, const char *name, const char *id);
/* NoSuchSecret{name}; SecretExists{name}. */
int sv_no_such_secret(vl_call *call, const char *name);
int sv_secret_exists(vl_call *call, const char *name);
int sv_no_such_volume(vl_call *call, const char *name);
int sv_volume_exists(vl_call *call, const char *name);
int sv_no_such_network(vl_call *call, const char *name);
int sv_no_such_workload(vl_call *call, const char *name);
/* NoSuchSession{name}; SessionExists{name}. */
int sv_no_such_session(vl_call *call, const char *name);
int sv_session_exists(vl_call *call, const char *name);
/* PermissionDenied{reason}: the peer may call, but not ask for this. */
int sv_permission_denied(vl_call *call, const char *reason);
/* PolicyViolation{field, limit, reason}: the request asks past the policy. */
int sv_policy_violation(vl_call *call, const char *field, const char *limit, const char *reason);
/* The reply for what f says failed, each kind in its one shape; f is
 * cleared. A fault with no kind is an InternalError with no reason. */
int sv_reply_fault(vl_call *call, sv_fault *f);
