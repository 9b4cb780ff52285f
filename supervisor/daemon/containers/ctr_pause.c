/* Pause and Unpause: the container's cgroup frozen through cgroup.freeze,
 * and thawed; its status is "paused" in between. A paused container that
 * is stopped, killed or removed by force is signalled first and thawed
 * after, so that the signal is acted on, as docker and podman do. */
#include "supervisor/daemon/containers/ctr_pause.h"
#include "supervisor/daemon/containers/ctr_methods.h"
#include "supervisor/daemon/containers/ctr_spawn.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/params.h"
#include "supervisor/varlink/sv_errors.h"
#include "cgroups/cgroups.h"

#include <errno.h>
#include <limits.h>

/* A freeze waits for every task to stop: in the kernel this is quick, and
 * the bound keeps corrald's loop from waiting on a stuck one. */
#define FREEZE_TIMEOUT_MS 2000

static int set_frozen(corrald *d, ctr *c, bool freeze, cerr *err)
{
	char path[PATH_MAX];
	ctr_cgroup_path(d, c, path, sizeof(path));
	_cleanup_cg_ cg *g = NULL;
	int r = cg_open(NULL, path, &g, err);
	if (r < 0)
		return r;
	return cg_freeze(g, freeze, FREEZE_TIMEOUT_MS, err);
}

bool ctr_is_frozen(corrald *d, ctr *c)
{
	char path[PATH_MAX];
	ctr_cgroup_path(d, c, path, sizeof(path));
	_cleanup_cg_ cg *g = NULL;
	bool frozen = false;
	_cleanup_cerr_ cerr err = { 0 };
	if (cg_open(NULL, path, &g, &err) < 0 || cg_frozen(g, &frozen) < 0)
		frozen = false;
	return frozen;
}

int ctr_thaw(corrald *d, ctr *c, cerr *err)
{
	if (c->status != CS_PAUSED)
		return 0;
	int r = set_frozen(d, c, false, err);
	if (r < 0 && err->code != ENOENT)
		return r;
	cerr_clear(err); /* no cgroup left: it has ended, and nothing is frozen */
	c->status = CS_RUNNING;
	ctr_save(d, c);
	ctr_publish(d, c, "unpause", NULL);
	return 0;
}

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
	if (set_frozen(d, c, true, &err) < 0)
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
