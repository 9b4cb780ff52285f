/* Calls waiting on a container (Wait, Stop, Remove, a followed log): their
 * completions, kept on the container and told when it ends or goes. */
#include "supervisor/daemon/containers/record/ctr_waiters.h"

void ctr_add_waiter(ctr *c, ctr_done *done, int kind)
{
	done->kind = kind;
	ctr_done_hold(&c->waiters, done);
}

/* why NULL: each call succeeded */
static void tell_each(ctr *c, unsigned mask, const char *why)
{
	ctr_done **p = &c->waiters;
	while (*p) {
		if (!(mask & (1u << (*p)->kind))) {
			p = &(*p)->next;
			continue;
		}
		_cleanup_sv_fault_ sv_fault fault = { 0 };
		if (why)
			sv_fault_internal(&fault, why);
		ctr_done_tell(p, c, why ? &fault : NULL);
	}
}

void ctr_wake(ctr *c, unsigned mask) { tell_each(c, mask, NULL); }

void ctr_wake_failed(ctr *c, unsigned mask, const char *why) { tell_each(c, mask, why); }

void ctr_drop_waiters(ctr *c)
{
	while (c->waiters)
		ctr_done_forget(&c->waiters);
}
