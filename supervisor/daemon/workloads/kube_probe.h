/* kube_probe.c: A container's livenessProbe (exec only) as corral's
 * healthcheck, and its securityContext as user, readOnly, capAdd and capDrop. */
#pragma once
#include "supervisor/daemon/workloads/kube_pod.h"

/* Its livenessProbe as "healthcheck", and its securityContext as user,
 * readOnly, capAdd, capDrop, each written only when given. */
int kube_probe_gen(kube_ctx *c, const kube_node *ctr, const char *path, yajl_gen g);
int kube_security_gen(kube_ctx *c, const kube_node *ctr, const char *path, yajl_gen g);
