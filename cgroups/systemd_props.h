/* systemd_props.c: linux.resources as systemd unit properties, with runc's
 * conversions: systemd rounds CPUQuotaPerSecUSec to 10 ms and takes v2
 * weights. */
#pragma once
#include "cgroups/systemd.h"

int cg_unit_props(const struct cg_resources *r, struct cg_unit_props *p, cerr *err);
/* The unit name and slice of linux.cgroupsPath "slice:prefix:name" (an
 * empty slice is system.slice, as runc has it). unit and slice get
 * NAME_MAX+1 bytes. */
int cg_scope_names(const char *cgroups_path, char *slice, char *unit, cerr *err);
