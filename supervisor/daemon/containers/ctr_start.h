/* Starting a container through its monitor (ctr_start.c). */
#pragma once
#include "common/error.h"
#include "supervisor/daemon/containers/ctr.h"
#include "supervisor/varlink/server.h"

/* Say "go" to its standby monitor, or a fresh one. Returns once it is
 * said; call (if any) is kept, and answered when the monitor reports. */
int ctr_start(struct corrald *d, ctr *c, vl_call *call, cerr *err);
/* A start a user asked for (Start, Restart): the restart policy begins
 * afresh. On an error the call is not kept, and the caller answers it. */
int ctr_start_by_user(struct corrald *d, ctr *c, vl_call *call, cerr *err);
/* The monitor's report line, or why there is none. */
void ctr_start_reported(ctr *c, const char *report);
