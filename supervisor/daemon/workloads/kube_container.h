/* kube_container.c: A pod's container into {"name": C, "pull": P, "spec":
 * ContainerSpec}: image and imagePullPolicy, command and args, env, ports,
 * resource limits and volume mounts. */
#pragma once
#include "supervisor/daemon/workloads/kube_pod.h"

/* One container ({"name": C, "spec": ContainerSpec}). */
int kube_container_gen(kube_ctx *c, const kube_node *ctr, const char *path, const kube_pod *pod, yajl_gen g);
