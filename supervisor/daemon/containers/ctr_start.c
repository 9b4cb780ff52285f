/* Start, top to bottom: StartContainer checks the container, ctr_start says
 * "go" to its standby monitor (or a fresh one) and keeps the call, and the
 * monitor's report ("ok PID" or "err MESSAGE") answers it. */
#include "supervisor/daemon/containers/ctr_service.h"
#include "supervisor/daemon/containers/pins.h"
#include "supervisor/daemon/containers/ctr_start.h"
#include "supervisor/daemon/containers/ctr_checkpoint.h"
#include "supervisor/daemon/containers/ctr_ended.h"
#include "supervisor/daemon/containers/ctr_methods.h"
#include "supervisor/daemon/containers/ctr_monitor.h"
#include "supervisor/daemon/containers/ctr_spawn.h"
#include "supervisor/daemon/containers/ctr_waiters.h"
#include "supervisor/daemon/containers/fastpath.h"
#include "supervisor/daemon/containers/img_source.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/logs/exitrec.h"
#include "supervisor/varlink/monitor_iface.h"
#include "supervisor/varlink/params.h"
#include "supervisor/varlink/sv_errors.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/timefmt.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SPAWN_TIMEOUT_MS 60000

static void on_start_cancel(vl_call *call, void *data)
{
	(void)call;
	((ctr_spawn *)data)->call = NULL; /* the client left: the start goes on */
}

static void on_spawn_timeout(el_source *src, void *data)
{
	ctr *c = data;
	c->spawn->timer = NULL; /* a one-shot timer: the loop frees it */
	el_remove(src);
	ctr_spawn_kill(c->spawn);
	char why[96];
	snprintf(why, sizeof(why), "the monitor did not report within %d s; killed it", SPAWN_TIMEOUT_MS / 1000);
	ctr_start_reported(c, why);
}

int sv_start(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, d, call, params, f, "id");
	if (c->status == CS_PAUSED)
		return reply_bad_state(call, c, "it is paused: unpause it");
	if (c->status == CS_RUNNING || c->status == CS_REMOVING)
		return reply_bad_state(call, c, "it is already running");
	if (ctr_is_starting(c) || c->restart_wanted)
		return reply_bad_state(call, c, "it is starting");
	if (c->dumping)
		return reply_bad_state(call, c, "it is being checkpointed");
	c->checkpointed = c->checkpointing = false; /* started afresh: its checkpoint is stale */
	cerr err = { 0 };
	if (ctr_start_by_user(d, c, call, &err) < 0)
		return sv_internal_err(call, &err);
	return 0; /* the start keeps the call: it answers once the monitor reports */
}

int ctr_start_by_user(corrald *d, ctr *c, vl_call *call, cerr *err)
{
	if (c->restart_timer) {
		el_remove(c->restart_timer);
		c->restart_timer = NULL;
	}
	c->stopped_by_user = false;
	restart_state_init(&c->rs);
	if (ctr_start(d, c, call, err) < 0) {
		c->status = c->has_run ? CS_EXITED : CS_CREATED;
		ctr_record_save(d, c, NULL);
		return -err->code;
	}
	fastpath_dir_refill(d); /* while the monitor creates the container */
	return 0;
}

int ctr_start(corrald *d, ctr *c, vl_call *call, cerr *err)
{
	if (ctr_is_starting(c))
		return cerr_set(err, EBUSY, "container %s: it is already starting", c->id);
	char path[PATH_MAX];
	ctr_dir(d, c, path, sizeof(path));
	if (c->image_manifest && imagesrc_remount(d->cfg->state_dir, path, c->image_manifest, err) < 0)
		return cerr_wrap(err, "container %s", c->id);
	if (ctr_pins_present(path, &c->spec, err) < 0)
		return cerr_wrap(err, "container %s", c->id);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/" EXITREC_FILE);
	unlink(path);
	int r = CTR_FEATURES_FIRST(d, starting, d, c, err);
	if (r < 0)
		return r;
	/* a standby that already went away (its EOF still queued) cannot take
	 * the "go": spawn afresh */
	if (c->spawn && !ctr_spawn_go(c->spawn, c))
		ctr_spawn_abandon(c);
	if (!c->spawn) {
		r = ctr_spawn_new(d, c, err);
		if (r < 0) {
			CTR_FEATURES_EACH(d, start_abandoned, d, c);
			return r;
		}
		/* one that failed at once is not an error here: its EOF reaches
		 * on_spawn_report, which says so as for any monitor that
		 * ended without a report */
		ctr_spawn_go(c->spawn, c);
		ctr_drop_attached(c); /* not taken: gone with the monitor that failed */
	}
	ctr_spawn *s = c->spawn;
	s->standby = false;
	d->containers->n_standby--;
	r = el_add_timer(d->loop, SPAWN_TIMEOUT_MS * 1000ull, false, on_spawn_timeout, c, &s->timer, err);
	if (r < 0) {
		ctr_spawn_kill(s);
		ctr_spawn_abandon(c);
		CTR_FEATURES_EACH(d, start_abandoned, d, c);
		return r;
	}
	if (call) {
		s->call = call;
		s->by_client = true;
		vl_call_set_cancel(call, on_start_cancel, s);
	}
	return 0;
}

