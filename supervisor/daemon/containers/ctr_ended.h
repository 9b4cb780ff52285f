/* A container has ended or goes: its exit, restart policy and removal. */
#pragma once
#include "common/error.h"
#include "supervisor/daemon/containers/ctr.h"

/* Its monitor is gone: read exit.json, answer waiters, publish "die", then
 * restart it (after the policy's backoff) or finish a pending removal. */
void ctr_ended(struct corrald *d, ctr *c);
/* Remove a container that is not running (dir, record, events). */
int ctr_remove_now(struct corrald *d, ctr *c, cerr *err);
