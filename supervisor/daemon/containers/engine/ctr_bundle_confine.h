/* The bundle's share of a node agent's confinement (ctr_bundle_confine.c) */
#pragma once
#include <stdbool.h>
#include <yajl/yajl_gen.h>
#include "common/error.h"
#include "supervisor/daemon/spec/ctr_spec.h"

/* Whether s gives its own linux.KEY, in place of the defaults' */
bool bundle_confine_replaces(const ctr_spec *s, const char *linux_key);
/* linux's maskedPaths, readonlyPaths, seccomp and devices that s gives;
 * -1 with *field and err when one cannot be had (a profile, a device) */
int bundle_gen_linux_confine(yajl_gen g, const ctr_spec *s, const char **field, cerr *err);
/* linux.resources.devices: s's devices allowed */
void bundle_gen_device_rules(yajl_gen g, const ctr_spec *s);
