/* A container's cgroup frozen and thawed (ctr_freeze.c). */
#pragma once
#include <stdbool.h>
#include "common/error.h"
#include "supervisor/daemon/containers/record/ctr.h"

/* Freeze or thaw its cgroup; its status is the caller's to set. */
int ctr_set_frozen(struct corrald *d, ctr *c, bool freeze, cerr *err);
/* Freeze its cgroup in a forked child, off the loop (a task that will not
 * stop, stuck in a file system, holds up no one else), for member (0:
 * root; child.h's bound); c->pausing
 * meanwhile. done runs once, from the loop, with c (NULL: removed
 * meanwhile) and 0 once frozen, or -errno with err (thawed again, as
 * ctr_set_frozen leaves it). 0, or -errno with err (then it never runs). */
typedef void (*ctr_frozen_fn)(struct corrald *d, ctr *c, int r, cerr *err, void *data);
int ctr_freeze_async(struct corrald *d, ctr *c, uid_t member, ctr_frozen_fn done, void *data, cerr *err);
/* Thaw a paused container (status running again); nothing for any other. */
int ctr_thaw(struct corrald *d, ctr *c, cerr *err);
/* The same once it was signalled, so that it acts on the signal; a failure
 * is logged (a SIGKILL still ends it). */
void ctr_thaw_signalled(struct corrald *d, ctr *c);
/* Whether its cgroup is frozen now (false when it has none). */
bool ctr_is_frozen(struct corrald *d, ctr *c);
