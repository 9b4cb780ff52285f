/* rpc_containers.c: Containers: each a corral container, a member of its
 * pod's session, with the ContainerConfig kubelet gave in its labels. */
#pragma once
#include "supervisor/cri/cri_rpcs.h"

bool ctr_id_ok(cri_call *c, const char *rpc, const char *id);
/* rpc_containers.c, rpc_ctr_status.c */
void rpc_create_container(cri_call *c, const ProtobufCMessage *req);
void rpc_start_container(cri_call *c, const ProtobufCMessage *req);
void rpc_stop_container(cri_call *c, const ProtobufCMessage *req);
void rpc_remove_container(cri_call *c, const ProtobufCMessage *req);
void rpc_exec_sync(cri_call *c, const ProtobufCMessage *req);
/* Exec, Attach and PortForward: UNIMPLEMENTED, naming the streaming server
 * that they need (supervisor/stream: not served yet) */
void rpc_exec(cri_call *c, const ProtobufCMessage *req);
void rpc_attach(cri_call *c, const ProtobufCMessage *req);
void rpc_port_forward(cri_call *c, const ProtobufCMessage *req);
void rpc_reopen_container_log(cri_call *c, const ProtobufCMessage *req);
void rpc_update_container_resources(cri_call *c, const ProtobufCMessage *req);
