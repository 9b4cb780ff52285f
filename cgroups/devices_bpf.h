/* devices_bpf.c: The device filter: cgroup v2 has no devices.allow file; the
 * kernel asks a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup
 * instead. */
#pragma once
#include "cgroups/devices.h"

/* Build the program for rules (+ the defaults): the last matching rule
 * decides, nothing matching denies. *out is malloc'd. */
int cg_devices_program(const struct cg_dev_rule *rules, size_t n, bool with_defaults,
		       struct bpf_insn **out, size_t *len);
/* Load the program and attach it to the cgroup, replacing any corral
 * attached before (the new one is in place before the old one goes). */
int cg_devices_apply(cg *c, const struct cg_dev_rule *rules, size_t n, cerr *err);
