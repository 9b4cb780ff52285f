/* ctr_spec_node.c: What a node agent (kubelet, through corral-cri) sets for a
 * container beside the rest of its spec: where its CRI log goes, its cgroup's
 * parent (kubelet's pod cgroup) and its sysctls. */
#pragma once
#include "supervisor/daemon/spec/ctr_spec.h"

/* spec.logPath, spec.cgroupParent and spec.sysctls (ctr_spec_node.c) */
int ctr_spec_parse_node(yajl_val cspec_json, ctr_spec *s, json_fault *f);
void ctr_spec_release_node(ctr_spec *s);
/* Kubernetes' safe sysctls, which a member may set */
bool ctr_sysctl_is_safe(const char *key);
