/* health_opt.c: --health-* and --no-healthcheck into the spec's healthcheck,
 * with podman's names. */
#pragma once
#include "supervisor/ctl/ctl_spec.h"

/* "healthcheck" or "noHealthcheck" into g, from --health-* (health_opt.c). */
int ctl_gen_health(const ctl_args *a, yajl_gen g);
