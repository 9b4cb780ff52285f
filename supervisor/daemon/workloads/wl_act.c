/* The act step: a replica made or removed through the methods a peer
 * calls (SessionCreate, CreateContainer, Start, SessionRemove), as the
 * workload's peer, so that policy and audit apply to every container the
 * loop makes; its images readied first (wl_pull.c). A replica that fails
 * half-way is removed at once: no debris. */
/* A pair with wl_pull.c: a creation hands its op to the pull, and gets it
 * back once the images are ready. */
#include "supervisor/daemon/workloads/wl_loop.h"
#include "supervisor/varlink/local_call.h"
#include "supervisor/daemon/workloads/wl_pull.h"
#include "supervisor/daemon/workloads/wl_act.h"
#include "supervisor/daemon/core/events.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/api/interface.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/monotonic.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define METHOD(m) CORRAL_SUPERVISOR_INTERFACE "." m

static void step(wl_op *o);

static void op_free(wl_table *t, wl_op *o)
{
	for (wl_op **p = &t->ops; *p; p = &(*p)->next)
		if (*p == o) {
			*p = o->next;
			t->n_ops--;
			break;
		}
	for (size_t i = 0; i < o->n_images; i++)
		free(o->images[i]);
	free(o->images);
	free(o);
}

/* An action ended (failed when error is set): its workload backs off, and
 * the loop plans again. */
static void acted(wl_table *t, uid_t owner, const char *name, enum wl_akind kind, const char *replica,
		  const char *error)
{
	workload *w = wl_find(t, owner, name);
	if (w && w->loop.ops)
		w->loop.ops--;
	if (w && error) {
		w->loop.failures++;
		w->loop.failed_at = mono_usec();
		unsigned shift = w->loop.failures > 20 ? 20 : w->loop.failures - 1;
		uint64_t delay = WL_BACKOFF_MIN_USEC << shift;
		w->loop.backoff_until = w->loop.failed_at + (delay > WL_BACKOFF_MAX_USEC ? WL_BACKOFF_MAX_USEC : delay);
		snprintf(w->loop.reason, sizeof(w->loop.reason), "%s", error);
		events_publish(t->d->events, EV_OWNER(w->peer.uid), "workload",
			       kind == WA_CREATE ? "replica-failed" : "replica-remove-failed", w->name, w->name,
			       (const char *const[]){ "replica", replica, "error", error, NULL }, 0);
		/* the tick comes back after the backoff */
	}
	if (t->replan)
		t->replan(t);
}

/* The op is over: tell the loop, which plans again. */
static void end(wl_op *o, const char *error)
{
	wl_table *t = o->t;
	char name[sizeof(o->workload)], replica[sizeof(o->replica)];
	enum wl_akind kind = o->undoing ? WA_CREATE : o->kind;
	bool superseded = o->superseded;
	uid_t owner = o->peer.uid;
	snprintf(name, sizeof(name), "%s", o->workload);
	snprintf(replica, sizeof(replica), "%s", o->replica);
	op_free(t, o);
	acted(t, owner, name, kind, replica, superseded ? NULL : error);
}

static void on_done(void *data, const char *error, yajl_val params);

/* A local call of method, params an open map (taken), as the workload's peer. */
static int call(wl_op *o, const char *method, yajl_gen params)
{
	_cleanup_json_gen_ yajl_gen g = params;
	_cleanup_free_ char *p = g && !yajl_gen_map_close(g) ? jg_finish(g, NULL) : NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (p && !vl_local_call(o->t->d->srv, &o->peer, method, p, on_done, o, &o->pending, &err))
		return 0;
	log_cerr(LOG_LVL_ERROR, &err, "workload %s: %s", o->workload, method);
	return -ENOMEM;
}

static yajl_gen map_with_name(const char *key, const char *name)
{
	yajl_gen g = json_gen_new(false);
	if (g && (yajl_gen_map_open(g) || jg_key_str(g, key, name))) {
		yajl_gen_free(g);
		return NULL;
	}
	return g;
}

