/* rpc_pods.c: Pods: a pod is a corral session (its network, IPC and UTS
 * namespaces pinned by corrald, no pause container), named by the pod's id,
 * with the PodSandboxConfig kubelet gave in its labels. */
#pragma once
#include "supervisor/cri/cri_rpcs.h"

/* A pod id the call names, checked before corrald sees it: hex digits, as
 * corral makes them; false with c answered INVALID_ARGUMENT */
bool pod_id_ok(cri_call *c, const char *rpc, const char *id);
cri_handler rpc_run_pod_sandbox, rpc_stop_pod_sandbox, rpc_remove_pod_sandbox, rpc_pod_sandbox_status,
	rpc_list_pod_sandbox;
