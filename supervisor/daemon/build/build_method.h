/* build_method.c: Build: the call is answered with the upgrade, and its
 * connection goes to corral-build, which runs as the caller: the context
 * streams in, the progress out, and each step is a call of the caller's. */
#pragma once
#include "supervisor/daemon/build/commit_methods.h"
#include "supervisor/daemon/containers/record/ctr_service.h"

/* On a build's step containers: the build's id (its directory's name) */
#define BUILD_LABEL "io.corral.build"

vl_method_fn sv_build;
/* Create by a running build's corral-build labels the container its step. */
extern const ctr_feature builds_container_hooks;
/* At start, its containers adopted: the build directories and the step
 * containers a crash left. */
void builds_sweep(struct corrald *d);
