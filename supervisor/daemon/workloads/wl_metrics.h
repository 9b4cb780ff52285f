/* wl_metrics.c: The workloads' Prometheus families: replicas wanted and
 * ready, the drift of the last plan (actions it needed), the actions taken,
 * and how long the last convergence took. */
#pragma once
#include "supervisor/daemon/workloads/wl_loop.h"

/* The workload room's Prometheus families. */
int wl_render_metrics(struct corrald *d, strbuf *out);
