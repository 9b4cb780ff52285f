/* ctr_methods.c: the container methods that stop, kill, remove, prune,
 * list, inspect, wait for, and read the logs and stats of containers; each
 * owns its call (see vl_method_fn). The others have files of their own
 * (ctr_run_methods.c, ctr_exec.c, ...). All stand on the engine (engine/)
 * and the record (record/), which never call up into them. */
#pragma once
#include "common/json_get.h"
#include "supervisor/varlink/server.h"

struct ctr;

/* The seconds c has to end before its SIGKILL: a Stop's or Restart's
 * "timeout" as asked (at most a day), or when none was (-1) c's own. */
unsigned ctr_stop_timeout(const struct ctr *c, long long asked);
/* The container a Stop or Restart names (CTR_METHOD_TARGET: "id") and its
 * timeout; else the call is answered and the method returns. */
#define CTR_STOP_TARGET(c, timeout, d, call, params)                                           \
	json_fault c##_fault_ = { 0 };                                                         \
	long long c##_timeout_;                                                                \
	CTR_METHOD_TARGET(c, d, call, params, c##_fault_, SP_INT("timeout", 0, 86400, -1, &c##_timeout_)); \
	unsigned timeout = ctr_stop_timeout(c, c##_timeout_)

vl_method_fn sv_stop, sv_kill, sv_remove, sv_container_prune, sv_list, sv_inspect, sv_wait, sv_logs, sv_reopen_log,
	sv_stats;
