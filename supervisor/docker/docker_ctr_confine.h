/* docker_ctr_confine.c: POST /containers/create's HostConfig fields of
 * confinement, limits and namespaces as ContainerSpec's keys. */
#pragma once
#include "supervisor/docker/dk.h"

/* SecurityOpt, MaskedPaths and ReadonlyPaths, Devices, GroupAdd, Sysctls,
 * PidMode, IpcMode, Ulimits and ShmSize into g (the spec's open map): 0,
 * or -1 with r answered (400) for a value Docker would refuse too, or that
 * corral has no word for. */
int dk_gen_confinement(dk_req *r, yajl_gen g, yajl_val hc);
