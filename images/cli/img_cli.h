/* The `corral image` and `corral bundle` verbs. argv[0] is "image" or
 * "bundle"; the return value is the process exit code. */
#pragma once
#include <sys/types.h>
#include "common/error.h"

struct import_opts;
struct reg_conf;

