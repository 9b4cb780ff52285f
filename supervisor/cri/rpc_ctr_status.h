/* rpc_ctr_status.c: ContainerStatus and ListContainers, from corrald's
 * Inspect and List, or for a client that lists again, from the relist's
 * store. */
#pragma once
#include "supervisor/cri/cri_rpcs.h"

cri_handler rpc_container_status, rpc_list_containers;
/* The ContainerStatus of ct, a container as corrald's Inspect or List
 * gives it, into st, which points into ct, mem and the config returned
 * (the caller's to free: protobuf_c_message_free_unpacked); NULL when ct
 * is not a CRI container. ContainerStatus and GetContainerEvents send it. */
struct Runtime__V1__ContainerConfig *cri_ctr_status_of(yajl_val ct, struct Runtime__V1__ContainerStatus *st,
							cri_status_mem *mem);