/* A replica's labels: its pod template's, and corral's (more). */
static int gen_labels(yajl_gen g, const workload *w, const char *const *more)
{
	yajl_val labels = json_get(json_get(w->tree, "template"), "labels");
	int r = jg_key(g, "labels") || yajl_gen_map_open(g);
	for (size_t i = 0; !r && YAJL_IS_OBJECT(labels) && i < labels->u.object.len; i++)
		r = jg_key(g, labels->u.object.keys[i]) || jg_value(g, labels->u.object.values[i]);
	for (const char *const *m = more; !r && m[0]; m += 2)
		r = jg_key_str(g, m[0], m[1]);
	return r || yajl_gen_map_close(g) ? -ENOMEM : 0;
}

/* The pod's host ports: published by its session, whose network namespace
 * its containers share (a session container publishes none of its own). */
static int gen_host_ports(yajl_gen g, const workload *w)
{
	int r = jg_key(g, "ports") || yajl_gen_array_open(g);
	for (size_t i = 0; !r && i < w->containers->u.array.len; i++) {
		yajl_val ports = json_get(json_get(w->containers->u.array.values[i], "spec"), "ports");
		for (size_t k = 0; !r && YAJL_IS_ARRAY(ports) && k < ports->u.array.len; k++)
			if (json_get(ports->u.array.values[k], "hostPort"))
				r = jg_value(g, ports->u.array.values[k]);
	}
	return r || yajl_gen_array_close(g) ? -ENOMEM : 0;
}

static int create_session(wl_op *o, const workload *w)
{
	char n[16];
	snprintf(n, sizeof(n), "%zu", w->containers->u.array.len);
	yajl_gen g = map_with_name("name", o->replica);
	if (!g || gen_host_ports(g, w) < 0 ||
	    gen_labels(g, w, (const char *const[]){ WL_LABEL, w->name, WL_TEMPLATE_LABEL, o->hash, WL_CONTAINERS_LABEL, n,
						    NULL }) < 0) {
		yajl_gen_free(g);
		return -ENOMEM;
	}
	return call(o, METHOD("SessionCreate"), g);
}

/* CreateContainer of the template's container i in the replica. */
static int create_container(wl_op *o, const workload *w, size_t i)
{
	yajl_val c = w->containers->u.array.values[i], spec = json_get(c, "spec");
	const char *cname = wl_str(c, "name");
	char name[SESSION_NAME_MAX + 80];
	snprintf(name, sizeof(name), "%s-%s", o->replica, cname ? cname : "c");
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	int r = !g || yajl_gen_map_open(g) || jg_key(g, "spec") || yajl_gen_map_open(g) || jg_key_str(g, "name", name) ||
		jg_key_str(g, "session", o->replica);
	const char *image = i < o->n_images ? o->images[i] : NULL; /* as found or pulled (wl_pull.c) */
	for (size_t k = 0; !r && YAJL_IS_OBJECT(spec) && k < spec->u.object.len; k++)
		if (image && streq(spec->u.object.keys[k], "image"))
			r = jg_key_str(g, "image", image);
		else if (!streq(spec->u.object.keys[k], "ports")) /* its session's (gen_host_ports) */
			r = jg_key(g, spec->u.object.keys[k]) || jg_value(g, spec->u.object.values[k]);
	if (r || gen_labels(g, w, (const char *const[]){ WL_LABEL, w->name, WL_TEMPLATE_LABEL, o->hash,
							WL_CONTAINER_LABEL, cname ? cname : "c", NULL }) < 0 ||
	    yajl_gen_map_close(g))
		return -ENOMEM;
	return call(o, METHOD("CreateContainer"), TAKE_PTR(g));
}

static int remove_session(wl_op *o)
{
	yajl_gen g = map_with_name("name", o->replica);
	if (!g || jg_key_bool(g, "force", true)) {
		yajl_gen_free(g);
		return -ENOMEM;
	}
	return call(o, METHOD("SessionRemove"), g);
}

/* Made half-way, and failed: the replica goes, then the op ends with why. */
void wl_op_fail(wl_op *o, const char *why)
{
	log_warn("workload %s: replica %s: %s", o->workload, o->replica, why);
	/* a session that could not be made is not ours to remove (one of
	 * that name may be somebody else's) */
	if (o->kind == WA_CREATE && o->step != (size_t)-1) {
		o->kind = WA_REMOVE;
		o->undoing = true;
		o->failed = strdup(why);
		if (remove_session(o) == 0)
			return;
	}
	_cleanup_free_ char *failed = TAKE_PTR(o->failed);
	end(o, failed ? failed : why);
}

