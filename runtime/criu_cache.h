/* criu_cache.c: `criu check` for `corral features`, remembered: engines ask
 * for the features on every start (podman asks whether a runtime can
 * checkpoint), and the check forks criu twice and probes the kernel (115 ms,
 * 466 ms the first time). */
#pragma once
#include "runtime/criu.h"

/* Whether criu (CRIU_DEFAULT) can checkpoint here, as its `criu check`
 * says; remembered in dir (NULL: not) for that criu binary and this boot
 * (criu_cache.c). */
bool criu_works_cached(const char *dir);
