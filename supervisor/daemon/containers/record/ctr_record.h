/* ctr_record.c: record.json, a container's record, written atomically
 * and read back at start. */
#pragma once
#include "supervisor/daemon/containers/record/ctr.h"

/* record.json */
int ctr_record_save(const struct corrald *d, const ctr *c, cerr *err);
/* The first record of a new container, in two steps (common/fileio.h): the
 * caller commits it, then syncs the container's directory and its parent. */
int ctr_record_begin(const struct corrald *d, const ctr *c, wfa_pending *p, cerr *err);
int ctr_record_load(struct corrald *d, const char *dir, ctr **out, cerr *err);
/* Save its record (a failure is logged) and update the gauges. */
void ctr_save(struct corrald *d, ctr *c);
