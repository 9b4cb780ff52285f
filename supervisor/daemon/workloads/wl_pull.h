/* wl_pull.c: A replica's images, before its session is made: each container's
 * image found in the store, or pulled first, as its imagePullPolicy says, as
 * the workload's owner sees the store and pulls: with its own logins and
 * imagePullSecrets, through the policy's images.registries and images.allow. */
#pragma once
#include "supervisor/daemon/workloads/wl_loop.h"

/* wl_pull.c: a creation's first step, each container's image readied by
 * its imagePullPolicy; then wl_op_prepared, or wl_op_fail with the reason
 * (ErrImagePull, ErrImageNeverPull). */
void wl_prepare(wl_op *o);
/* The loop stops: the pulls under way end without it. */
void wl_pulls_abandon(wl_table *t);
/* w's reason as get and describe show it now (into buf, n bytes): a
 * failed pull's ErrImagePull turns to ImagePullBackOff while it waits. */
const char *wl_reason_shown(const workload *w, uint64_t now, char *buf, size_t n);
