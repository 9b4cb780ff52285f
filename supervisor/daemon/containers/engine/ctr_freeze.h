/* A container's cgroup frozen and thawed (ctr_freeze.c). */
#pragma once
#include <stdbool.h>
#include "common/error.h"
#include "supervisor/daemon/containers/record/ctr.h"

/* Freeze or thaw its cgroup; its status is the caller's to set. */
int ctr_set_frozen(struct corrald *d, ctr *c, bool freeze, cerr *err);
/* Thaw a paused container (status running again); nothing for any other. */
int ctr_thaw(struct corrald *d, ctr *c, cerr *err);
/* The same once it was signalled, so that it acts on the signal; a failure
 * is logged (a SIGKILL still ends it). */
void ctr_thaw_signalled(struct corrald *d, ctr *c);
/* Whether its cgroup is frozen now (false when it has none). */
bool ctr_is_frozen(struct corrald *d, ctr *c);
