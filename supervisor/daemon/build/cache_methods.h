/* cache_methods.c: BuildCacheGet and BuildCachePrune: the peer's own layer
 * cache. */
#pragma once
#include "supervisor/daemon/build/commit_methods.h"

vl_method_fn sv_build_cache_get, sv_build_cache_prune;
