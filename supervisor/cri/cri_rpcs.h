/* The rpcs corral-cri serves, each in the file of its kind: the runtime
 * itself (rpc_runtime.c), images (rpc_images.c), pods (rpc_pods.c),
 * containers (rpc_containers.c), stats (rpc_stats.c), events
 * (rpc_events.c). cri_methods.c lists them. */
#pragma once
#include "supervisor/cri/cri.h"
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

void rpc_version(cri_call *c, const ProtobufCMessage *req);
void rpc_status(cri_call *c, const ProtobufCMessage *req);
void rpc_runtime_config(cri_call *c, const ProtobufCMessage *req);
void rpc_update_runtime_config(cri_call *c, const ProtobufCMessage *req);

/* The ids the CRI's calls name, checked before corrald sees them: hex
 * digits, as corral makes them; false with c answered INVALID_ARGUMENT */
bool pod_id_ok(cri_call *c, const char *rpc, const char *id);
bool ctr_id_ok(cri_call *c, const char *rpc, const char *id);

/* rpc_pods.c */
void rpc_run_pod_sandbox(cri_call *c, const ProtobufCMessage *req);
void rpc_stop_pod_sandbox(cri_call *c, const ProtobufCMessage *req);
void rpc_remove_pod_sandbox(cri_call *c, const ProtobufCMessage *req);
void rpc_pod_sandbox_status(cri_call *c, const ProtobufCMessage *req);
void rpc_list_pod_sandbox(cri_call *c, const ProtobufCMessage *req);

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
void rpc_container_status(cri_call *c, const ProtobufCMessage *req);
void rpc_list_containers(cri_call *c, const ProtobufCMessage *req);
/* The ContainerStatus of ct, a container as corrald's Inspect or List
 * gives it, into st, which points into ct, mem and the config returned
 * (the caller's to free: protobuf_c_message_free_unpacked); NULL when ct
 * is not a CRI container. ContainerStatus and GetContainerEvents send it. */
#define CRI_IMAGE_REF_MAX 96
struct Runtime__V1__ContainerStatus;
typedef struct cri_status_mem cri_status_mem;
struct Runtime__V1__ContainerConfig *cri_ctr_status_of(yajl_val ct, struct Runtime__V1__ContainerStatus *st,
							cri_status_mem *mem);

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
char *cri_ctr_spec(const char *pod_id, const struct Runtime__V1__ContainerConfig *cfg,
		   const struct Runtime__V1__PodSandboxConfig *pod, bool root, cri_refusal *refused);
/* A ContainerSpec's "resources" key and Resources of r (CreateContainer's
 * and UpdateContainerResources'); oom: its OOM score too */
struct Runtime__V1__LinuxContainerResources;
int cri_gen_resources(yajl_gen g, const struct Runtime__V1__LinuxContainerResources *r, bool oom);

/* rpc_stats.c */
void rpc_container_stats(cri_call *c, const ProtobufCMessage *req);
void rpc_list_container_stats(cri_call *c, const ProtobufCMessage *req);
void rpc_pod_sandbox_stats(cri_call *c, const ProtobufCMessage *req);
void rpc_list_pod_sandbox_stats(cri_call *c, const ProtobufCMessage *req);

/* rpc_events.c: a server stream */
void rpc_get_container_events(cri_call *c, const ProtobufCMessage *req);

/* rpc_checkpoint.c */
void rpc_checkpoint_container(cri_call *c, const ProtobufCMessage *req);

/* rpc_images.c, rpc_image_pull.c, rpc_image_store.c: the ImageService */
void rpc_list_images(cri_call *c, const ProtobufCMessage *req);
void rpc_image_status(cri_call *c, const ProtobufCMessage *req);
void rpc_pull_image(cri_call *c, const ProtobufCMessage *req);
void rpc_remove_image(cri_call *c, const ProtobufCMessage *req);
void rpc_image_fs_info(cri_call *c, const ProtobufCMessage *req);
/* What the image rpcs share (rpc_images.c): whether spec names an image
 * (false with c answered INVALID_ARGUMENT), corrald's {"image": ref}
 * (NULL when out of memory), and whether rep is corrald's NoSuchImage */
struct Runtime__V1__ImageSpec;
bool cri_image_named(cri_call *c, const struct Runtime__V1__ImageSpec *spec);
char *cri_image_params(const char *ref);
bool cri_no_such_image(const vl_reply *rep);
