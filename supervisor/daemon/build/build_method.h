/* build_method.c: Build: the call is answered with the upgrade, and its
 * connection goes to corral-build, which runs as the caller: the context
 * streams in, the progress out, and each step is a call of the caller's. */
#pragma once
#include "supervisor/daemon/build/commit_methods.h"

vl_method_fn sv_build;
/* At start: the build directories a crash left. */
void builds_sweep(struct corrald *d);
