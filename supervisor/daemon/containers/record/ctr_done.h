/* A call that finishes later (a Start, a Restart, a Checkpoint, a Wait, a
 * followed log), as the engine and the record hold it: not the call, but
 * the method's completion. They tell it once how the call ended, or forget
 * it (corrald's exit, a monitor gone); the method's functions reply, and
 * its cancel hook, should the client leave first, lets go of it
 * (ctr_done_unhold). A slot holds one; a list (the container's waiters)
 * holds many, each linked to the next. */
#pragma once
#include "supervisor/api/sv_fault.h"

struct ctr;

typedef struct ctr_done ctr_done;
struct ctr_done {
	/* once: fault is NULL when the call succeeded */
	void (*told)(ctr_done *done, const struct ctr *c, sv_fault *fault);
	/* no answer is coming */
	void (*forgotten)(ctr_done *done);
	ctr_done **held; /* the pointer to it (a slot, or the one before it in a list), while held */
	ctr_done *next;  /* in a list */
	int kind;        /* what it waits for, in the container's list of waiters (WAIT_*) */
};

/* *slot holds done (NULL: nobody waits); a list holds it first. */
void ctr_done_hold(ctr_done **slot, ctr_done *done);
/* What *slot held, no longer held there (a list keeps the rest): to be
 * held elsewhere or told. */
ctr_done *ctr_done_take(ctr_done **slot);
/* Tell what *slot holds, if it holds one, how the call ended; fault is
 * cleared. */
void ctr_done_tell(ctr_done **slot, const struct ctr *c, sv_fault *fault);
/* The same with a fault made from err (InternalError), which is cleared. */
void ctr_done_tell_err(ctr_done **slot, const struct ctr *c, struct cerr *err);
/* Tell what *slot holds, if it holds one, that no answer is coming. */
void ctr_done_forget(ctr_done **slot);
/* The client left: whatever holds done lets go of it (the method frees it). */
void ctr_done_unhold(ctr_done *done);
