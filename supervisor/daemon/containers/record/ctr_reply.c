/* What the verbs share to answer a call about a container (ctr_reply.h). */
#include "supervisor/daemon/containers/record/ctr_reply.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"

int reply_name_in_use(vl_call *call, const ctr *other)
{
	return sv_name_in_use(call, other->name, ctr_visible_to(other, vl_call_peer(call)) ? other->id : NULL);
}

int reply_bad_state(vl_call *call, const ctr *c, const char *reason)
{
	return sv_invalid_state(call, c->id, ctr_status_str[c->status], reason);
}

ctr *ctr_of_params(corrald *d, const peer_cred *peer, yajl_val params, const char *const *known, const char **id,
		   json_fault *f)
{
	*id = NULL;
	if (sp_known(params, known, f) < 0 || sp_name(params, "id", true, id, f) < 0)
		return NULL;
	return ctr_find_for(d, *id, peer);
}

int reply_not_found(vl_call *call, const char *id, const json_fault *f)
{
	return f->code ? sv_invalid_fault(call, f) : sv_no_such_container(call, id);
}
