/* Health checks: a command run in a running container, through the same
 * confined exec path as Exec (the container's monitor), every interval;
 * its status is starting (within the start period, before any success),
 * healthy or unhealthy (retries failures in a row). Failures may kill or
 * restart the container (onFailure).
 *
 * ContainerSpec.healthcheck (io.corral.Supervisor):
 *   {"command": [argv...] (non-empty; corralctl --health-cmd CMD gives
 *    ["/bin/sh", "-c", CMD], as the image's CMD-SHELL does),
 *    "interval": "30s", "timeout": "30s", "retries": 3,
 *    "startPeriod": "0s", "onFailure": "none" | "kill" | "restart"}
 * durations as common/units.h parse_duration reads them; absent fields take
 * those defaults. ContainerSpec.noHealthcheck: true turns off the image's
 * Healthcheck, which is the default otherwise.
 *
 * Every change of status is published as the container event
 * "health_status" with the attribute health_status=<status>.
 *
 * Contract shared with the workloads room (workloads/workload.h): do not
 * change a declaration here without telling it. */
#pragma once
#include "supervisor/daemon/containers/record/ctr_service.h"

struct ctr;

enum health_status { HEALTH_NONE, HEALTH_STARTING, HEALTH_HEALTHY, HEALTH_UNHEALTHY, HEALTH_COUNT };
/* "none", "starting", "healthy", "unhealthy" */
extern const char *const health_status_str[HEALTH_COUNT];

/* HEALTH_NONE: it has no health check (or is not running). */
enum health_status health_status_of(const struct ctr *c);

/* Its part in each container's life (main_corrald.c registers it). */
extern const ctr_feature health_container_hooks;
