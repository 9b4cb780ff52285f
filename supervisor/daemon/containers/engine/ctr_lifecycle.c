/* A container's transitions, one file because they call one another: Start
 * (ctr_start says "go" to its standby monitor, or a fresh one, and keeps the
 * call; the monitor's report, "ok PID" or "err MESSAGE", answers it), its
 * end (exit record, restart policy, removal), Restart (a stop, then a start
 * once it has ended) and the end of a Checkpoint's dump.
 *
 * A pair with ctr_monitor.c: this file watches the monitor it
 * started (ctr_monitor_watch), and the monitor's EOF is the end (ctr_ended). */
#include "supervisor/daemon/containers/engine/ctr_lifecycle.h"
#include "supervisor/daemon/containers/record/ctr_publish.h"
#include "supervisor/daemon/containers/record/ctr_record.h"
#include "supervisor/daemon/containers/record/ctr_gen.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/daemon/containers/engine/ctr_freeze.h"
#include "supervisor/daemon/containers/engine/ctr_monitor.h"
#include "supervisor/daemon/containers/engine/ctr_repin.h"
#include "supervisor/daemon/containers/engine/ctr_spawn.h"
#include "supervisor/daemon/containers/engine/fastpath.h"
#include "supervisor/daemon/containers/record/ctr_checkpoint_dir.h"
#include "supervisor/daemon/containers/record/ctr_target.h"
#include "supervisor/daemon/containers/record/ctr_service.h"
#include "supervisor/daemon/containers/record/ctr_waiters.h"
#include "supervisor/daemon/containers/record/img_source.h"
#include "supervisor/daemon/containers/record/pins.h"
#include "supervisor/daemon/containers/record/trash.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/logs/crilog.h"
#include "supervisor/logs/exitrec.h"
#include "supervisor/api/monitor_iface.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "common/monotonic.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- start ---- */

/* why its start failed (NULL: it started), kept as Docker's State.Error */
static void start_failed(ctr *c, const char *why)
{
	if (!why && !c->start_error)
		return;
	free(c->start_error);
	c->start_error = why ? strdup(why) : NULL;
	ctr_list_stale(c);
}

#define SPAWN_TIMEOUT_MS 60000

static void ctr_start_reported(ctr *c, const char *report);

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

int ctr_start_by_user(corrald *d, ctr *c, ctr_done *done, cerr *err)
{
	if (c->restart_timer) {
		el_remove(c->restart_timer);
		c->restart_timer = NULL;
	}
	c->stopped_by_user = false;
	restart_tally_init(&c->rs);
	if (ctr_start(d, c, done, err) < 0) {
		c->status = c->has_run ? CS_EXITED : CS_CREATED;
		start_failed(c, cerr_msg(err));
		ctr_record_save(d, c, NULL);
		return -err->code;
	}
	fastpath_dir_refill(d); /* while the monitor creates the container */
	return 0;
}

void ctr_start_not_made(corrald *d, ctr *c, ctr_done *done, cerr *err)
{
	c->status = c->has_run ? CS_EXITED : CS_CREATED;
	start_failed(c, cerr_msg(err));
	ctr_save(d, c);
	if (done)
		ctr_done_tell_err(&done, c, err);
	else
		log_cerr(LOG_LVL_ERROR, err, "start %s", c->name);
}

/* A member's bind sources pinned again after a host restart: the start
 * goes on, unless it was stopped or removed meanwhile */
static void start_repinned(corrald *d, ctr *c, ctr_done *done, cerr *err)
{
	if (!c) {
		cerr_set(err, ENOENT, "the container was removed before it started");
		return ctr_done_tell_err(&done, NULL, err);
	}
	if (!err->code && c->stopped_by_user)
		cerr_set(err, ECANCELED, "container %s: stopped before its start was made", c->id);
	if (err->code || ctr_start(d, c, done, err) < 0)
		ctr_start_not_made(d, c, done, err);
}

