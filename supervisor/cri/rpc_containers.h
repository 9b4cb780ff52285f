/* rpc_containers.c: Containers: each a corral container, in its
 * pod's session, with the ContainerConfig kubelet gave in its labels. */
#pragma once
#include "supervisor/cri/cri_rpcs.h"

/* A container id the call names, checked before corrald sees it: hex
 * digits; false with c answered INVALID_ARGUMENT */
bool ctr_id_ok(cri_call *c, const char *rpc, const char *id);
void rpc_create_container(cri_call *c, const ProtobufCMessage *req);
void rpc_start_container(cri_call *c, const ProtobufCMessage *req);
void rpc_stop_container(cri_call *c, const ProtobufCMessage *req);
void rpc_remove_container(cri_call *c, const ProtobufCMessage *req);
void rpc_exec_sync(cri_call *c, const ProtobufCMessage *req);
/* Exec, Attach and PortForward: a URL of the streaming server (corral-stream) */
void rpc_exec(cri_call *c, const ProtobufCMessage *req);
void rpc_attach(cri_call *c, const ProtobufCMessage *req);
void rpc_port_forward(cri_call *c, const ProtobufCMessage *req);
void rpc_reopen_container_log(cri_call *c, const ProtobufCMessage *req);
void rpc_update_container_resources(cri_call *c, const ProtobufCMessage *req);
