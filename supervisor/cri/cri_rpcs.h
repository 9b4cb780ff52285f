/* The rpcs corral-cri serves, each in the file of its kind: the runtime
 * itself (rpc_runtime.c), images (rpc_images.c), pods (rpc_pods.c),
 * containers (rpc_containers.c), stats (rpc_stats.c), events
 * (rpc_events.c). cri_methods.c lists them. */
#pragma once
#include "supervisor/cri/cri.h"
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#define CRI_IMAGE_REF_MAX 96
struct Runtime__V1__ContainerStatus;
typedef struct cri_status_mem cri_status_mem;

/* Why a config was not taken: its field, which corral does not give yet,
 * or whose value is wrong (invalid) */
typedef struct cri_refusal {
	const char *field;
	bool invalid;
} cri_refusal;
struct Runtime__V1__ContainerConfig;
struct Runtime__V1__PodSandboxConfig;
struct Runtime__V1__LinuxContainerResources;
struct Runtime__V1__ImageSpec;

