/* rpc_stats.c: ContainerStats, ListContainerStats, PodSandboxStats,
 * ListPodSandboxStats: corrald's Stats of each running CRI container, in
 * three steps. */
#pragma once
#include "supervisor/cri/cri_rpcs.h"

cri_handler rpc_container_stats, rpc_list_container_stats, rpc_pod_sandbox_stats, rpc_list_pod_sandbox_stats;
