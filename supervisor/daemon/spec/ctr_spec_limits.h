/* ctr_spec_limits.c: spec.ulimits, its process's rlimits (docker run
 * --ulimit), and spec.shmSize, the size of its /dev/shm (--shm-size). */
#pragma once
#include "supervisor/daemon/spec/ctr_spec.h"

int ctr_spec_parse_limits(yajl_val cspec_json, ctr_spec *s, json_fault *f);
void ctr_spec_release_limits(ctr_spec *s);
