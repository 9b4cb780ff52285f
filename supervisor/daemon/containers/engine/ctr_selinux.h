/* A container's SELinux labels from spec.selinuxOptions, over the loaded
 * policy's container defaults, as container runtimes take them (ctr_selinux.c) */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "supervisor/daemon/spec/ctr_spec.h"
#include "common/error.h"

#define CTR_SELINUX_LABEL_MAX 1024

/* true with the process label and the mount label in proc and mount when
 * s gives options and SELinux is on here; false where it is off (the
 * options are then no one's to apply, as containerd and podman ignore
 * them) or none are given. */
bool ctr_selinux_labels(const ctr_spec *s, char proc[CTR_SELINUX_LABEL_MAX], char mount[CTR_SELINUX_LABEL_MAX]);
/* Create's check: 0, or -1 with err naming the label the loaded policy
 * does not take (a type that it has not: Debian's selinux-policy-default
 * has no container module, while its lxc_contexts names container_t) */
int ctr_selinux_check(const ctr_spec *s, cerr *err);
