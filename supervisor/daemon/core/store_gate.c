#include "supervisor/daemon/core/store_gate.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/api/sv_errors.h"

#include <stdlib.h>

struct parked {
	vl_call *call;
	vl_method_fn method;
	struct parked *next, **prev;
};

/* one store per corrald */
static unsigned gcs;
static struct parked *parked;

void store_gate_gc_begin(void) { gcs++; }

static void unlink_parked(struct parked *p)
{
	*p->prev = p->next;
	if (p->next)
		p->next->prev = p->prev;
}

static void on_cancel(vl_call *call, void *data)
{
	(void)call;
	unlink_parked(data);
	free(data);
}

void store_gate_gc_end(corrald *d)
{
	if (gcs && --gcs)
		return;
	/* the list taken first: a method may park its call again (a gc
	 * begun meanwhile) */
	struct parked *all = parked;
	parked = NULL;
	if (all)
		all->prev = &all;
	while (all) {
		struct parked *p = all;
		unlink_parked(p);
		vl_call_set_cancel(p->call, NULL, NULL);
		(void)p->method(p->call, vl_call_params(p->call), d);
		free(p);
	}
}

bool store_gate_park(corrald *d, vl_call *call, vl_method_fn method)
{
	(void)d;
	if (!gcs)
		return false;
	struct parked *p = malloc(sizeof(*p));
	if (!p) {
		sv_internal(call, "out of memory");
		return true;
	}
	*p = (struct parked){ .call = call, .method = method, .next = parked, .prev = &parked };
	if (parked)
		parked->prev = &p->next;
	parked = p;
	vl_call_set_cancel(call, on_cancel, p);
	return true;
}
