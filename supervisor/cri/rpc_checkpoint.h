/* rpc_checkpoint.c: CheckpointContainer, kubelet's forensic checkpoint: the
 * container is dumped and runs on (corrald's Checkpoint with leaveRunning,
 * criu), then the checkpoint goes to the location kubelet names as one tar
 * (CheckpointExport). */
#pragma once
#include "supervisor/cri/cri_rpcs.h"

cri_handler rpc_checkpoint_container;
