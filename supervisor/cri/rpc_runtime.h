/* rpc_runtime.c: The runtime itself: Version, Status, RuntimeConfig,
 * UpdateRuntimeConfig */
#pragma once
#include "supervisor/cri/cri_rpcs.h"

void rpc_version(cri_call *c, const ProtobufCMessage *req);
void rpc_status(cri_call *c, const ProtobufCMessage *req);
void rpc_runtime_config(cri_call *c, const ProtobufCMessage *req);
void rpc_update_runtime_config(cri_call *c, const ProtobufCMessage *req);
