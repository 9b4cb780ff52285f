/* WorkloadApply (and its dry run, `corralctl diff`), WorkloadList,
 * WorkloadInspect and WorkloadDelete. The manifest's text is parsed here,
 * in corrald (kube.h): the client's parse is never trusted. */
#include "supervisor/daemon/workloads/wl_methods.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/workloads/wl_diff.h"
#include "supervisor/daemon/workloads/wl_loop.h"
#include "supervisor/daemon/workloads/wl_status.h"
#include "supervisor/daemon/workloads/wl_pull.h"
#include "supervisor/daemon/workloads/wl_observe.h"
#include "supervisor/daemon/workloads/kube.h"
#include "supervisor/daemon/workloads/kube_parse.h"
#include "supervisor/daemon/core/events.h"
#include "supervisor/daemon/policy/policy.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/timefmt.h"
#include "common/monotonic.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* update: a new template, rolled; scale: replicas; configure: the rest
 * (labels), which the running replicas keep */
enum change { CH_CREATE, CH_UPDATE, CH_SCALE, CH_CONFIGURE, CH_UNCHANGED };
static const char *const change_str[] = { "create", "update", "scale", "configure", "unchanged" };

static enum change change_of(const workload *old, const workload *w)
{
	if (!old)
		return CH_CREATE;
	if (strcmp(old->hash, w->hash))
		return CH_UPDATE;
	if (old->replicas != w->replicas)
		return CH_SCALE;
	return streq(old->json, w->json) && !old->deleting ? CH_UNCHANGED : CH_CONFIGURE;
}

static int gen_change(yajl_gen g, const workload *old, const workload *w, enum change ch)
{
	char detail[128];
	if (ch == CH_CREATE)
		snprintf(detail, sizeof(detail), "%u replica%s of template %s", w->replicas, w->replicas == 1 ? "" : "s",
			 w->hash);
	else if (ch == CH_UPDATE)
		snprintf(detail, sizeof(detail), "template %s -> %s, rolled one replica at a time", old->hash, w->hash);
	else if (ch == CH_SCALE)
		snprintf(detail, sizeof(detail), "replicas %u -> %u", old->replicas, w->replicas);
	else
		snprintf(detail, sizeof(detail), "%s", old->deleting ? "kept: its delete is off" : "labels");
	int r = yajl_gen_map_open(g) || jg_key_str(g, "workload", w->name) || jg_key_str(g, "kind", w->kind) ||
		jg_key_str(g, "action", change_str[ch]) || jg_key_str(g, "detail", detail) || jg_key(g, "fields") ||
		yajl_gen_array_open(g);
	if (!r && old && ch != CH_UNCHANGED) {
		wl_diff diff;
		wl_diff_trees(old->tree, w->tree, &diff);
		for (size_t i = 0; !r && i < diff.n; i++)
			r = jg_str(g, diff.lines[i]);
		char more[48];
		snprintf(more, sizeof(more), "... %zu more", diff.more);
		r = r || (diff.more && jg_str(g, more));
	}
	return r || yajl_gen_array_close(g) || yajl_gen_map_close(g) ? -ENOMEM : 0;
}

/* Takes w: it replaces old (kept for a scale or an update) or is new. */
static int put(wl_table *t, workload *old, workload *w, cerr *err)
{
	w->generation = old ? old->generation + (change_of(old, w) != CH_UNCHANGED) : 1;
	rfc3339_ns(0, w->applied, sizeof(w->applied));
	if (wl_save(t, w, err) < 0)
		return -EIO;
	if (old) { /* what the loop knows goes on: its ops, its backoff, its convergence */
		w->loop = old->loop;
		wl_unlink(t, old);
		wl_free(old);
	}
	wl_link(t, w);
	events_publish(t->d->events, EV_OWNER(w->peer.uid), "workload", "apply", w->name, w->name, NULL, 0);
	return 0;
}

/* "pod" or "deployment", as kubectl writes KIND/NAME. */
static const char *kind_word(const char *kind) { return streq(kind, "Pod") ? "pod" : "deployment"; }

/* The kind that KIND of KIND/NAME means (kubectl's names and short
 * names), or NULL. */
