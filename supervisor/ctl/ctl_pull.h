/* ctl_pull.c: corralctl pull (image pull), login and logout, as podman's. */
#pragma once
#include "supervisor/ctl/ctl.h"

/* run/create --pull POLICY for image: pull when the policy says, with its
 * progress on stderr; *use the name to create from when it pulled (free
 * it), else NULL. 0 or EXIT_CTL, said. */
int ctl_pull_policy(const char *policy, const char *image, char **use);
