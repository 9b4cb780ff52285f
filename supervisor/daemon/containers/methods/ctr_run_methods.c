/* The verbs that bring a container up: CreateContainer (its steps are
 * engine/ctr_create.c), Start and Restart (a stop, then a start, answered
 * once it runs again; a container that is not running is just started). */
#include "supervisor/daemon/containers/methods/ctr_methods.h"
#include "supervisor/daemon/containers/record/ctr_publish.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/containers/methods/ctr_run_methods.h"
#include "supervisor/daemon/containers/engine/ctr_create.h"
#include "supervisor/daemon/containers/engine/ctr_lifecycle.h"
#include "supervisor/daemon/containers/engine/ctr_spawn.h"
#include "supervisor/daemon/containers/methods/ctr_reply.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "supervisor/daemon/core/labels.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>

int sv_create(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	if (sp_known(params, SP_PARAMS(SP_KEY("spec")), &f) < 0)
		return sv_invalid_fault(call, &f);
	yajl_val cspec_json = json_key(params, "spec");
	if (!cspec_json)
		return sv_invalid(call, "spec", "required");
	_cleanup_(ctr_freep) ctr *c = ctr_new(d);
	if (!c)
		return sv_internal(call, NULL);
	if (ctr_parse_spec(d, cspec_json, c, &f) < 0 || labels_check_reserved(call, c->spec.labels, "spec.labels", &f) < 0)
		return sv_invalid_fault(call, &f);
	ctr_done *done = reply_when_done(call, ctr_reply_created);
	if (!done)
		return sv_internal(call, "out of memory");
	ctr_create(d, vl_call_peer(call), "CreateContainer", TAKE_PTR(c), NULL, done);
	return 0; /* answered by the completion: now, or once a member's sources are open */
}

int sv_start(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, d, call, params, f);
	if (c->status == CS_PAUSED)
		return reply_bad_state(call, c, "it is paused: unpause it");
	if (c->status == CS_RUNNING || c->status == CS_REMOVING)
		return reply_bad_state(call, c, "it is already running");
	if (ctr_is_starting(c) || c->restart_wanted)
		return reply_bad_state(call, c, "it is starting");
	if (c->dumping)
		return reply_bad_state(call, c, "it is being checkpointed");
	c->checkpointed = c->checkpointing = false; /* started afresh: its checkpoint is stale */
	_cleanup_cerr_ cerr err = { 0 };
	ctr_done *done = reply_when_done(call, NULL);
	if (!done)
		return sv_internal(call, "out of memory");
	if (ctr_start_by_user(d, c, done, &err) < 0) {
		reply_when_done_drop(done);
		if (err.code == ESRCH) /* what it joins is not running (net_container.h) */
			return reply_bad_state(call, c, cerr_msg(&err));
		return sv_internal_err(call, &err);
	}
	return 0; /* the start holds its completion: answered once the monitor reports */
}

int sv_restart(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	CTR_STOP_TARGET(c, timeout, d, call, params);
	if (ctr_is_starting(c) || c->restart_wanted)
		return reply_bad_state(call, c, "it is starting");
	if (c->status == CS_REMOVING)
		return reply_bad_state(call, c, "it is being removed");
	cerr err = { 0 };
	ctr_done *done = reply_when_done(call, NULL);
	if (!done)
		return sv_internal(call, "out of memory");
	if (!ctr_alive(c)) {
		if (ctr_start_by_user(d, c, done, &err) < 0) {
			reply_when_done_drop(done);
			return sv_internal_err(call, &err);
		}
		ctr_publish(d, c, "restart", NULL);
		return 0; /* answered once the monitor reports */
	}
	if (ctr_restart_begin(d, c, timeout, &err) < 0) {
		reply_when_done_drop(done);
		return sv_internal_err(call, &err);
	}
	ctr_done_hold(&c->restart_done, done);
	return 0; /* ctr_restart_resume goes on once it has ended */
}