static const char *kind_named(const char *word)
{
	static const struct { const char *word, *kind; } kinds[] = {
		{ "pod", "Pod" }, { "pods", "Pod" }, { "po", "Pod" },
		{ "deployment", "Deployment" }, { "deployments", "Deployment" }, { "deploy", "Deployment" },
		{ "deployment.apps", "Deployment" }, { "deployments.apps", "Deployment" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcasecmp(word, kinds[i].word))
			return kinds[i].kind;
	return NULL;
}

/* The manifest of params; *f says what is wrong ("text": the parse's
 * "FILE:LINE: path: why"). */
static int parse_manifest(yajl_val params, bool *dry, kube_set *set, json_fault *f)
{
	const char *file, *text;
	_cleanup_cerr_ cerr err = { 0 };
	sp_param table[] = { SP_STR("file", false, &file), SP_STR("text", true, &text), SP_BOOL("dryRun", false, dry),
			     { 0 } };
	if (!dry) /* known, and not read */
		table[2] = (sp_param)SP_KEY("dryRun");
	int r = sp_dispatch(params, table, f);
	if (r < 0)
		return r;
	if ((r = kube_parse(file ? file : "-", text, strlen(text), set, &err)) < 0)
		json_fault_set(f, -r, "text", "%s", cerr_msg(&err));
	return r;
}

/* corrald's exit: the table goes before the server stops serving */
static int reply_gone(vl_call *call) { return sv_internal(call, "corrald is shutting down"); }

int sv_workload_apply(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	wl_table *t = d->workloads;
	if (!t)
		return reply_gone(call);
	const peer_cred *peer = vl_call_peer(call);
	bool dry = false;
	json_fault f = { 0 };
	_cleanup_(kube_set_release) kube_set set = { 0 };
	if (parse_manifest(params, &dry, &set, &f) < 0)
		return sv_invalid_fault(call, &f);
	/* all are checked before any is applied */
	size_t mine = 0, added = 0;
	for (workload *w = t->list; w; w = w->next)
		mine += w->peer.uid == peer->uid;
	for (size_t i = 0; i < set.n; i++) {
		workload *old = wl_find(t, peer->uid, set.w[i].name);
		char why[96 + 4 * KUBE_NAME_MAX];
		/* its replicas are found by name: another kind would take them */
		if (old && !streq(old->kind, set.w[i].kind)) {
			snprintf(why, sizeof(why), "%s/%s: a %s named %s is there: delete %s/%s first, or name this one "
				 "otherwise", kind_word(set.w[i].kind), old->name, old->kind, old->name,
				 kind_word(old->kind), old->name);
			return sv_invalid(call, "text", why);
		}
		added += !old;
		if (!old && t->n + added > WL_MAX)
			return sv_invalid(call, "text", "too many workloads");
		policy_violation qv;
		if (!old && quota_admit(t->d, vl_call_peer(call), QUOTA_WORKLOADS, mine, added, "text", &qv) == POLICY_REFUSED)
			return sv_reply_fault(call, policy_fault(t->d, vl_call_peer(call), "WorkloadApply", &qv, &(sv_fault){ 0 }));
		if (strlen(set.w[i].json) > WL_JSON_MAX) {
			snprintf(why, sizeof(why), "%s: past %u bytes in its canonical form", set.w[i].name, WL_JSON_MAX);
			return sv_invalid(call, "text", why);
		}
	}
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key(g, "changes") || yajl_gen_array_open(g))
		return sv_internal(call, "out of memory");
	cerr err = { 0 };
	for (size_t i = 0; i < set.n; i++) {
		workload *w = wl_new(set.w[i].json, peer, &err), *old = wl_find(t, peer->uid, set.w[i].name);
		if (!w)
			return sv_internal_err(call, &err);
		enum change ch = change_of(old, w);
		if (gen_change(g, old, w, ch) < 0) {
			wl_free(w);
			return sv_internal(call, "out of memory");
		}
		if (dry || ch == CH_UNCHANGED) {
			wl_free(w);
			continue;
		}
		if (put(t, old, w, &err) < 0) {
			wl_free(w);
			return sv_internal_err(call, &err);
		}
	}
	if (!dry)
		wl_schedule(t);
	if (yajl_gen_array_close(g) || yajl_gen_map_close(g))
		return sv_internal(call, "out of memory");
	return vl_call_reply_gen(call, g);
}

static int gen_workload(yajl_gen g, wl_table *t, workload *w, bool detail, const peer_cred *viewer)
{
	char reason[WL_REASON_MAX], name[WL_SHOWN_MAX];
	const char *shown = wl_reason_shown(w, mono_usec(), reason, sizeof(reason));
	char progress[WL_REASON_MAX];
	const char *status = wl_status_of(w, mono_usec(), shown, progress, sizeof(progress), &shown);
	int r = yajl_gen_map_open(g) || jg_key_str(g, "name", wl_shown(w, w->name, viewer, name, sizeof(name))) ||
		jg_key_str(g, "kind", w->kind) || jg_key_int(g, "replicas", w->replicas) || jg_key_int(g, "ready", w->ready) ||
		jg_key_int(g, "present", w->present) || jg_key_str(g, "template", w->hash) ||
		jg_key_int(g, "generation", w->generation) || jg_key_str(g, "applied", w->applied) ||
		jg_key_str(g, "status", status) || jg_key_int(g, "drift", w->last_drift) ||
		jg_key_int(g, "actions", (long long)w->loop.actions) ||
		jg_key_int(g, "lastConvergenceMs", (long long)(w->last_convergence_usec / 1000)) ||
		(shown[0] && jg_key_str(g, "reason", shown)) || jg_key(g, "labels") ||
		jg_value(g, json_get(w->tree, "labels"));
	if (r || !detail)
		return r || yajl_gen_map_close(g) ? -ENOMEM : 0;
	wl_replica *rs = NULL;
	size_t n = 0;
	if (wl_observe(t, w, &rs, &n) < 0)
		return -ENOMEM;
	r = jg_key(g, "manifest") || jg_value(g, w->tree) || jg_key(g, "replicaSet") || yajl_gen_array_open(g);
	for (size_t i = 0; !r && i < n; i++)
		r = yajl_gen_map_open(g) ||
		    jg_key_str(g, "name", wl_shown(w, rs[i].name, viewer, name, sizeof(name))) ||
		    jg_key_str(g, "template", rs[i].hash) || jg_key_str(g, "state", rs[i].removing ? "removing" : wl_rstate_str[rs[i].st]) ||
		    (rs[i].why[0] && jg_key_str(g, "reason", rs[i].why)) || yajl_gen_map_close(g);
	free(rs);
	return r || yajl_gen_array_close(g) || yajl_gen_map_close(g) ? -ENOMEM : 0;
}

