/* rpc_pods.c: Pods: a pod is a corral session (its network, IPC and UTS
 * namespaces pinned by corrald, no pause container), named by the pod's id,
 * with the PodSandboxConfig kubelet gave in its labels. */
#pragma once
#include "supervisor/cri/cri_rpcs.h"

/* A pod id the call names, checked before corrald sees it: hex digits, as
 * corral makes them; false with c answered INVALID_ARGUMENT */
bool pod_id_ok(cri_call *c, const char *rpc, const char *id);
void rpc_run_pod_sandbox(cri_call *c, const ProtobufCMessage *req);
void rpc_stop_pod_sandbox(cri_call *c, const ProtobufCMessage *req);
void rpc_remove_pod_sandbox(cri_call *c, const ProtobufCMessage *req);
void rpc_pod_sandbox_status(cri_call *c, const ProtobufCMessage *req);
void rpc_list_pod_sandbox(cri_call *c, const ProtobufCMessage *req);
