/* What an unhealthy container gets (healthcheck.onFailure). */
#pragma once
#include "supervisor/daemon/spec/healthcheck.h"

struct corrald;
struct ctr;

void health_on_failure(struct corrald *d, struct ctr *c, enum health_on_failure what);
