/* A health check's definition: ContainerSpec.healthcheck parsed (health.h
 * gives its form), the image config's Healthcheck converted, and the
 * effective check written back in the spec's form (record.json keeps it). */
#pragma once
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "common/json_get.h"

enum health_on_failure { HEALTH_ON_FAILURE_NONE, HEALTH_ON_FAILURE_KILL, HEALTH_ON_FAILURE_RESTART };

#define HEALTH_DEFAULT_USEC (30ull * 1000000)
#define HEALTH_DEFAULT_RETRIES 3
#define HEALTH_MAX_RETRIES 1000
/* An image's interval is at least this, whoever runs it: each check is an
 * exec by the container's monitor, which no rate limit of the control socket
 * counts, and the image's author chose it. A member's own checks get the same
 * floor (checker.c). */
#define HEALTH_IMAGE_MIN_INTERVAL_USEC 1000000ull

typedef struct health_check {
	char **command;                 /* argv, non-empty */
	uint64_t interval_us, timeout_us, start_period_us;
	unsigned retries;
	enum health_on_failure on_failure;
} health_check;

/* v: the healthcheck object, at path ("spec.healthcheck"); *out is new. */
int health_check_parse(yajl_val v, const char *path, health_check **out, json_fault *f);
/* The image config's Healthcheck ({"Test": ["CMD", ...] | ["CMD-SHELL",
 * cmd] | ["NONE"], "Interval", "Timeout", "StartPeriod" in ns, "Retries"}),
 * as JSON text; *out is NULL when there is none or it says NONE. An
 * Interval under HEALTH_IMAGE_MIN_INTERVAL_USEC is raised to it. */
int health_check_from_image(const char *json, health_check **out, cerr *err);
/* The check in ContainerSpec.healthcheck's form. */
int health_check_gen(yajl_gen g, const health_check *h);
void health_check_free(health_check *h);
static inline void health_check_freep(health_check **h) { health_check_free(*h); }