/* It runs: say so first, then record it. Should corrald die in between,
 * adoption finds the monitor, and the pid in the runtime's state. */
static void running(corrald *d, ctr *c, vl_call *call, pid_t pid)
{
	c->pid = pid;
	c->status = CS_RUNNING;
	c->has_run = true;
	c->started_mono = el_now_usec();
	rfc3339_ns(0, c->started_at, sizeof(c->started_at));
	c->finished_at[0] = c->end_reason[0] = '\0';
	if (call)
		vl_call_reply(call, NULL);
	/* only now close the socketpair: the monitor waits for that to exec
	 * its lean self, which would otherwise take our CPU */
	ctr_spawn_abandon(c);
	cerr err = { 0 };
	if (ctr_monitor_watch(d, c, &err) < 0) /* it may have finished a very short container */
		log_cerr(LOG_LVL_DEBUG, &err, NULL);
	bool restored = c->restoring;
	if (restored)
		ctr_restore_reported(d, c, true);
	ctr_save(d, c);
	ctr_publish(d, c, restored ? "restore" : "start", NULL);
	CTR_FEATURES_EACH(d, running, d, c);
	if (c->stop_pending) {
		c->stop_pending = false;
		if (ctr_signal(d, c, c->spec.stop_signal, true, c->stop_pending_timeout, &err) < 0)
			log_cerr(LOG_LVL_DEBUG, &err, NULL); /* it has ended already */
	}
	if (c->mon_fd < 0)
		ctr_ended(d, c);
}

/* It did not start: why, from the report (or its absence). */
static void not_started(corrald *d, ctr *c, vl_call *call, const char *report)
{
	char dir[PATH_MAX], why[sizeof(c->spawn->buf) + PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	bool undone = !strncmp(report, MONITOR_ERR, strlen(MONITOR_ERR)); /* else killed, or it crashed */
	if (c->spawn->net_err)
		snprintf(why, sizeof(why), "%s", c->spawn->net_err);
	else if (undone)
		snprintf(why, sizeof(why), "%s", report + strlen(MONITOR_ERR));
	else if (*report)
		snprintf(why, sizeof(why), "container %s: %s", c->id, report);
	else
		snprintf(why, sizeof(why), "container %s: the monitor ended without a report (see %s/monitor.log)",
			 c->id, dir);
	ctr_spawn_abandon(c); /* report lies in its buffer: not read after this */
	if (c->restoring)
		ctr_restore_reported(d, c, false);
	CTR_FEATURES_EACH(d, not_started, d, c);
	if (!undone)
		ctr_drop_stale_state(d, c);
	c->status = c->has_run ? CS_EXITED : CS_CREATED;
	ctr_save(d, c);
	if (c->stop_pending) { /* nothing runs: the Stop is done */
		c->stop_pending = false;
		ctr_wake(c, 1u << WAIT_STOP);
	}
	if (!call)
		return log_error("start %s: %s", c->name, why);
	sv_internal(call, why);
}

void ctr_start_reported(ctr *c, const char *report)
{
	vl_call *call = TAKE_PTR(c->spawn->call);
	if (call)
		vl_call_set_cancel(call, NULL, NULL);
	if (!strncmp(report, MONITOR_OK, strlen(MONITOR_OK)))
		running(c->d, c, call, (pid_t)atoi(report + strlen(MONITOR_OK)));
	else
		not_started(c->d, c, call, report);
}
