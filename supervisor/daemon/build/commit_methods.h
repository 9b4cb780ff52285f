/* The build room's methods: ContainerCommit and ImageCommit
 * (commit_methods.c), BuildCacheGet and BuildCachePrune (cache_methods.c),
 * Build (build_method.c). */
#pragma once
#include "supervisor/varlink/server.h"

int sv_container_commit(vl_call *call, yajl_val params, void *ud);
int sv_image_commit(vl_call *call, yajl_val params, void *ud);
struct corrald;
