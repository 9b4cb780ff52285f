/* Restart: stop the container as Stop does (its stop signal, then SIGKILL
 * after the timeout), then start it as Start does; the call is answered
 * once it runs again. A container that is not running is just started. A
 * Stop or a removal that comes in between calls the restart off. */
#include "supervisor/daemon/containers/ctr_restart.h"
#include "supervisor/daemon/containers/ctr_methods.h"
#include "supervisor/daemon/containers/ctr_monitor.h"
#include "supervisor/daemon/containers/ctr_pause.h"
#include "supervisor/daemon/containers/ctr_spawn.h"
#include "supervisor/daemon/containers/ctr_start.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/params.h"
#include "supervisor/varlink/sv_errors.h"
#include "common/log.h"

#include <errno.h>

static void on_cancel(vl_call *call, void *data)
{
	((ctr *)data)->restart_call = NULL; /* the client left: the restart goes on */
}

int sv_restart(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	long long t;
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, d, call, params, f, "id", "timeout");
	if (sp_int(params, "timeout", 0, 86400, -1, &t, &f) < 0)
		return sv_invalid_fault(call, &f);
	if (ctr_is_starting(c) || c->restart_wanted)
		return reply_bad_state(call, c, "it is starting");
	if (c->status == CS_REMOVING)
		return reply_bad_state(call, c, "it is being removed");
	cerr err = { 0 };
	if (!ctr_alive(c)) {
		if (ctr_start_by_user(d, c, call, &err) < 0)
			return sv_internal_err(call, &err);
		ctr_publish(d, c, "restart", NULL);
		return 0; /* answered once the monitor reports */
	}
	if (ctr_restart_begin(d, c, t < 0 ? c->spec.stop_timeout : (unsigned)t, &err) < 0)
		return sv_internal_err(call, &err);
	c->restart_call = call;
	vl_call_set_cancel(call, on_cancel, c);
	return 0; /* ctr_restart_resume goes on once it has ended */
}

int ctr_restart_begin(corrald *d, ctr *c, unsigned timeout, cerr *err)
{
	/* in memory only: its end is no end for the restart policy; on disk it
	 * stays as it was, so that should corrald die before the start, the
	 * policy (and adoption) still bring it back */
	c->stopped_by_user = true;
	if (ctr_signal(d, c, c->spec.stop_signal, true, timeout, err) < 0) {
		if (err->code != ESRCH)
			return -err->code;
		cerr_clear(err); /* it is ending anyway */
	}
	if (ctr_thaw(d, c, err) < 0)
		log_cerr(LOG_LVL_WARN, err, "container %s: thaw for a restart", c->name);
	cerr_clear(err);
	ctr_publish(d, c, "stop", NULL);
	c->restart_wanted = true;
	return 0;
}

static vl_call *take_call(ctr *c)
{
	vl_call *call = c->restart_call;
	c->restart_call = NULL;
	c->restart_wanted = false;
	if (call)
		vl_call_set_cancel(call, NULL, NULL);
	return call;
}

void ctr_restart_resume(corrald *d, ctr *c)
{
	vl_call *call = take_call(c);
	cerr err = { 0 };
	if (ctr_start_by_user(d, c, call, &err) < 0) {
		if (call)
			sv_internal_err(call, &err);
		else
			log_cerr(LOG_LVL_ERROR, &err, "restart %s", c->name);
		return;
	}
	ctr_publish(d, c, "restart", NULL);
}

void ctr_restart_call_off(ctr *c, const char *why)
{
	if (!c->restart_wanted)
		return;
	vl_call *call = take_call(c);
	if (call)
		reply_bad_state(call, c, why);
}

void ctr_restart_drop(ctr *c)
{
	take_call(c);
}
