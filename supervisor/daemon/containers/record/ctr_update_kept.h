/* Update's changes kept in a container's record (ctr_update_kept.c) */
#pragma once
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "supervisor/daemon/spec/restart_policy.h"

struct corrald;
struct ctr;
/* res (Resources, as Update took them) over c's spec's resources: 0, or
 * -1 with err (c unchanged) */
int ctr_keep_resources(struct corrald *d, struct ctr *c, yajl_val res, cerr *err);
/* p as c's restart policy: 0, or -1 with err (c unchanged) */
int ctr_keep_restart(struct corrald *d, struct ctr *c, const restart_policy *p, cerr *err);