static void on_done(void *data, const char *error, yajl_val params)
{
	wl_op *o = data;
	o->pending = NULL;
	if (o->kind == WA_REMOVE) {
		_cleanup_free_ char *failed = TAKE_PTR(o->failed);
		_cleanup_free_ char *text = error && !strstr(error, "NoSuchSession")
						    ? vl_local_error_text("SessionRemove", error, params)
						    : NULL;
		return end(o, failed ? failed : text);
	}
	if (error) {
		const char *method = o->step == (size_t)-1 ? "SessionCreate" : o->starting ? "Start" : "CreateContainer";
		_cleanup_free_ char *text = vl_local_error_text(method, error, params);
		return wl_op_fail(o, text ? text : method);
	}
	if (o->step != (size_t)-1 && !o->starting) {
		const char *id = wl_str(params, "id");
		snprintf(o->ctr_id, sizeof(o->ctr_id), "%s", id ? id : "");
		o->starting = true;
	} else { /* the session made, or a container started: the next one */
		o->step++;
		o->starting = false;
	}
	step(o);
}

/* The next call of a creation. */
static void step(wl_op *o)
{
	workload *w = wl_find(o->t, o->peer.uid, o->workload);
	if (!w || w->deleting || strcmp(w->hash, o->hash)) {
		o->superseded = true; /* no failure of the workload's: nothing to back off from */
		return wl_op_fail(o, "its workload changed meanwhile");
	}
	if (o->starting) {
		yajl_gen g = map_with_name("id", o->ctr_id);
		if (g && call(o, METHOD("Start"), g) == 0)
			return;
		return wl_op_fail(o, "out of memory");
	}
	if (o->step >= w->containers->u.array.len)
		return end(o, NULL);
	if (create_container(o, w, o->step) < 0)
		wl_op_fail(o, "out of memory");
}

/* <workload>-<hash>-<5 random>, within a session name's bound. */
static void replica_name(const workload *w, char out[SESSION_NAME_MAX + 1])
{
	static const char alnum[] = "bcdfghjklmnpqrstvwxz2456789"; /* as Kubernetes: no vowels, no words */
	unsigned char b[5];
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)random();
	char suffix[6];
	for (size_t i = 0; i < 5; i++)
		suffix[i] = alnum[b[i] % (sizeof(alnum) - 1)];
	suffix[5] = '\0';
	int keep = SESSION_NAME_MAX - 2 - WL_HASH_LEN - 5;
	snprintf(out, SESSION_NAME_MAX + 1, "%.*s-%s-%s", keep, w->name, w->hash, suffix);
}

bool wl_act(wl_table *t, workload *w, const wl_action *a)
{
	if (t->n_ops >= WL_OPS_MAX)
		return false;
	wl_op *o = calloc(1, sizeof(*o));
	if (!o)
		return false;
	o->t = t;
	o->peer = w->peer; /* the workload may go before the op ends */
	o->kind = a->kind;
	snprintf(o->workload, sizeof(o->workload), "%s", w->name);
	snprintf(o->hash, sizeof(o->hash), "%s", a->kind == WA_CREATE ? w->hash : a->replica->hash);
	if (a->kind == WA_CREATE)
		replica_name(w, o->replica);
	else
		snprintf(o->replica, sizeof(o->replica), "%s", a->replica->name);
	o->step = (size_t)-1;
	o->next = t->ops;
	t->ops = o;
	t->n_ops++;
	w->loop.ops++;
	w->loop.actions++;
	t->actions_total++;
	events_publish(t->d->events, EV_OWNER(w->peer.uid), "workload",
		       a->kind == WA_CREATE ? "replica-create" : "replica-remove", w->name, w->name,
		       (const char *const[]){ "replica", o->replica, "reason", a->why, NULL }, 0);
	if (a->kind == WA_CREATE) { /* its images first */
		wl_prepare(o);
		return true;
	}
	if (remove_session(o) < 0) {
		op_free(t, o);
		w->loop.ops--;
		return false;
	}
	return true;
}

void wl_op_prepared(wl_op *o, const workload *w)
{
	if (create_session(o, w) < 0)
		wl_op_fail(o, "out of memory");
}

void wl_ops_abandon(wl_table *t)
{
	while (t->ops) {
		wl_op *o = t->ops;
		vl_local_abandon(o->pending);
		o->pending = NULL;
		free(o->failed);
		op_free(t, o);
	}
}
