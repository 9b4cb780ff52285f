/* corrald's errors in the CRI's words (cri.h): kubelet decides by the
 * status code (NotFound on a removal is a success to it). */
#include "supervisor/cri/cri.h"
#include "supervisor/cri/corrald_errors.h"
#include "supervisor/cri/grpc_call.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "supervisor/varlink/wire.h"

#include <string.h>

#define SV "io.corral.Supervisor."

static const char *param(const vl_reply *rep, const char *key)
{
	yajl_val v = json_get(rep->params, key);
	return YAJL_IS_STRING(v) ? v->u.string : "";
}

void cri_fail_corrald(cri_call *c, const vl_reply *rep, const char *subject)
{
	const char *e = rep->error ? rep->error : "Unknown";
	const char *name = strncmp(e, SV, strlen(SV)) == 0 ? e + strlen(SV) : e;
	const char *reason = param(rep, "reason");
	const char *what = subject ? subject : "";
	static const struct {
		const char *error;
		grpc_code code;
	} codes[] = {
		{ "NoSuchContainer", GRPC_NOT_FOUND }, { "NoSuchImage", GRPC_NOT_FOUND },
		{ "NoSuchSession", GRPC_NOT_FOUND },   { "NoSuchExec", GRPC_NOT_FOUND },
		{ "NoSuchNetwork", GRPC_NOT_FOUND },   { "NameInUse", GRPC_ALREADY_EXISTS },
		{ "SessionExists", GRPC_ALREADY_EXISTS }, { "InvalidState", GRPC_FAILED_PRECONDITION },
		{ "InvalidParameter", GRPC_INVALID_ARGUMENT }, { "PermissionDenied", GRPC_PERMISSION_DENIED },
		{ "PolicyViolation", GRPC_PERMISSION_DENIED }, { "QuotaExceeded", GRPC_RESOURCE_EXHAUSTED },
		{ "TooManyRequests", GRPC_RESOURCE_EXHAUSTED }, { "ImagePullFailed", GRPC_UNKNOWN },
	};
	grpc_code code = GRPC_UNKNOWN;
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++)
		if (streq(name, codes[i].error))
			code = codes[i].code;
	if (streq(e, VL_ERR_INVALID_PARAMETER))
		code = GRPC_INVALID_ARGUMENT;
	else if (streq(e, VL_ERR_PERMISSION_DENIED))
		code = GRPC_PERMISSION_DENIED;
	const char *param_name = param(rep, "parameter");
	cri_fail(c, code, "%s%s%s%s%s%s%s", what, *what ? ": " : "", name, *param_name ? " " : "", param_name,
		 *reason ? ": " : "", reason);
}
