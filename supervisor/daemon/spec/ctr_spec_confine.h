/* ctr_spec_confine.c: What a node agent (kubelet's security context, through
 * corral-cri) asks of a container's confinement beside corral's defaults:
 * more groups for its process, no_new_privileges off, its own masked and
 * read-only paths, a seccomp profile of the host's, host devices, the host's
 * PID or IPC namespace, an SELinux label. */
#pragma once
#include "supervisor/daemon/spec/ctr_spec.h"

/* spec.groups, noNewPrivileges, maskedPaths, readonlyPaths, seccompProfile,
 * devices, pidNamespace, ipcNamespace and selinuxOptions
 * (ctr_spec_confine.c) */
int ctr_spec_parse_confine(yajl_val cspec_json, ctr_spec *s, json_fault *f);
void ctr_spec_release_confine(ctr_spec *s);
/* Whether s asks for what only root may: *field names it */
bool ctr_spec_confine_is_roots(const ctr_spec *s, const char **field);
