/* Calls waiting on a container (Wait, Stop, Remove, a followed log). */
#pragma once
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/record/ctr_done.h"

enum { WAIT_STOPPED, WAIT_REMOVED, WAIT_STOP, WAIT_REMOVE, WAIT_LOG_END };
#define WAIT_ALL (1u << WAIT_STOPPED | 1u << WAIT_STOP | 1u << WAIT_REMOVED | 1u << WAIT_REMOVE)

/* done waits for what kind says (WAIT_*), to be told by ctr_wake(). */
void ctr_add_waiter(ctr *c, ctr_done *done, int kind);
/* Tell the waiters whose kinds are in mask (1u << WAIT_*). */
void ctr_wake(ctr *c, unsigned mask);
/* The same, each told that its call failed, and why (InternalError). */
void ctr_wake_failed(ctr *c, unsigned mask, const char *why);
/* Let go of every waiter without answering (corrald's exit). */
void ctr_drop_waiters(ctr *c);
