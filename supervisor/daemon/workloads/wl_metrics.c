/* The workloads' Prometheus families: replicas wanted and ready, the drift
 * of the last plan (actions it needed), the actions taken, and how long the
 * last convergence took. */
#include "supervisor/daemon/workloads/wl_loop.h"
#include "supervisor/daemon/workloads/wl_metrics.h"
#include "supervisor/daemon/core/metrics.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/api/owned_name.h"

#include <inttypes.h>

typedef long long (*wl_value_fn)(const workload *w);

static long long v_desired(const workload *w) { return w->deleting ? 0 : w->replicas; }
static long long v_ready(const workload *w) { return w->ready; }
static long long v_drift(const workload *w) { return w->last_drift; }
static long long v_actions(const workload *w) { return (long long)w->loop.actions; }

/* a member's NAME@UID: root's and each member's web are series apart */
static const char *shown_to_root(const workload *w, char shown[WL_SHOWN_MAX])
{
	return owned_name_shown(w->name, w->peer.uid, 0, shown, WL_SHOWN_MAX);
}

static int family(strbuf *out, const wl_table *t, const char *name, const char *type, const char *help, wl_value_fn fn)
{
	int r = metrics_head(out, name, type, help);
	char shown[WL_SHOWN_MAX];
	for (const workload *w = t->list; !r && w; w = w->next)
		r = sb_addf(out, "%s{workload=\"", name) || metrics_label(out, shown_to_root(w, shown)) ||
		    sb_addf(out, "\"} %lld\n", fn(w));
	return r ? -1 : 0;
}

int wl_render_metrics(corrald *d, strbuf *out)
{
	const wl_table *t = d->workloads;
	if (!t)
		return 0;
	int r = family(out, t, "corral_workload_replicas_desired", "gauge", "Replicas a workload should have.", v_desired) ||
		family(out, t, "corral_workload_replicas_ready", "gauge", "Replicas running and healthy.", v_ready) ||
		family(out, t, "corral_workload_drift", "gauge", "Actions the last reconcile found needed.", v_drift) ||
		family(out, t, "corral_workload_actions_total", "counter", "Replica creations and removals started.",
		       v_actions) ||
		metrics_head(out, "corral_workload_convergence_seconds", "gauge",
			     "How long the last convergence of a workload took.");
	char shown[WL_SHOWN_MAX];
	for (const workload *w = t->list; !r && w; w = w->next)
		r = sb_adds(out, "corral_workload_convergence_seconds{workload=\"") ||
		    metrics_label(out, shown_to_root(w, shown)) ||
		    sb_addf(out, "\"} %.3f\n", (double)w->last_convergence_usec / 1e6);
	return r ? -1 : 0;
}
