/* ctr_gen.c: the Container object of the interface, and List's cached copy
 * of it. */
#pragma once
#include "supervisor/daemon/containers/record/ctr.h"

/* The container's spec as JSON (its parsed tree, cached). */
int ctr_gen_spec(yajl_gen g, const ctr *c);
/* "command": the image's command as the container runs it, when it has one. */
void ctr_gen_command(yajl_gen g, const ctr *c);

/* The Container object (Inspect, List). */
int ctr_gen(yajl_gen g, const ctr *c);
/* The same, appended to sb as JSON text, from the cache when still valid. */
int ctr_append_json(ctr *c, strbuf *sb);
/* List's cached entry is made anew: what it shows changed outside the
 * state it is keyed on (its name, its networks) */
void ctr_list_stale(ctr *c);
/* Its last run, as the record and the Container object both say it: signal,
 * oomKilled, startedAt, finishedAt, endReason, restartCount. */
void ctr_gen_last_run(yajl_gen g, const ctr *c);
