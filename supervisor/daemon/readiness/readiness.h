/* corrald's own health: Health() in io.corral.Supervisor, and the
 * readiness that GET /readyz answers (metrics_http.h). Components: store
 * (the state directory takes a write), monitors (every running container's
 * monitor connection is up), loop (how late a timer fires), disk (free
 * space of the state directory). */
#pragma once
#include "common/error.h"
#include "common/strbuf.h"
#include "supervisor/varlink/server.h"

struct corrald;

#define READINESS_LAG_PERIOD_USEC 500000ull  /* the lag probe's period */
#define READINESS_LAG_DEGRADED_USEC 1000000ull
#define READINESS_DISK_MIN_BYTES (64ull << 20)
#define READINESS_DISK_MIN_PERMILLE 10       /* 1% */

/* Start the loop's lag probe. */
int readiness_init(struct corrald *d, cerr *err);
/* 0 ready; else -EAGAIN with the failing component and why in *why. */
int readiness_ready(strbuf *why, void *data);
vl_method_fn sv_health;
