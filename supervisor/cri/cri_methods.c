/* Which handler serves each rpc (cri.h). An rpc not listed answers
 * UNIMPLEMENTED, naming it. */
#include "supervisor/cri/cri_rpcs.h"
#include "supervisor/cri/rpc_image_store.h"
#include "supervisor/cri/rpc_image_pull.h"
#include "supervisor/cri/rpc_images.h"
#include "supervisor/cri/rpc_checkpoint.h"
#include "supervisor/cri/rpc_events.h"
#include "supervisor/cri/rpc_stats.h"
#include "supervisor/cri/rpc_ctr_status.h"
#include "supervisor/cri/rpc_containers.h"
#include "supervisor/cri/rpc_pods.h"
#include "supervisor/cri/rpc_runtime.h"
#include "supervisor/cri/runtime_v1.pb-c.h"

static const cri_method runtime_methods[] = {
	{ "Version", rpc_version, false },
	{ "Status", rpc_status, false },
	{ "RuntimeConfig", rpc_runtime_config, false },
	{ "UpdateRuntimeConfig", rpc_update_runtime_config, false },
	{ "RunPodSandbox", rpc_run_pod_sandbox, false },
	{ "StopPodSandbox", rpc_stop_pod_sandbox, false },
	{ "RemovePodSandbox", rpc_remove_pod_sandbox, false },
	{ "PodSandboxStatus", rpc_pod_sandbox_status, false },
	{ "ListPodSandbox", rpc_list_pod_sandbox, false },
	{ "CreateContainer", rpc_create_container, false },
	{ "StartContainer", rpc_start_container, false },
	{ "StopContainer", rpc_stop_container, false },
	{ "RemoveContainer", rpc_remove_container, false },
	{ "ListContainers", rpc_list_containers, false },
	{ "ContainerStatus", rpc_container_status, false },
	{ "ExecSync", rpc_exec_sync, false },
	{ "Exec", rpc_exec, false },
	{ "Attach", rpc_attach, false },
	{ "PortForward", rpc_port_forward, false },
	{ "ReopenContainerLog", rpc_reopen_container_log, false },
	{ "UpdateContainerResources", rpc_update_container_resources, false },
	{ "ContainerStats", rpc_container_stats, false },
	{ "ListContainerStats", rpc_list_container_stats, false },
	{ "PodSandboxStats", rpc_pod_sandbox_stats, false },
	{ "ListPodSandboxStats", rpc_list_pod_sandbox_stats, false },
	{ "GetContainerEvents", rpc_get_container_events, true },
	{ "CheckpointContainer", rpc_checkpoint_container, false },
	{ NULL, NULL, false },
};

static const cri_method image_methods[] = {
	{ "ListImages", rpc_list_images, false },
	{ "ImageStatus", rpc_image_status, false },
	{ "PullImage", rpc_pull_image, false },
	{ "RemoveImage", rpc_remove_image, false },
	{ "ImageFsInfo", rpc_image_fs_info, false },
	{ NULL, NULL, false },
};

const cri_service cri_services[] = {
	{ "/runtime.v1.RuntimeService/", &runtime__v1__runtime_service__descriptor, runtime_methods },
	{ "/runtime.v1.ImageService/", &runtime__v1__image_service__descriptor, image_methods },
	{ NULL, NULL, NULL },
};
