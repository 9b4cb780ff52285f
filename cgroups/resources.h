/* linux.resources: parsed, validated, and applied as cgroup v2 files. */
#pragma once
#include <stdbool.h>
#include <yajl/yajl_tree.h>
#include <stddef.h>
#include "common/error.h"
#include "cgroups.h"

/* Parse linux.resources (may be NULL); errors name the JSON path. */
int cg_resources_parse(yajl_val v, struct cg_resources **out, cerr *err);
void cg_resources_free(struct cg_resources *r);
static inline void cg_resources_freep(struct cg_resources **r) { cg_resources_free(*r); }
#define _cleanup_cg_resources_ __attribute__((cleanup(cg_resources_freep)))
/* True when nothing in r needs a controller. */
bool cg_resources_empty(const struct cg_resources *r);
/* Controllers r needs, space-separated (e.g. "memory pids"); "" when none. */
const char *cg_resources_controllers(const struct cg_resources *r, char *buf, size_t len);
/* Names the limits a supervisor set by default (cg_resources_drop_absent). */
#define CG_OPTIONAL_LIMITS_ANNOTATION "io.corral.limits.optional" /* its value is optional's */
/* The device rules of linux.resources.devices: returns 1 and sets them when
 * the config has a devices list (a filter is to be installed), else 0. */
struct cg_dev_rule;
int cg_resources_devices(const struct cg_resources *r, const struct cg_dev_rule **rules, size_t *n);
