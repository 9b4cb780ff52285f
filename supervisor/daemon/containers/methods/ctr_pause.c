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
#include "common/cleanup.h"
#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Why c cannot be paused (pause) or thawed as asked; NULL when it can. */
static const char *refusal(const ctr *c, bool pause)
{
	if (ctr_is_starting(c))
		return "it is starting";
	if (pause && c->status == CS_PAUSED)
		return "it is paused already";
	if (c->pausing)
		return "it is being paused";
	if (!pause && c->status == CS_RUNNING)
		return "it is not paused";
	if (!ctr_alive(c))
		return "it is not running";
	return NULL;
}

/* A Pause whose freeze runs */
typedef struct pausing {
	vl_call *call; /* NULL once the caller hung up */
	char id[CTR_ID_LEN + 1];
} pausing;

static void pause_cancelled(vl_call *call, void *data) { ((pausing *)data)->call = NULL; }

/* The freeze is over: paused, unless it ended or went meanwhile (then
 * what froze is thawed again) */
static void paused(corrald *d, ctr *c, int r, cerr *err, void *data)
{
	pausing *p = data;
	bool ok = r == 0 && c && ctr_alive(c) && c->status == CS_RUNNING;
	_cleanup_cerr_ cerr thaw_err = { 0 };
	if (r == 0 && !ok && c && ctr_alive(c) && ctr_set_frozen(d, c, false, &thaw_err) < 0)
		log_cerr(LOG_LVL_WARN, &thaw_err, "container %s: thaw after a pause it outlived", c->name);
	if (ok) {
		c->status = CS_PAUSED;
		ctr_save(d, c);
		ctr_publish(d, c, "pause", NULL);
	}
	if (p->call) {
		vl_call_set_cancel(p->call, NULL, NULL);
		if (ok)
			vl_call_reply(p->call, NULL);
		else if (r < 0)
			sv_internal_err(p->call, err);
		else if (c)
			reply_bad_state(p->call, c, "it ended while it was being paused");
		else
			sv_no_such_container(p->call, p->id);
	}
	free(p);
}

/* frozen in a child: a member's task that will not stop (stuck in a file
 * system) made each Pause hold the loop for the freeze's whole bound */
int sv_pause(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	const char *why;
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, d, call, params, f);
	if ((why = refusal(c, true)))
		return reply_bad_state(call, c, why);
	pausing *p = calloc(1, sizeof(*p));
	if (!p)
		return sv_internal(call, "out of memory");
	p->call = call;
	snprintf(p->id, sizeof(p->id), "%s", c->id);
	cerr err = { 0 };
	if (ctr_freeze_async(d, c, vl_call_peer(call)->uid, paused, p, &err) < 0) {
		free(p);
		return sv_internal_err(call, &err);
	}
	vl_call_set_cancel(call, pause_cancelled, p);
	return 0; /* paused() answers */
}

int sv_unpause(vl_call *call, yajl_val params, void *ud)
{
	const char *why;
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, ud, call, params, f);
	if ((why = refusal(c, false)))
		return reply_bad_state(call, c, why);
	cerr err = { 0 };
	if (ctr_thaw(ud, c, &err) < 0)
		return sv_internal_err(call, &err);
	return vl_call_reply(call, NULL);
}
