/* A workload's status, as kubectl rollout status tells a Deployment's:
 * converged only once every replica is ready; progressing while replicas
 * are made, replaced or not ready yet, with how far it has come; degraded
 * while a replica fails (unhealthy, ended, crash-looping), with why. */
#include "supervisor/daemon/workloads/wl_loop.h"
#include "supervisor/daemon/workloads/wl_status.h"

#include <stdio.h>
#include <string.h>

void wl_status_note(workload *w, const wl_replica *r, size_t n)
{
	w->present = w->ready = w->settled = w->updated = w->updated_ready = 0;
	w->degraded = false;
	w->progress[0] = '\0';
	const wl_replica *first = NULL; /* the first failing, else the first not ready that says why */
	for (size_t i = 0; i < n; i++) {
		if (r[i].removing)
			continue;
		bool current = strcmp(r[i].hash, w->hash) == 0;
		w->present++;
		w->ready += r[i].st == WR_READY;
		w->settled += r[i].st == WR_READY || r[i].st == WR_DONE;
		w->updated += current;
		w->updated_ready += current && r[i].st == WR_READY;
		w->degraded |= r[i].failing;
		if (r[i].why[0] && r[i].st != WR_READY && (!first || (r[i].failing && !first->failing)))
			first = &r[i];
	}
	if (first)
		snprintf(w->progress, sizeof(w->progress), "replica %s: %s", first->name, first->why);
}

const char *wl_status_of(const workload *w, uint64_t now, const char *failure, char *buf, size_t n,
			 const char **why)
{
	*why = failure;
	if (w->deleting)
		return "deleting";
	if (w->loop.backoff_until > now)
		return "backoff";
	if (w->degraded && w->progress[0]) {
		*why = w->progress;
		return "degraded";
	}
	if (!w->loop.drift_since && !w->loop.ops && w->settled >= w->replicas)
		return "converged";
	if (failure[0])
		return "progressing";
	const char *sep = w->progress[0] ? "; " : "";
	if (w->updated < w->replicas)
		snprintf(buf, n, "%u of %u new replicas have been updated", w->updated, w->replicas);
	else if (w->present > w->updated)
		snprintf(buf, n, "%u old replicas are pending termination", w->present - w->updated);
	else if (w->updated_ready < w->replicas)
		snprintf(buf, n, "%u of %u updated replicas are ready%s%.400s", w->updated_ready, w->replicas, sep,
			 w->progress);
	else
		snprintf(buf, n, "waiting for rollout to finish");
	*why = buf;
	return "progressing";
}
