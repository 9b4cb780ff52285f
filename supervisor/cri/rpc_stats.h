/* rpc_stats.c: ContainerStats, ListContainerStats, PodSandboxStats,
 * ListPodSandboxStats: corrald's Stats of each running CRI container, in
 * three steps. */
#pragma once
#include "supervisor/cri/cri_rpcs.h"

void rpc_container_stats(cri_call *c, const ProtobufCMessage *req);
void rpc_list_container_stats(cri_call *c, const ProtobufCMessage *req);
void rpc_pod_sandbox_stats(cri_call *c, const ProtobufCMessage *req);
void rpc_list_pod_sandbox_stats(cri_call *c, const ProtobufCMessage *req);
