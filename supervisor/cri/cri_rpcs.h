/* The rpcs corral-cri serves, each in the file of its kind: the runtime
 * itself (rpc_runtime.c), images (rpc_images.c), pods (rpc_pods.c),
 * containers (rpc_containers.c), stats (rpc_stats.c), events
 * (rpc_events.c). cri_methods.c lists them. */
#pragma once
#include "supervisor/cri/cri.h"
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

/* The ContainerStatus of ct, a container as corrald's Inspect or List
 * gives it, into st, which points into ct, mem and the config returned
 * (the caller's to free: protobuf_c_message_free_unpacked); NULL when ct
 * is not a CRI container. ContainerStatus and GetContainerEvents send it. */
#define CRI_IMAGE_REF_MAX 96
struct Runtime__V1__ContainerStatus;
typedef struct cri_status_mem cri_status_mem;

/* Why a config was not taken: its field, which corral does not give yet,
 * or whose value is wrong (invalid) */
typedef struct cri_refusal {
	const char *field;
	bool invalid;
} cri_refusal;
/* ctr_spec_gen.c: CreateContainer's ContainerSpec (JSON params) of a
 * config in pod pod_id; NULL with refused->field set, or out of memory */
struct Runtime__V1__ContainerConfig;
struct Runtime__V1__PodSandboxConfig;
/* A ContainerSpec's "resources" key and Resources of r (CreateContainer's
 * and UpdateContainerResources'); oom: its OOM score too */
struct Runtime__V1__LinuxContainerResources;

/* What the image rpcs share (rpc_images.c): whether spec names an image
 * (false with c answered INVALID_ARGUMENT), corrald's {"image": ref}
 * (NULL when out of memory), and whether rep is corrald's NoSuchImage */
struct Runtime__V1__ImageSpec;
