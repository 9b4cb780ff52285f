/* Calls waiting on a container (Wait, Stop, Remove, a followed log): their
 * completions, kept on the container and told when it ends or goes. */
#include "supervisor/daemon/containers/record/ctr_waiters.h"

void ctr_add_waiter(ctr *c, ctr_done *done, int kind)
{
	done->kind = kind;
	ctr_done_hold(&c->waiters, done);
}

void ctr_wake(ctr *c, unsigned mask)
{
	ctr_done **p = &c->waiters;
	while (*p)
		if (mask & (1u << (*p)->kind))
			ctr_done_tell(p, c, NULL);
		else
			p = &(*p)->next;
}

void ctr_drop_waiters(ctr *c)
{
	while (c->waiters)
		ctr_done_forget(&c->waiters);
}
