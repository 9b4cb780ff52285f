/* The container a call names, and the faults of a call about a container,
 * as every verb says them (the methods reply them: methods/ctr_reply.h). */
#pragma once
#include "common/json_get.h"
#include "supervisor/api/sv_fault.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/varlink/params.h"
#include "supervisor/varlink/server.h"

/* The container params name by "id", once they hold only table's keys
 * (sp_known); NULL when they are wrong (*f says why) or name none (*id). */
ctr *ctr_of_params(struct corrald *d, const peer_cred *peer, yajl_val params, const sp_param *table, const char **id,
		   json_fault *f);
/* NameInUse for the name other holds, and its id: the caller's own
 * container (each owner's names are its own, owned_name.h). Each returns f. */
sv_fault *ctr_fault_name_in_use(const ctr *other, sv_fault *f);
/* InvalidState for c as it is. */
sv_fault *ctr_fault_bad_state(const ctr *c, const char *reason, sv_fault *f);
/* What ctr_of_params() found nothing for: its fault, or NoSuchContainer. */
sv_fault *ctr_fault_not_found(const char *id, const json_fault *jf, sv_fault *f);
