#pragma once
#include <stdbool.h>
#include "common/error.h"
#include "cgroups/cgroups.h"

int cgroup_path_for(const char *cgroups_path, const char *id, bool systemd, char **out, cerr *err);

struct create_opts;
struct oci_spec;
struct cg_resources;
/* cgroupfs: the container's cgroup, made (none, *out NULL, where a rootless
 * caller may not make it and nothing needs it). */
int cgroup_make(const struct create_opts *o, const struct oci_spec *s, const struct cg_resources *res, cg **out,
		cerr *err);