int sv_workload_list(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	SV_NO_PARAMS(call, params);
	if (!d->workloads)
		return reply_gone(call);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	int r = !g || yajl_gen_map_open(g) || jg_key(g, "workloads") || yajl_gen_array_open(g);
	for (workload *w = d->workloads->list; !r && w; w = w->next)
		if (wl_visible_to(w, vl_call_peer(call)))
			r = gen_workload(g, d->workloads, w, false, vl_call_peer(call)) < 0;
	if (r || yajl_gen_array_close(g) || yajl_gen_map_close(g))
		return sv_internal(call, "out of memory");
	return vl_call_reply_gen(call, g);
}

/* The workload params name (of its kind, when params give one), if peer
 * may see it; NULL with *name when there is none, or with *f when params
 * are wrong. */
static workload *of_params(const peer_cred *peer, wl_table *t, yajl_val params, json_fault *f, const char **name)
{
	const char *word = NULL, *kind = NULL;
	*name = NULL;
	if (sp_dispatch(params, SP_PARAMS(SP_KEY("name"), SP_STR("kind", false, &word)), f) < 0)
		return NULL;
	if (word && !(kind = kind_named(word))) {
		json_fault_set(f, EINVAL, "kind", "\"%.64s\": not a kind of workload (pod or deployment)", word);
		return NULL;
	}
	if (sp_name(params, "name", true, name, f) < 0)
		return NULL;
	workload *w = wl_for(t, peer->uid, *name);
	return w && (!kind || streq(kind, w->kind)) ? w : NULL;
}

int sv_workload_inspect(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	const char *name;
	if (!d->workloads)
		return reply_gone(call);
	workload *w = of_params(vl_call_peer(call), d->workloads, params, &f, &name);
	if (!w)
		return name ? sv_no_such_workload(call, name) : sv_invalid_fault(call, &f);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key(g, "workload") ||
	    gen_workload(g, d->workloads, w, true, vl_call_peer(call)) < 0 || yajl_gen_map_close(g))
		return sv_internal(call, "out of memory");
	return vl_call_reply_gen(call, g);
}

/* Kept on disk, so that a restart goes on deleting. */
static int start_delete(wl_table *t, workload *w, cerr *err)
{
	w->deleting = true;
	w->loop.backoff_until = 0;
	w->loop.failures = 0;
	return wl_save(t, w, err);
}

/* By name, or every workload a manifest names (those not there are
 * skipped, as kubectl delete --ignore-not-found). The loop removes their
 * replicas, then them: the answer comes at once, `corralctl delete` waits. */
int sv_workload_delete(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	wl_table *t = d->workloads;
	if (!t)
		return reply_gone(call);
	json_fault f = { 0 };
	cerr err = { 0 };
	const char *name;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key(g, "deleted") || yajl_gen_array_open(g))
		return sv_internal(call, "out of memory");
	if (json_get(params, "text")) {
		_cleanup_(kube_set_release) kube_set set = { 0 };
		if (parse_manifest(params, NULL, &set, &f) < 0)
			return sv_invalid_fault(call, &f);
		for (size_t i = 0; i < set.n; i++) {
			workload *w = wl_for(t, vl_call_peer(call)->uid, set.w[i].name);
			if (!w || !streq(w->kind, set.w[i].kind))
				continue;
			if (start_delete(t, w, &err) < 0)
				return sv_internal_err(call, &err);
			if (jg_str(g, w->name)) /* the caller's own */
				return sv_internal(call, "out of memory");
		}
	} else {
		workload *w = of_params(vl_call_peer(call), t, params, &f, &name);
		if (!w)
			return name ? sv_no_such_workload(call, name) : sv_invalid_fault(call, &f);
		if (start_delete(t, w, &err) < 0)
			return sv_internal_err(call, &err);
		char shown[WL_SHOWN_MAX];
		if (jg_str(g, wl_shown(w, w->name, vl_call_peer(call), shown, sizeof(shown))))
			return sv_internal(call, "out of memory");
	}
	wl_schedule(t);
	if (yajl_gen_array_close(g) || yajl_gen_map_close(g))
		return sv_internal(call, "out of memory");
	return vl_call_reply_gen(call, g);
}
