/* rpc_containers.c: Containers: each a corral container, in its
 * pod's session, with the ContainerConfig kubelet gave in its labels. */
#pragma once
#include "supervisor/cri/cri_rpcs.h"

/* A container id the call names, checked before corrald sees it: hex
 * digits; false with c answered INVALID_ARGUMENT */
bool ctr_id_ok(cri_call *c, const char *rpc, const char *id);
cri_handler rpc_create_container, rpc_start_container, rpc_stop_container, rpc_remove_container, rpc_exec_sync;
/* Exec, Attach and PortForward: a URL of the streaming server (corral-stream) */
cri_handler rpc_exec, rpc_attach, rpc_port_forward;
cri_handler rpc_reopen_container_log, rpc_update_container_resources;
