/* rpc_pod_stats.c: PodSandboxStats' and ListPodSandboxStats' answer: a pod's
 * figures are its running containers' summed (corral keeps no cgroup of the
 * pod's own, and runs no pause container), its network is what one of them
 * sees (they share the pod's namespace), its attributes are its session's
 * PodSandboxConfig. */
#pragma once
#include "supervisor/cri/cri_stats.h"

/* rpc_pod_stats.c: PodSandboxStats' and ListPodSandboxStats' answer, once
 * every Stats is in: the pods' sessions, then c is answered */
void stats_pods_answer(cri_call *c, stats_call *j);
