/* Calls waiting on a container (Wait, Stop, Remove) and its log follows. */
#pragma once
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/record/ctr_logs.h"
#include "supervisor/varlink/server.h"

enum { WAIT_STOPPED, WAIT_REMOVED, WAIT_STOP, WAIT_REMOVE };
#define WAIT_ALL (1u << WAIT_STOPPED | 1u << WAIT_STOP | 1u << WAIT_REMOVED | 1u << WAIT_REMOVE)

typedef struct ctr_waiter {
	vl_call *call;
	int kind; /* WAIT_* */
	struct ctr_waiter *next;
	ctr *c;
} ctr_waiter;

typedef struct ctr_follow {
	logs_stream *s;
	struct ctr_follow *next;
	ctr *c;
} ctr_follow;

/* The call waits, to be answered by ctr_wake(); -ENOMEM, the call not
 * answered, when it cannot. */
int ctr_add_waiter(ctr *c, vl_call *call, int kind);
/* Answer the waiters whose kinds are in mask (1u << WAIT_*). */
void ctr_wake(ctr *c, unsigned mask);
void ctr_add_follow(ctr *c, logs_stream *s);
void ctr_end_follows(ctr *c);
/* Let go of every waiter and follow without answering (corrald's exit). */
void ctr_drop_waiters(ctr *c);
