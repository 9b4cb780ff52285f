#pragma once
#include <stdbool.h>
#include "common/error.h"

int cgroup_path_for(const char *cgroups_path, const char *id, bool systemd, char **out, cerr *err);
