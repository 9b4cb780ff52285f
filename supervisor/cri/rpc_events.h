/* rpc_events.c: GetContainerEvents, kubelet's evented PLEG: a server stream
 * of each CRI container's creation, start, stop (its death) and removal, from
 * corrald's Events, and of each pod's (its session's) as containerd sends
 * them: the pod's id as the container's, created and started at once,
 * stopped. */
#pragma once
#include "supervisor/cri/cri_rpcs.h"

cri_handler rpc_get_container_events;
