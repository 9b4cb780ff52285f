/* A call's completion, as the engine holds it (ctr_done.h). */
#include "supervisor/daemon/containers/record/ctr_done.h"

#include <stddef.h>

void ctr_done_hold(ctr_done **slot, ctr_done *done)
{
	if (!done)
		return;
	done->next = *slot;
	if (done->next)
		done->next->held = &done->next;
	done->held = slot;
	*slot = done;
}

ctr_done *ctr_done_take(ctr_done **slot)
{
	ctr_done *done = *slot;
	if (!done)
		return NULL;
	*slot = done->next;
	if (done->next)
		done->next->held = slot;
	done->next = NULL;
	done->held = NULL;
	return done;
}

void ctr_done_tell(ctr_done **slot, const struct ctr *c, sv_fault *fault)
{
	ctr_done *done = ctr_done_take(slot);
	if (done)
		done->told(done, c, fault);
	if (fault)
		sv_fault_clear(fault);
}

void ctr_done_tell_err(ctr_done **slot, const struct ctr *c, cerr *err)
{
	_cleanup_sv_fault_ sv_fault fault = { 0 };
	sv_fault_internal_err(&fault, err);
	ctr_done_tell(slot, c, &fault);
}

void ctr_done_forget(ctr_done **slot)
{
	ctr_done *done = ctr_done_take(slot);
	if (done)
		done->forgotten(done);
}

void ctr_done_unhold(ctr_done *done)
{
	if (done->held)
		ctr_done_take(done->held);
}
