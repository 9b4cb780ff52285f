/* Pause and Unpause: the container's cgroup frozen through cgroup.freeze,
 * and thawed; its status is "paused" in between. A paused container that
 * is stopped, killed or removed by force is signalled first and thawed
 * after, so that the signal is acted on, as docker and podman do. */
#include "supervisor/daemon/containers/methods/ctr_methods.h"
#include "supervisor/daemon/containers/record/ctr_publish.h"
#include "supervisor/daemon/containers/record/ctr_record.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/containers/methods/ctr_pause.h"
#include "supervisor/daemon/containers/engine/ctr_freeze.h"
#include "supervisor/daemon/containers/engine/ctr_spawn.h"
#include "supervisor/daemon/containers/methods/ctr_reply.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"

/* Why c cannot be paused (pause) or thawed as asked; NULL when it can. */
static const char *refusal(const ctr *c, bool pause)
{
	if (ctr_is_starting(c))
		return "it is starting";
	if (pause && c->status == CS_PAUSED)
		return "it is paused already";
	if (!pause && c->status == CS_RUNNING)
		return "it is not paused";
	if (!ctr_alive(c))
		return "it is not running";
	return NULL;
}

int sv_pause(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	const char *why;
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, d, call, params, f, "id");
	if ((why = refusal(c, true)))
		return reply_bad_state(call, c, why);
	cerr err = { 0 };
	if (ctr_set_frozen(d, c, true, &err) < 0)
		return sv_internal_err(call, &err);
	c->status = CS_PAUSED;
	ctr_save(d, c);
	ctr_publish(d, c, "pause", NULL);
	return vl_call_reply(call, NULL);
}

int sv_unpause(vl_call *call, yajl_val params, void *ud)
{
	const char *why;
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, ud, call, params, f, "id");
	if ((why = refusal(c, false)))
		return reply_bad_state(call, c, why);
	cerr err = { 0 };
	if (ctr_thaw(ud, c, &err) < 0)
		return sv_internal_err(call, &err);
	return vl_call_reply(call, NULL);
}
