/* cg_stats.c: a cgroup's figures, read from its files. */
#pragma once
#include "cgroups/stats.h"

/* Read whatever the cgroup offers; a missing controller leaves has_* false. */
int cg_stats_read(cg *c, struct cg_stats *s, cerr *err);
void cg_stats_release(struct cg_stats *s);
/* The "data" object of runc's stats event. Returns nonzero on failure. */
int cg_stats_json(const struct cg_stats *s, yajl_gen g);
/* The oom_kill count of memory.events: processes the kernel OOM-killed in
 * this cgroup. ("oom" counts limit hits, which need not kill anyone.) */
int cg_oom_kills(cg *c, uint64_t *n);
