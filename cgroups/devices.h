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

/* Build the program for rules (+ the defaults): the last matching rule
 * decides, nothing matching denies. *out is malloc'd. */
int cg_devices_program(const struct cg_dev_rule *rules, size_t n, bool with_defaults,
		       struct bpf_insn **out, size_t *len);
/* Load the program and attach it to the cgroup, replacing any corral
 * attached before (the new one is in place before the old one goes). */
int cg_devices_apply(cg *c, const struct cg_dev_rule *rules, size_t n, cerr *err);
