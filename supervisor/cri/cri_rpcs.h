/* The rpcs corral-cri serves, each in the file of its kind: the runtime
 * itself (rpc_runtime.c), images (rpc_images.c), pods (rpc_pods.c),
 * containers (rpc_containers.c), stats (rpc_stats.c), events
 * (rpc_events.c). cri_methods.c lists them. */
#pragma once
#include "supervisor/cri/cri.h"

void rpc_version(cri_call *c, const ProtobufCMessage *req);
void rpc_status(cri_call *c, const ProtobufCMessage *req);
void rpc_runtime_config(cri_call *c, const ProtobufCMessage *req);
void rpc_update_runtime_config(cri_call *c, const ProtobufCMessage *req);
