/* The image store's gc and the calls that wait it out: a gc holds the
 * store whole (corral-images takes its lock exclusively), so a create that
 * met it would fail with "busy", one member's prune failing another's run.
 * Such a call is parked while a gc runs, and handed back to its method
 * once the last gc has ended. */
#pragma once
#include "supervisor/api/sv_fault.h"
#include "supervisor/varlink/server.h"

struct corrald;

/* A gc starts, or has ended (each start has its end). */
void store_gate_gc_begin(void);
void store_gate_gc_end(struct corrald *d);
/* While a gc of corrald's holds the store: keep call, to be given to method
 * (with its params and d) once the gcs have ended; 1. 0 when none holds it
 * (none runs, or it still waits for the store): the caller goes on. -1 with
 * f set when the call could not be kept, for the caller to reply. */
int store_gate_park(struct corrald *d, vl_call *call, vl_method_fn *method, sv_fault *f);
/* The same for work under way that holds no call (a Create whose member's
 * sources were being opened): 1 when resume(data) is to run once the gcs
 * have ended; 0 when none holds the store (the caller goes on); -ENOMEM. */
int store_gate_wait(struct corrald *d, void (*resume)(void *data), void *data);
