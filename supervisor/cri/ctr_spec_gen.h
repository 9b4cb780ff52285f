/* ctr_spec_gen.c: A CRI ContainerConfig as corrald's ContainerSpec: the pod's
 * session, kubelet's command as the entrypoint and its args as the command
 * (Kubernetes' composition is Docker's), the security context, the pod's log
 * directory, cgroup parent and sysctls, and the config itself, whole, in a
 * label. */
#pragma once
#include "supervisor/cri/cri_rpcs.h"

/* CreateContainer's ContainerSpec (JSON params) of a config in pod pod_id;
 * NULL with refused->field set, or out of memory */
char *cri_ctr_spec(const char *pod_id, const struct Runtime__V1__ContainerConfig *cfg,
		   const struct Runtime__V1__PodSandboxConfig *pod, bool root, cri_refusal *refused);
/* A ContainerSpec's "resources" key and Resources of r (CreateContainer's
 * and UpdateContainerResources'); oom: its OOM score too */
int cri_gen_resources(yajl_gen g, const struct Runtime__V1__LinuxContainerResources *r, bool oom);
