/* cache_methods.c: BuildCacheGet and BuildCachePrune: the peer's own layer
 * cache. */
#pragma once
#include "supervisor/daemon/build/commit_methods.h"

int sv_build_cache_get(vl_call *call, yajl_val params, void *ud);
int sv_build_cache_prune(vl_call *call, yajl_val params, void *ud);
