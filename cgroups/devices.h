/* Device access control on cgroup v2: an eBPF BPF_PROG_TYPE_CGROUP_DEVICE
 * program built from linux.resources.devices plus runc's default allow-list. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>
#include "cgroups.h"
#include "resources_int.h"

/* runc's default rules, appended after the config's (the last match wins). */
extern const struct cg_dev_rule cg_default_devices[];
extern const size_t cg_n_default_devices;

