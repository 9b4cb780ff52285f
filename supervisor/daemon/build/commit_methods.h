/* The build room's methods: ContainerCommit and ImageCommit
 * (commit_methods.c), BuildCacheGet and BuildCachePrune (cache_methods.c),
 * Build (build_method.c). */
#pragma once
#include "supervisor/varlink/server.h"

vl_method_fn sv_container_commit, sv_image_commit;
struct corrald;
/* corrald's exit: each commit's paused container thawed, its run freed (its
 * corral-images is let go of after, by imghelper_shutdown) */
void commits_shutdown(struct corrald *d);
