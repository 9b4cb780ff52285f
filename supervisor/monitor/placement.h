/* corral-monitor's own cgroup, out of corrald's (corrald passes where). */
#pragma once
#include "common/error.h"

/* Move this process out of corrald's cgroup: with slice, into the scope
 * unit corral-monitor-ID.scope that systemd makes in that slice; with
 * cgroup, into that cgroup (a path below the cgroup2 mount). Neither: stay. */
int monitor_place(const char *slice, const char *cgroup, const char *id, cerr *err);
