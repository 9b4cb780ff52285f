/* ctr_publish.c: a container's events, published with its session where
 * it has one. */
#pragma once
#include "supervisor/daemon/containers/record/ctr.h"

/* The bytes of labels (keys and values) a container's event carries at
 * most; compose's own are well under a kilobyte */
#define CTR_EVENT_LABELS_BYTES 4096

void ctr_publish(struct corrald *d, ctr *c, const char *action, const char *const *attrs);
/* The same, stamped at_ns (what happened earlier, as the monitor recorded
 * it; 0: now). */
void ctr_publish_at(struct corrald *d, ctr *c, const char *action, const char *const *attrs, long long at_ns);
/* A Stop's (or a Restart's) signal sent: its "kill" event now, and its
 * "stop" once it has died, as dockerd orders them (kill, die, stop). */
void ctr_publish_stopping(struct corrald *d, ctr *c);
/* Its "kill" event: signal sig sent to it (at_ns 0: now). */
void ctr_publish_kill(struct corrald *d, ctr *c, int sig, long long at_ns);
/* It died: the "stop" event of the Stop that ended it, if one did. */
void ctr_publish_stopped(struct corrald *d, ctr *c, long long at_ns);
