/* wl_observe.c: The sense step: a workload's replicas as they are, from the
 * sessions that carry its label and were made by its peer (a group member's
 * session with a copied label is not taken for a replica), and their containers. */
#pragma once
#include "supervisor/daemon/workloads/wl_loop.h"

/* w's replicas, sorted by name; *out is the caller's to free. */
int wl_observe(wl_table *t, const workload *w, wl_replica **out, size_t *n_out);
/* r is being made or removed now: say so in it. */
void wl_op_mark(wl_table *t, wl_replica *r);
