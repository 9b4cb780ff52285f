/* Pause and Unpause: freezing a container's cgroup (ctr_pause.c). */
#pragma once
#include <stdbool.h>
#include "common/error.h"
#include "supervisor/daemon/containers/ctr.h"
#include "supervisor/varlink/server.h"

int sv_pause(vl_call *call, yajl_val params, void *ud);
int sv_unpause(vl_call *call, yajl_val params, void *ud);
/* Thaw a paused container (status running again); nothing for any other. */
int ctr_thaw(struct corrald *d, ctr *c, cerr *err);
/* Whether its cgroup is frozen now (false when it has none). */
bool ctr_is_frozen(struct corrald *d, ctr *c);
