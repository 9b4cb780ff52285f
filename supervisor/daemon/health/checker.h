/* The health checker of a running container (health.h): a timer, one
 * command at a time through the container's monitor (as Exec runs one),
 * its results and the status they make. */
#pragma once
#include <yajl/yajl_gen.h>
#include "common/strbuf.h"
#include "supervisor/daemon/health/health.h"

struct corrald;

#define HEALTH_LOG_MAX 5         /* results kept */
#define HEALTH_OUTPUT_MAX 4096   /* the tail of a result's output kept */

/* It runs (started, restarted or adopted): checks begin, "starting". */
void health_start(struct corrald *d, struct ctr *c);
/* It has ended: its checker stops (a command under way is cut). */
void health_stop(struct ctr *c);
void health_free(struct ctr *c);
/* Inspect's state.health: {"status", "failingStreak", "log": [...]}. */
int health_gen(yajl_gen g, const struct ctr *c);
/* A number that changes with every result, for List's cache. */
unsigned health_version(const struct ctr *c);
/* corral_container_health and corral_health_checks_total. */
int health_metrics_render(struct corrald *d, strbuf *out);

/* The last HEALTH_OUTPUT_MAX bytes of out, not starting inside a UTF-8 sequence. */
char *health_tail_of(const char *out, size_t len);
