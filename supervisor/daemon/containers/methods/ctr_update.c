/* Update: a running container's resources changed in place (Docker's
 * update, the CRI's UpdateContainerResources), by the runtime's own
 * `corral update`, in a process of its own: lowering memory.max may make
 * the kernel reclaim for a while, which corrald's loop must not wait on.
 * And its restart policy (docker update --restart), kept once the
 * resources, if any, apply. */
#include "supervisor/daemon/containers/methods/ctr_methods.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/spec/ctr_resources.h"
#include "supervisor/daemon/containers/methods/ctr_update.h"
#include "supervisor/daemon/containers/engine/ctr_limits.h"
#include "supervisor/daemon/containers/engine/ctr_lifecycle.h"
#include "supervisor/daemon/containers/engine/ctr_bundle_limits.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/methods/ctr_reply.h"
#include "supervisor/daemon/containers/record/ctr_update_kept.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/api/sv_errors.h"
#include "supervisor/loop/child.h"
#include "supervisor/varlink/params.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UPDATE_MAX_OUTPUT 4096

typedef struct update_call {
	vl_call *call;
	corrald *d;
	char id[CTR_ID_LEN + 1];
	char *resources; /* as the call gave them, kept once applied */
	bool has_restart;
	restart_policy restart; /* kept then too */
} update_call;

static void on_update_cancel(vl_call *call, void *data)
{
	(void)call;
	((update_call *)data)->call = NULL; /* the client left: the update goes on */
}

static void update_free(update_call *u)
{
	free(u->resources);
	free(u);
}
static inline void update_freep(update_call **u) { update_free(*u); }

/* The policy kept; a restart that waits out its backoff is called off by
 * "no", as the caller means. */
static int keep_restart(corrald *d, ctr *c, const restart_policy *p, cerr *err)
{
	if (ctr_keep_restart(d, c, p, err) < 0)
		return -1;
	if (p->kind == RESTART_NO)
		ctr_restart_cancel_backoff(d, c);
	return 0;
}

/* applied: kept in the container's record, whether the caller waits or not */
static void keep(update_call *u)
{
	ctr *c = ctr_find(u->d, u->id);
	_cleanup_json_ yajl_val res = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (c && (json_parse(u->resources, "resources", &res, &err) < 0 || ctr_keep_resources(u->d, c, res, &err) < 0 ||
		  ctr_bundle_keep_limits(u->d, c, &err) < 0))
		log_cerr(LOG_LVL_WARN, &err, "%s: its new resources apply, but are not kept", c->name);
	if (c && u->has_restart && keep_restart(u->d, c, &u->restart, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "%s: its new restart policy is not kept", c->name);
}

static void on_updated(const el_child_result *r, void *data)
{
	_cleanup_(update_freep) update_call *u = data;
	if (r->code == 0)
		keep(u);
	if (!u->call)
		return;
	vl_call_set_cancel(u->call, NULL, NULL);
	if (r->code == 0) {
		vl_call_reply(u->call, NULL);
		return;
	}
	const strbuf *e = &r->out[1];
	size_t n = e->len;
	while (n && e->buf[n - 1] == '\n')
		n--;
	char why[512];
	snprintf(why, sizeof(why), "%.*s", (int)n, e->buf ? e->buf : "");
	sv_invalid(u->call, "resources", why[0] ? why : "the runtime could not apply them");
}

/* Memory, swap and reservation as c has them, for those not given when
 * one is: the runtime counts swap from memory, and they are checked
 * together. */
static void with_current_memory(ctr_spec *given, const ctr *c)
{
	if (given->memory < 0 && !given->memory_swap && !given->memory_reservation)
		return;
	if (given->memory < 0)
		given->memory = c->spec.memory;
	if (!given->memory_swap)
		given->memory_swap = c->spec.memory_swap;
	if (!given->memory_reservation)
		given->memory_reservation = c->spec.memory_reservation;
}

/* linux.resources of the call's Resources (the ones given) */
static char *oci_resources(yajl_val res, const ctr *c, json_fault *f)
{
	ctr_spec given = { 0 };
	_cleanup_json_gen_ yajl_gen g = NULL;
	char *json = NULL;
	if (ctr_spec_parse_resources(res, "resources", &given, f) == 0 && (with_current_memory(&given, c), true) &&
	    ctr_spec_check_memory(&given, "resources", f) == 0 && (g = json_gen_new(false)) &&
	    yajl_gen_map_open(g) == yajl_gen_status_ok) {
		ctr_limits_gen(g, &given);
		if (yajl_gen_map_close(g) == yajl_gen_status_ok)
			json = jg_finish(g, NULL);
	}
	ctr_spec_release_resources(&given);
	return json;
}

int sv_update(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	const char *restart;
	CTR_METHOD_TARGET(c, d, call, params, f, SP_KEY("resources"), SP_STR("restart", false, &restart));
	yajl_val res = json_get(params, "resources");
	if (YAJL_IS_NULL(res))
		res = NULL;
	if (!res && !restart)
		return sv_invalid(call, "resources", "give resources, a restart policy, or both");
	restart_policy policy = { 0 };
	_cleanup_cerr_ cerr err = { 0 };
	if (restart && restart_policy_parse(restart, &policy, &err) < 0)
		return sv_invalid(call, "restart", cerr_msg(&err));
	if (restart && c->spec.auto_remove && policy.kind != RESTART_NO)
		return sv_invalid(call, "restart", "excludes autoRemove: the container goes once it stops");
	if (!res) { /* the owner's own choice, as at Create */
		if (keep_restart(d, c, &policy, &err) < 0)
			return sv_internal_err(call, &err);
		return vl_call_reply(call, NULL);
	}
	/* a member's limits are the policy's, checked at Create */
	if (vl_call_peer(call)->uid != 0)
		return sv_permission_denied(call, "Update: only root may change a running container's resources");
	if (!YAJL_IS_OBJECT(res))
		return sv_invalid(call, "resources", "an object of Resources");
	_cleanup_free_ char *json = oci_resources(res, c, &f);
	if (!json)
		return f.field[0] ? sv_invalid_fault(call, &f) : sv_internal(call, "out of memory");
	if (!ctr_alive(c))
		return sv_invalid_state(call, c->name, ctr_status_str[c->status], "it is not running");
	char *argv[] = { "corral", "--root", d->runtime_root, "update", "-r", "-", c->id, NULL };
	update_call *u = calloc(1, sizeof(*u));
	if (!u)
		return sv_internal(call, "out of memory");
	u->call = call;
	u->d = d;
	snprintf(u->id, sizeof(u->id), "%s", c->id);
	u->has_restart = restart != NULL;
	u->restart = policy;
	_cleanup_json_gen_ yajl_gen rg = json_gen_new(false);
	if (!rg || jg_value(rg, res) || !(u->resources = jg_finish(rg, NULL))) {
		free(u);
		return sv_internal(call, "out of memory");
	}
	el_child_opts o = { .path = d->runtime_bin, .argv = argv, .fd3 = SPAWN_NULL, .max_output = UPDATE_MAX_OUTPUT,
			    .input = json, .input_len = strlen(json) };
	el_child *ch;
	if (el_child_run(d->loop, &o, on_updated, u, &ch, &err) < 0) {
		update_free(u);
		return sv_internal_err(call, &err);
	}
	vl_call_set_cancel(call, on_update_cancel, u);
	return 0; /* answered once the runtime has applied them */
}
