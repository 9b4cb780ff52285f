/* ctr_resources.c: A ContainerSpec's resources, as Create and Update take
 * them: memory, cpus, pids, kubelet's cpu shares, cpusets and OOM score,
 * hugepage limits, and cgroup v2 files by name (unified, root's alone:
 * ctr_create.c). */
#pragma once
#include "supervisor/daemon/spec/ctr_spec.h"

/* A Resources object at path (ctr_resources.c): Create's and Update's;
 * released with the spec, or by ctr_spec_release_resources. */
int ctr_spec_parse_resources(yajl_val res, const char *path, ctr_spec *s, json_fault *f);
/* memorySwap and memoryReservation against memory, in a whole spec's
 * resources at path: swap counts memory too, a reservation is below the limit */
int ctr_spec_check_memory(const ctr_spec *s, const char *path, json_fault *f);
void ctr_spec_release_resources(ctr_spec *s);
