/* wl_act.c: The act step: a replica made or removed through the methods a
 * peer calls (SessionCreate, CreateContainer, Start, SessionRemove), as the
 * workload's peer, so that policy and audit apply to every container the loop
 * makes; its images readied first (wl_pull.c). */
#pragma once
#include "supervisor/daemon/workloads/wl_loop.h"

/* Start an action for w; false when none may start now (WL_OPS_MAX). */
bool wl_act(wl_table *t, workload *w, const wl_action *a);
void wl_ops_abandon(wl_table *t);
/* The images of a creation are ready: its session comes next (w is its
 * workload, as it still is). */
void wl_op_prepared(wl_op *o, const workload *w);
/* A creation or removal failed: what it made goes, then it ends with why
 * (o is gone). */
void wl_op_fail(wl_op *o, const char *why);
