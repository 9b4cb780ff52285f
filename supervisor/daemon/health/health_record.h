/* health_record.c: A running container's health outlives corrald: its status,
 * failing streak and log are in its record ("health", as Inspect shows them),
 * and an adopted container's checker goes on from them rather than starting
 * over (a healthy replica stays ready across a corrald restart). */
#pragma once
#include "supervisor/daemon/health/health_checker.h"

/* The record's "health" (ctr_feature's record.gen and record.load). */
void health_gen_record(yajl_gen g, const struct ctr *c);
void health_load_record(struct ctr *c, yajl_val record);
