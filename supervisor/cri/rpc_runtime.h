/* rpc_runtime.c: The runtime itself: Version, Status, RuntimeConfig,
 * UpdateRuntimeConfig */
#pragma once
#include "supervisor/cri/cri_rpcs.h"

cri_handler rpc_version, rpc_status, rpc_runtime_config, rpc_update_runtime_config;