int ctr_start(corrald *d, ctr *c, ctr_done *done, cerr *err)
{
	if (ctr_is_starting(c) || c->repinning)
		return cerr_set(err, EBUSY, "container %s: it is already starting", c->id);
	char path[PATH_MAX];
	ctr_dir(d, c, path, sizeof(path));
	if (c->image_manifest && imagesrc_remount(d->cfg->state_dir, path, c->image_manifest, err) < 0)
		return cerr_wrap(err, "container %s", c->id);
	if (ctr_pins_present(path, err) < 0) { /* a host restart took them, or a source was made anew */
		cerr_clear(err);
		int r = ctr_repin(d, c, done, start_repinned, err);
		if (r != 0)
			return r < 0 ? r : 0; /* 1: a member's, opened as the member first */
		if (ctr_pins_present(path, err) < 0)
			return cerr_wrap(err, "container %s", c->id);
	}
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/" EXITREC_FILE);
	unlink(path);
	int r = CTR_FEATURES_FIRST(d, start.starting, d, c, err);
	if (r < 0) { /* what the features before it made for the start goes */
		CTR_FEATURES_EACH(d, start.abandoned, d, c);
		return r;
	}
	/* a standby that already went away (its EOF still queued) cannot take
	 * the "go": spawn afresh */
	if (c->spawn && !ctr_spawn_go(c->spawn, c))
		ctr_spawn_abandon(c);
	if (!c->spawn) {
		r = ctr_spawn_new(d, c, err);
		if (r < 0) {
			CTR_FEATURES_EACH(d, start.abandoned, d, c);
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
	s->reported = ctr_start_reported;
	d->containers->n_standby--;
	r = el_add_timer(d->loop, SPAWN_TIMEOUT_MS * 1000ull, false, on_spawn_timeout, c, &s->timer, err);
	if (r < 0) {
		ctr_spawn_kill(s);
		ctr_spawn_abandon(c);
		CTR_FEATURES_EACH(d, start.abandoned, d, c);
		return r;
	}
	if (done) { /* the client may leave: the start goes on */
		ctr_done_hold(&s->done, done);
		s->by_client = true;
	}
	return 0;
}

/* A removal that follows a start or an exit failed: the Removes that wait
 * are told why, and it stays, to be removed again. */
static void remove_failed(ctr *c, cerr *err)
{
	c->remove_volumes = false;
	ctr_wake_failed(c, 1u << WAIT_REMOVE, cerr_msg(err));
	log_cerr(LOG_LVL_ERROR, err, NULL);
}

/* The forced Remove that came while it started: now that the start has
 * reported, it is killed and removed, or removed at once. */
static void remove_pending_now(corrald *d, ctr *c)
{
	c->remove_pending = false;
	cerr err = { 0 };
	if (ctr_remove_forced(d, c, &err) < 0)
		remove_failed(c, &err);
}

/* It runs: say so first, then record it. Should corrald die in between,
 * adoption finds the monitor, and the pid in the runtime's state. */
static void running(corrald *d, ctr *c, ctr_done *done, pid_t pid)
{
	c->pid = pid;
	c->status = CS_RUNNING;
	c->has_run = true;
	c->started_mono = mono_usec();
	rfc3339_ns(0, c->started_at, sizeof(c->started_at));
	c->finished_at[0] = c->end_reason[0] = '\0';
	start_failed(c, NULL);
	ctr_done_tell(&done, c, NULL);
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
	CTR_FEATURES_EACH(d, start.running, d, c);
	if (c->stop_pending) {
		c->stop_pending = false;
		if (ctr_signal(d, c, c->spec.stop_signal, true, c->stop_pending_timeout, &err) < 0)
			log_cerr(LOG_LVL_DEBUG, &err, NULL); /* it has ended already */
		ctr_publish_stopping(d, c);
	}
	if (c->remove_pending)
		remove_pending_now(d, c);
	if (c->mon_fd < 0)
		ctr_ended(d, c);
}

/* It did not start: why, from the report (or its absence). */
static void not_started(corrald *d, ctr *c, ctr_done *done, const char *report)
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
	CTR_FEATURES_EACH(d, end.not_started, d, c);
	if (!undone)
		ctr_drop_stale_state(d, c);
	c->status = c->has_run ? CS_EXITED : CS_CREATED;
	start_failed(c, why);
	ctr_save(d, c);
	if (c->stop_pending) { /* nothing runs: the Stop is done */
		c->stop_pending = false;
		ctr_publish_stopped(d, c, 0);
		ctr_wake(c, 1u << WAIT_STOP);
	}
	if (done) {
		sv_fault fault = { 0 };
		sv_fault_internal(&fault, why);
		ctr_done_tell(&done, c, &fault);
	} else {
		log_error("start %s: %s", c->name, why);
	}
	if (c->remove_pending)
		remove_pending_now(d, c);
}

/* The monitor's report line, or why there is none. */
static void ctr_start_reported(ctr *c, const char *report)
{
	ctr_done *done = ctr_done_take(&c->spawn->done);
	if (!strncmp(report, MONITOR_OK, strlen(MONITOR_OK)))
		running(c->d, c, done, (pid_t)atoi(report + strlen(MONITOR_OK)));
	else
		not_started(c->d, c, done, report);
}

/* ---- its end, and removal ---- */

int ctr_remove_now(corrald *d, ctr *c, cerr *err)
{
	char dir[PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	ctr_spawn_abandon(c);
	CTR_FEATURES_EACH(d, end.removed, d, c); /* before the directory goes */
	int r = trash_dir(d, dir, err); /* the id is free once it returns */
	if (r < 0)
		return r;
	ctr_restart_call_off(c, "it was removed");
	for (ctr **p = &d->ctrs; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	c->status = CS_REMOVING;
	ctr_wake(c, 1u << WAIT_LOG_END); /* a followed log ends first */
	ctr_wake(c, WAIT_ALL);
	ctr_publish(d, c, "remove", NULL);
	ctr_free(c);
	ctr_update_gauges(d);
	return 0;
}

static uint64_t ran_usec(const ctr *c)
{
	if (c->started_mono)
		return mono_usec() - c->started_mono;
	long long a, b;
	if (crilog_parse_time(c->started_at, strlen(c->started_at), &a) < 0 ||
	    crilog_parse_time(c->finished_at, strlen(c->finished_at), &b) < 0 || b < a)
		return 0;
	return (uint64_t)(b - a) / 1000;
}

static void on_restart_timer(el_source *s, void *data)
{
	ctr *c = data;
	corrald *d = c->d;
	c->restart_timer = NULL;
	cerr err = { 0 };
	char n[16];
	snprintf(n, sizeof(n), "%u", c->restart_count);
	ctr_publish(d, c, "restart", (const char *const[]){ "restartCount", n, NULL });
	metrics_add_restarts(d->metrics, 1);
	if (ctr_start(d, c, NULL, &err) < 0)
		ctr_start_not_made(d, c, NULL, &err);
}

/* The container has ended: account for it, then restart it or not. */
void ctr_ended(corrald *d, ctr *c)
{
	char dir[PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	CTR_FEATURES_EACH(d, end.ended, d, c);
	exitrec e;
	_cleanup_cerr_ cerr err = { 0 };
	if (exitrec_read(dir, &e, &err) < 0) {
		log_warn("container %s: no exit record (%s); counting it as failed", c->name, cerr_msg(&err));
		/* its monitor killed (or crashed) while it ran: what still runs
		 * in it is killed and its runtime state deleted, as the monitor
		 * would have, so that nothing runs of a container said to have
		 * ended (its processes, its cgroup) */
		ctr_drop_stale_state(d, c);
		e = (exitrec){ .code = 255 };
		rfc3339_ns(0, e.finished_at, sizeof(e.finished_at));
	}
	bool removing = c->status == CS_REMOVING;
	c->status = CS_EXITED;
	c->has_run = true; /* also when corrald went before recording its start */
	c->has_exit = true;
	c->exit_code = e.code;
	c->signal = e.signal;
	c->oom_killed = e.oom_killed;
	c->stop_killed = e.stop_killed;
	if (e.started_at[0])
		snprintf(c->started_at, sizeof(c->started_at), "%s", e.started_at);
	snprintf(c->finished_at, sizeof(c->finished_at), "%s", e.finished_at);
	c->pid = 0;
	char code[16];
	snprintf(code, sizeof(code), "%d", e.code);
	/* one that ended while no corrald ran: when it ended, as its monitor
	 * recorded it, not when this corrald adopts it */
	long long at = 0;
	if (!c->ended_unseen || rfc3339_parse(e.finished_at, strlen(e.finished_at), &at) < 0)
		at = 0;
	c->ended_unseen = false;
	/* the monitor's SIGKILL once a stop's timeout ran out: dockerd's kill 9
	 * between the stop signal's kill and the die */
	if (e.stop_killed)
		ctr_publish_kill(d, c, SIGKILL, at);
	if (e.oom_killed) {
		ctr_publish_at(d, c, "oom", NULL, at);
		metrics_add_oom_kills(d->metrics, 1);
	}
	ctr_publish_at(d, c, "die", (const char *const[]){ "exitCode", code, "oomKilled", e.oom_killed ? "true" : "false", NULL },
		       at);
	ctr_publish_stopped(d, c, at);
	ctr_wake(c, 1u << WAIT_LOG_END); /* a followed log ends first */
	ctr_wake(c, 1u << WAIT_STOPPED | 1u << WAIT_STOP);
	if (c->checkpoint_ending) {
		c->checkpointing = c->dumping = false;
		ctr_checkpoint_ended(d, c);
	}
	ctr_checkpoint_orphan_ended(d, c);
	if (!removing && (c->checkpointing || c->checkpointed)) {
		ctr_save(d, c); /* ended by its checkpoint: down until a Restore */
		return;
	}
	/* autoRemove: gone once it has stopped and its waiters have their
	 * answer, unless a Restart is bringing it back */
	if (removing || (c->spec.auto_remove && !c->restart_wanted)) {
		if (ctr_remove_now(d, c, &err) < 0) {
			remove_failed(c, &err);
			ctr_save(d, c);
		}
		return;
	}
	if (c->restart_wanted) {
		ctr_save(d, c);
		return ctr_restart_resume(d, c);
	}
	uint64_t ran = ran_usec(c);
	c->started_mono = 0;
	if (ran >= RESTART_RESET_AFTER_USEC)
		restart_tally_init(&c->rs);
	if (restart_should(&c->spec.restart, &c->rs, e.code, c->stopped_by_user)) {
		uint64_t delay = restart_next_delay(&c->rs, ran);
		c->status = CS_RESTARTING;
		c->restart_count++;
		if (el_add_timer(d->loop, delay, false, on_restart_timer, c, &c->restart_timer, &err) < 0)
			c->status = CS_EXITED;
	}
	ctr_save(d, c);
}

int ctr_remove_forced(corrald *d, ctr *c, cerr *err)
{
	if (ctr_is_starting(c)) { /* killed and removed once its start reports */
		c->remove_pending = true;
		c->status = CS_REMOVING; /* as inspect shows it meanwhile */
		c->stopped_by_user = true;
		ctr_record_save(d, c, NULL);
		return 0;
	}
	ctr_restart_cancel_backoff(d, c);
	if (!ctr_alive(c) && c->status != CS_REMOVING)
		return ctr_remove_now(d, c, err);
	if (c->status == CS_REMOVING)
		return 0; /* its removal follows its exit already */
	/* ESRCH: ending anyway, and the removal follows the exit. Not
	 * delivered, its monitor took no call: force means force, and the
	 * monitor is killed, as a hung shim is, its end the container's */
	if (ctr_signal(d, c, SIGKILL, false, 0, err) < 0 && !cerr_forgive(err, ESRCH)) {
		log_cerr(LOG_LVL_WARN, err, NULL);
		if (ctr_monitor_kill(c, err) < 0 && !cerr_forgive(err, ESRCH))
			return -err->code;
	}
	ctr_thaw_signalled(d, c);
	c->status = CS_REMOVING;
	c->stopped_by_user = true;
	ctr_record_save(d, c, NULL);
	return 0;
}

/* ---- restart ---- */

/* A restart waiting on its backoff is simply called off. */
bool ctr_restart_cancel_backoff(corrald *d, ctr *c)
{
	if (c->status != CS_RESTARTING)
		return false;
	el_remove(c->restart_timer);
	c->restart_timer = NULL;
	c->status = CS_EXITED;
	c->stopped_by_user = true;
	ctr_record_save(d, c, NULL);
	ctr_update_gauges(d);
	return true;
}

int ctr_restart_begin(corrald *d, ctr *c, unsigned timeout, cerr *err)
{
	/* in memory only: its end is no end for the restart policy; on disk it
	 * stays as it was, so that should corrald die before the start, the
	 * policy (and adoption) still bring it back */
	c->stopped_by_user = true;
	if (ctr_signal(d, c, c->spec.stop_signal, true, timeout, err) < 0 &&
	    !cerr_forgive(err, ESRCH)) /* it is ending anyway */
		return -err->code;
	if (ctr_thaw(d, c, err) < 0)
		log_cerr(LOG_LVL_WARN, err, "container %s: thaw for a restart", c->name);
	ctr_publish_stopping(d, c);
	c->restart_wanted = true;
	return 0;
}

/* The Restart's completion, if a client waits: the restart is no longer wanted. */
static ctr_done *restart_taken(ctr *c)
{
	c->restart_wanted = false;
	return ctr_done_take(&c->restart_done);
}

void ctr_restart_resume(corrald *d, ctr *c)
{
	ctr_done *done = restart_taken(c);
	cerr err = { 0 };
	if (ctr_start_by_user(d, c, done, &err) < 0) {
		if (done)
			ctr_done_tell_err(&done, c, &err);
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
	ctr_done *done = restart_taken(c);
	ctr_done_tell(&done, c, ctr_fault_bad_state(c, why, &(sv_fault){ 0 }));
}

void ctr_restart_drop(ctr *c)
{
	ctr_done *done = restart_taken(c);
	ctr_done_forget(&done);
}

/* ---- a checkpoint's end, and a restore's ---- */

void ctr_checkpoint_dumped(corrald *d, ctr *c, bool leave_running)
{
	c->checkpointed = !leave_running || c->checkpointed;
	if (!leave_running)
		c->stopped_by_user = true; /* down on purpose: no restart at corrald's start */
	ctr_save(d, c);
	ctr_publish(d, c, "checkpoint", (const char *const[]){ "leaveRunning", leave_running ? "true" : "false", NULL });
}

void ctr_checkpoint_ended(struct corrald *d, ctr *c)
{
	if (!c->checkpoint_ending)
		return;
	c->checkpoint_ending = false;
	ctr_checkpoint_dumped(d, c, false);
	ctr_done_tell(&c->checkpoint_done, c, NULL);
}

void ctr_checkpoint_orphan_ended(struct corrald *d, ctr *c)
{
	if (!c->checkpointing || c->dumping)
		return;
	c->checkpointing = false;
	if (ctr_has_checkpoint(d, c)) /* criu writes inventory.img once the dump is whole */
		ctr_checkpoint_dumped(d, c, false);
}

void ctr_checkpoint_drop(ctr *c)
{
	ctr_done_forget(&c->checkpoint_done);
}

void ctr_restore_reported(corrald *d, ctr *c, bool ok)
{
	c->restoring = false;
	if (!ok)
		return; /* the checkpoint stays, to be restored again */
	c->checkpointed = false;
	_cleanup_cerr_ cerr err = { 0 };
	if (ctr_checkpoint_clear(d, c, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "container %s: its checkpoint", c->name);
}
