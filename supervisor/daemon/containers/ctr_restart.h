/* Restart: a stop, then a start (ctr_restart.c). */
#pragma once
#include "supervisor/daemon/containers/ctr.h"
#include "supervisor/varlink/server.h"

int sv_restart(vl_call *call, yajl_val params, void *ud);
/* Stop a running container to start it again once it has ended (a
 * Restart without its call: set c->restart_call to answer one). */
int ctr_restart_begin(struct corrald *d, ctr *c, unsigned timeout, cerr *err);
/* It has ended, with a Restart waiting: start it, answering the Restart
 * once it runs (or with why it did not). */
void ctr_restart_resume(struct corrald *d, ctr *c);
/* A Stop or a removal came first: the waiting Restart (if any) is
 * answered with InvalidState and why, and the container stays down. */
void ctr_restart_call_off(ctr *c, const char *why);
/* Let go of a waiting Restart without answering it (corrald's exit). */
void ctr_restart_drop(ctr *c);
