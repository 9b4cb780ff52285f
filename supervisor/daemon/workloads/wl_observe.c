/* The sense step: a workload's replicas as they are, from the sessions
 * that carry its label and were made by its peer (a group member's
 * session with a copied label is not taken for a replica), and their
 * containers. */
#include "supervisor/daemon/core/labels.h"
#include "supervisor/daemon/workloads/wl_loop.h"
#include "supervisor/daemon/workloads/wl_observe.h"
#include "supervisor/daemon/sessions/session.h"
#include "supervisor/daemon/health/health.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/core/corrald.h"

#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int by_name(const void *a, const void *b)
{
	return strcmp(((const wl_replica *)a)->name, ((const wl_replica *)b)->name);
}

static __attribute__((format(printf, 2, 3))) void broken(wl_replica *r, const char *fmt, ...)
{
	if (r->st == WR_BROKEN)
		return;
	r->st = WR_BROKEN;
	r->failing = true;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
}

/* One container's part in its replica's state. */
static void judge(wl_replica *r, const ctr *c, const char *restart)
{
	const char *cname = labels_get(c->spec.labels, WL_CONTAINER_LABEL);
	cname = cname ? cname : c->name;
	switch (c->status) {
	case CS_RUNNING:
		switch (health_status_of(c)) {
		case HEALTH_UNHEALTHY:
			return broken(r, "container %s is unhealthy", cname);
		case HEALTH_STARTING:
			if (r->st == WR_READY || r->st == WR_DONE)
				r->st = WR_PENDING;
			if (r->st == WR_PENDING && !r->why[0])
				snprintf(r->why, sizeof(r->why), "container %s has not passed its health check yet", cname);
			return;
		default:
			return;
		}
	case CS_RESTARTING:
	case CS_PAUSED:
		if (r->st == WR_BROKEN)
			return;
		r->st = WR_PENDING;
		/* it ended and its policy brings it back: crash-looping, as the kubelet says */
		if (c->status == CS_RESTARTING && c->has_exit) {
			r->failing = true;
			snprintf(r->why, sizeof(r->why), "container %s is restarting: it exited with code %d (%u restarts)",
				 cname, c->exit_code, c->restart_count);
		} else if (!r->why[0]) {
			snprintf(r->why, sizeof(r->why), "container %s is %s", cname, ctr_status_str[c->status]);
		}
		return;
	case CS_EXITED:
		if (streq(restart, "always") || (c->has_exit && c->exit_code != 0 && streq(restart, "on-failure")))
			return broken(r, "container %s has exited", cname);
		if (r->st == WR_READY)
			r->st = WR_DONE;
		return;
	case CS_CREATED:
		return broken(r, "container %s was never started", cname);
	default:
		return broken(r, "container %s is %s", cname, ctr_status_str[c->status]);
	}
}

static wl_replica *grow(wl_replica **r, size_t n, size_t *cap)
{
	if (n == *cap) {
		size_t c = *cap ? 2 * *cap : 16;
		wl_replica *nr = realloc(*r, c * sizeof(**r));
		if (!nr)
			return NULL;
		*r = nr;
		*cap = c;
	}
	return &(*r)[n];
}

static bool listed(const wl_replica *r, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (streq(r[i].name, name))
			return true;
	return false;
}

void wl_op_mark(wl_table *t, wl_replica *r)
{
	for (wl_op *o = t->ops; o; o = o->next)
		if (streq(o->replica, r->name)) {
			r->creating = o->kind == WA_CREATE;
			r->removing = o->kind == WA_REMOVE;
			if (r->creating) { /* what it lacks is what is being made */
				r->st = WR_PENDING;
				r->why[0] = '\0';
			}
			if (o->waiting) /* as the kubelet's event says it */
				snprintf(r->why, sizeof(r->why), "Pulling image \"%s\"", o->waiting->image);
		}
}

int wl_observe(wl_table *t, const workload *w, wl_replica **out, size_t *n_out)
{
	corrald *d = t->d;
	size_t n = 0, cap = 0;
	wl_replica *r = NULL, *x;
	for (session *s = d->sessions; s; s = s->next) {
		const char *owner = labels_get(s->labels, WL_LABEL);
		if (!owner || !streq(owner, w->name) || session_owner(s) != w->peer.uid)
			continue;
		if (!(x = grow(&r, n++, &cap)))
			goto oom;
		*x = (wl_replica){ .st = WR_READY };
		snprintf(x->name, sizeof(x->name), "%s", s->name);
		const char *hash = labels_get(s->labels, WL_TEMPLATE_LABEL);
		snprintf(x->hash, sizeof(x->hash), "%s", hash ? hash : "");
		const char *want = labels_get(s->labels, WL_CONTAINERS_LABEL);
		x->ctrs_wanted = want ? (unsigned)strtoul(want, NULL, 10) : 1;
	}
	/* being made, its session not there yet */
	for (wl_op *o = t->ops; o; o = o->next) {
		if (o->kind != WA_CREATE || o->peer.uid != w->peer.uid || !streq(o->workload, w->name) ||
		    listed(r, n, o->replica))
			continue;
		if (!(x = grow(&r, n++, &cap)))
			goto oom;
		*x = (wl_replica){ .st = WR_PENDING, .creating = true };
		snprintf(x->name, sizeof(x->name), "%s", o->replica);
		snprintf(x->hash, sizeof(x->hash), "%s", o->hash);
	}
	if (n)
		qsort(r, n, sizeof(*r), by_name);
	const char *restart = wl_str(json_get(w->tree, "template"), "restart");
	for (ctr *c = d->ctrs; c && n; c = c->next) {
		wl_replica key;
		if (!c->spec.session || c->owner != w->peer.uid) /* its replicas' names are the owner's */
			continue;
		snprintf(key.name, sizeof(key.name), "%s", c->spec.session);
		if (!(x = bsearch(&key, r, n, sizeof(*r), by_name)))
			continue;
		x->ctrs++;
		judge(x, c, restart ? restart : "always");
	}
	for (size_t i = 0; i < n; i++) {
		if (r[i].ctrs < r[i].ctrs_wanted)
			broken(&r[i], "%s of its containers are missing", r[i].ctrs ? "some" : "all");
		wl_op_mark(t, &r[i]);
	}
	*out = r;
	*n_out = n;
	return 0;
oom:
	free(r);
	return -ENOMEM;
}
