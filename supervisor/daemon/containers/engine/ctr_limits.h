/* linux.resources of a spec's limits, as the bundle's config.json and
 * `corral update -r` both take them (ctr_limits.c) */
#pragma once
#include <yajl/yajl_gen.h>
#include "supervisor/daemon/spec/ctr_spec.h"

/* memory, cpu, pids, hugepageLimits and unified, each one s gives, as keys
 * of the open linux.resources map */
void ctr_limits_gen(yajl_gen g, const ctr_spec *s);
