/* wl_status.c: A workload's status, as kubectl rollout status tells a
 * Deployment's: converged only once every replica is ready; progressing while
 * replicas are made, replaced or not ready yet, with how far it has come;
 * degraded while a replica fails (unhealthy, ended, crash-looping), with why. */
#pragma once
#include "supervisor/daemon/workloads/wl_loop.h"

/* wl_status.c: the counts and the first lagging replica's why from r[0..n),
 * at each look; and the status they make now, with its reason in *why:
 * failure (w's reason as shown) when there is one, else one written into
 * buf (n bytes), or "" when converged. */
void wl_status_note(workload *w, const wl_replica *r, size_t n);
const char *wl_status_of(const workload *w, uint64_t now, const char *failure, char *buf, size_t n,
			 const char **why);
