/* From an image config to an OCI runtime config: Entrypoint and Cmd (the
 * command line overrides Cmd), Env, WorkingDir, User resolved against the
 * image's own /etc/passwd and /etc/group, Labels and StopSignal as
 * annotations, on top of secure defaults (podman's default capabilities,
 * masked and readonly paths, no_new_privileges, a private network
 * namespace). */
#pragma once
#include "bundle/image_config.h"
#include "bundle/spec.h"
#include "common/error.h"

#define ANNOT_STOP_SIGNAL "org.opencontainers.image.stopSignal"

/* args: the command line's override of Cmd, or NULL. rootfs_fd: the
 * assembled rootfs, where User is resolved (bundle/image_user.h). */
int spec_from_image(const img_config *cfg, int rootfs_fd, char *const *args, struct oci_spec **out, cerr *err);
