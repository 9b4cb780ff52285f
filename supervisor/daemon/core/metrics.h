/* corrald's metrics in the Prometheus text format (version 0.0.4). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/strbuf.h"

typedef struct metrics metrics;

#define METRICS_MAX_METHODS 64 /* further method names count as "other" */

metrics *metrics_new(void);
void metrics_free(metrics *m);

/* One finished call: error NULL for success. */
void metrics_rpc(metrics *m, const char *method, const char *error, uint64_t usec);
/* Gauges, set by whoever knows them. */
void metrics_set_containers(metrics *m, const char *state, uint64_t n);
void metrics_set_store_bytes(metrics *m, uint64_t bytes);
void metrics_set_images(metrics *m, uint64_t n);
void metrics_set_connections(metrics *m, uint64_t n);
void metrics_set_log_streams(metrics *m, uint64_t n);
/* Counters. */
void metrics_add_restarts(metrics *m, uint64_t n);
void metrics_add_oom_kills(metrics *m, uint64_t n);
void metrics_add_refused(metrics *m, uint64_t n);
/* A pull from a registry ended, having fetched bytes of blobs. */
void metrics_add_pull(metrics *m, bool ok, uint64_t bytes);

int metrics_render(const metrics *m, strbuf *out);
/* For families rendered elsewhere: the HELP and TYPE lines; a label value,
 * escaped (values come from clients: \, " and newline). */
int metrics_head(strbuf *sb, const char *name, const char *type, const char *help);
int metrics_label(strbuf *sb, const char *v);
