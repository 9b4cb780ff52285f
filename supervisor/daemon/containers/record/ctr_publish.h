/* ctr_publish.c: a container's events, published with its session where
 * it has one. */
#pragma once
#include "supervisor/daemon/containers/record/ctr.h"

void ctr_publish(struct corrald *d, ctr *c, const char *action, const char *const *attrs);
/* The same, stamped at_ns (what happened earlier, as the monitor recorded
 * it; 0: now). */
void ctr_publish_at(struct corrald *d, ctr *c, const char *action, const char *const *attrs, long long at_ns);
