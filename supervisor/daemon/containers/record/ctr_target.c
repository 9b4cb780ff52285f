/* The container a call names, and a call's faults about it (ctr_target.h). */
#include "supervisor/daemon/containers/record/ctr_target.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/params.h"

ctr *ctr_of_params(corrald *d, const peer_cred *peer, yajl_val params, const sp_param *table, const char **id,
		   json_fault *f)
{
	*id = NULL;
	if (sp_known(params, table, f) < 0 || sp_name(params, "id", true, id, f) < 0)
		return NULL;
	return ctr_find_for(d, *id, peer);
}

sv_fault *ctr_fault_name_in_use(const ctr *other, sv_fault *f)
{
	sv_fault_name_in_use(f, other->name, other->id);
	return f;
}

sv_fault *ctr_fault_bad_state(const ctr *c, const char *reason, sv_fault *f)
{
	sv_fault_bad_state(f, c->id, ctr_status_str[c->status], reason);
	return f;
}

sv_fault *ctr_fault_not_found(const char *id, const json_fault *jf, sv_fault *f)
{
	if (jf->code)
		sv_fault_json(f, jf);
	else
		sv_fault_no_such(f, SV_CONTAINER, id);
	return f;
}
