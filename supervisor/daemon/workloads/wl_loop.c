/* The reconcile loop: on every event that concerns a session (a container's
 * start, death, removal or health change; a session's end), on every apply
 * and on a periodic tick that repairs what no event announced, each
 * workload is observed, compared and planned (wl_plan.c), and the plan's
 * first actions are started (wl_act.c), at most WL_OPS_MAX at once. An
 * action that fails backs its workload off (1 s doubling to 5 min), with
 * the reason kept for describe: a workload that cannot converge does not
 * spin. */
#include "supervisor/daemon/workloads/wl_loop.h"
#include "supervisor/daemon/workloads/wl_status.h"
#include "supervisor/daemon/workloads/wl_pull.h"
#include "supervisor/daemon/workloads/wl_act.h"
#include "supervisor/daemon/workloads/wl_observe.h"
#include "supervisor/daemon/core/events.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"
#include "common/monotonic.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WL_PLAN_MAX 64

static void converged(wl_table *t, workload *w, uint64_t now)
{
	if (!w->loop.drift_since)
		return;
	w->last_convergence_usec = now - w->loop.drift_since;
	w->loop.drift_since = 0;
	w->loop.reason[0] = '\0';
	t->converged_total++;
	char ms[32];
	snprintf(ms, sizeof(ms), "%llu", (unsigned long long)(w->last_convergence_usec / 1000));
	events_publish(t->d->events, EV_OWNER(w->peer.uid), "workload", "converged", w->name, w->name,
		       (const char *const[]){ "durationMs", ms, NULL }, 0);
}

static void forget(wl_table *t, workload *w)
{
	events_publish(t->d->events, EV_OWNER(w->peer.uid), "workload", "delete", w->name, w->name, NULL, 0);
	wl_forget_file(t, w);
	wl_unlink(t, w);
	wl_free(w);
}

/* One workload's turn; false when it is gone. */
static bool reconcile(wl_table *t, workload *w)
{
	wl_replica *r = NULL;
	size_t n = 0;
	if (wl_observe(t, w, &r, &n) < 0) {
		log_error("workload %s: out of memory", w->name);
		return true;
	}
	wl_action a[WL_PLAN_MAX];
	unsigned want = w->deleting ? 0 : w->replicas;
	size_t n_a;
	size_t drift = wl_plan(want, w->hash, r, n, a, WL_PLAN_MAX, &n_a);
	uint64_t now = mono_usec();
	w->last_drift = (unsigned)drift;
	wl_status_note(w, r, n);
	if (w->ready == want && w->loop.failures) /* it works now */
		w->loop.failures = 0;
	/* converged only once every replica is ready, as a rollout is complete */
	if (!drift && !w->loop.ops && w->settled == want) {
		free(r);
		if (w->deleting && !n) {
			forget(t, w);
			return false;
		}
		converged(t, w, now);
		return true;
	}
	if (!w->loop.drift_since)
		w->loop.drift_since = now;
	if (now < w->loop.backoff_until) /* back once it is over */
		wl_schedule_in(t, w->loop.backoff_until - now);
	for (size_t i = 0; i < n_a && now >= w->loop.backoff_until; i++)
		if (!wl_act(t, w, &a[i]))
			break;
	free(r);
	return true;
}

static void reconcile_all(wl_table *t)
{
	for (workload *w = t->list, *next; w; w = next) {
		next = w->next;
		reconcile(t, w);
	}
}

static void on_soon(el_source *s, void *data)
{
	wl_table *t = data;
	(void)s;
	t->soon = NULL;
	reconcile_all(t);
}

static void on_tick(el_source *s, void *data)
{
	(void)s;
	reconcile_all(data);
}

/* A reconcile within usec: the sooner of the one armed and this. */
void wl_schedule_in(wl_table *t, uint64_t usec)
{
	cerr err = { 0 };
	uint64_t at = mono_usec() + usec;
	if (t->soon && t->soon_at <= at)
		return;
	el_remove(t->soon);
	t->soon = NULL;
	t->soon_at = at;
	if (el_add_timer(t->d->loop, usec ? usec : 1, false, on_soon, t, &t->soon, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "workloads: the next reconcile waits for the tick");
}

void wl_schedule(wl_table *t)
{
	wl_schedule_in(t, WL_DEBOUNCE_USEC);
}

/* Sessions and their containers concern the loop; its own events do not. */
static void on_event(void *data, const char *type, const char *action, const char *in_session)
{
	wl_table *t = data;
	(void)action;
	if (t->list && (streq(type, "session") || (streq(type, "container") && in_session)))
		wl_schedule(t);
}

static void loop_start(wl_table *t)
{
	cerr err = { 0 };
	events_set_listener(t->d->events, on_event, t);
	if (el_add_timer(t->d->loop, WL_TICK_USEC, true, on_tick, t, &t->tick, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "workloads: no periodic reconcile");
	if (t->list)
		wl_schedule(t);
}

static void loop_stop(wl_table *t)
{
	events_set_listener(t->d->events, NULL, NULL);
	el_remove(t->tick);
	el_remove(t->soon);
	t->tick = t->soon = NULL;
	wl_ops_abandon(t);
	wl_pulls_abandon(t);
}

int workloads_init(corrald *d, cerr *err)
{
	wl_table *t = calloc(1, sizeof(*t));
	if (!t || asprintf(&t->dir, "%s/workloads", d->cfg->state_dir) < 0) {
		free(t);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	t->d = d;
	t->replan = wl_schedule;
	d->workloads = t;
	int r = mkdir_p(t->dir, 0700);
	if (r < 0)
		return cerr_sys(err, -r, "%s", t->dir);
	if ((r = wl_load_all(t, err)) < 0)
		return r;
	loop_start(t);
	return 0;
}

void workloads_shutdown(corrald *d)
{
	wl_table *t = d->workloads;
	if (!t)
		return;
	loop_stop(t);
	while (t->list) {
		workload *w = t->list;
		t->list = w->next;
		wl_free(w);
	}
	free(t->dir);
	free(t);
	d->workloads = NULL;
}
