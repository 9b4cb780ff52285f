/* ctr_methods.c: the container methods that stop, kill, remove, prune,
 * list, inspect, wait for, and read the logs and stats of containers; each
 * owns its call (see vl_method_fn). The others have files of their own
 * (ctr_run_methods.c, ctr_exec.c, ...). All stand on the engine (engine/)
 * and the record (record/), which never call up into them. */
#pragma once
#include "common/json_get.h"
#include "supervisor/varlink/server.h"

struct ctr;

/* Stop's and Restart's "timeout": the seconds c has to end before its
 * SIGKILL, at most a day; none, c's own stop timeout. */
int ctr_stop_timeout(const struct ctr *c, yajl_val params, unsigned *timeout, json_fault *f);
/* The container a Stop or Restart names (CTR_METHOD_TARGET: "id") and its
 * timeout; else the call is answered and the method returns. */
#define CTR_STOP_TARGET(c, timeout, d, call, params)                             \
	json_fault c##_fault_ = { 0 };                                           \
	CTR_METHOD_TARGET(c, d, call, params, c##_fault_, "id", "timeout");      \
	unsigned timeout;                                                        \
	if (ctr_stop_timeout(c, params, &timeout, &c##_fault_) < 0)              \
	return sv_invalid_fault((call), &c##_fault_)

vl_method_fn sv_stop, sv_kill, sv_remove, sv_container_prune, sv_list, sv_inspect, sv_wait, sv_logs, sv_reopen_log,
	sv_stats;
