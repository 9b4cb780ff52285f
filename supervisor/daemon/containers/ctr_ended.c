/* A container has ended: account for it from its exit record, then apply
 * its restart policy, or finish its removal. Removal itself is here too. */
#include "supervisor/daemon/containers/ctr_ended.h"
#include "supervisor/daemon/containers/ctr_restart.h"
#include "supervisor/daemon/containers/ctr_checkpoint.h"
#include "supervisor/daemon/containers/ctr_spawn.h"
#include "supervisor/daemon/containers/ctr_start.h"
#include "supervisor/daemon/containers/ctr_waiters.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/containers/ctr_service.h"
#include "supervisor/daemon/containers/trash.h"
#include "supervisor/logs/crilog.h"
#include "supervisor/logs/exitrec.h"
#include "common/timefmt.h"
#include "common/log.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

int ctr_remove_now(corrald *d, ctr *c, cerr *err)
{
	char dir[PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	ctr_spawn_abandon(c);
	CTR_FEATURES_EACH(d, removed, d, c); /* before the directory goes */
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
	ctr_end_follows(c);
	ctr_wake(c, WAIT_ALL);
	ctr_publish(d, c, "remove", NULL);
	ctr_free(c);
	ctr_update_gauges(d);
	return 0;
}

static uint64_t ran_usec(const ctr *c)
{
	if (c->started_mono)
		return el_now_usec() - c->started_mono;
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
	if (ctr_start(d, c, NULL, &err) < 0) {
		log_cerr(LOG_LVL_ERROR, &err, "restart %s", c->name);
		c->status = CS_EXITED;
		ctr_save(d, c);
	}
}

/* The container has ended: account for it, then restart it or not. */
void ctr_ended(corrald *d, ctr *c)
{
	char dir[PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	CTR_FEATURES_EACH(d, ended, d, c);
	exitrec e;
	_cleanup_cerr_ cerr err = { 0 };
	if (exitrec_read(dir, &e, &err) < 0) {
		log_warn("container %s: no exit record (%s); counting it as failed", c->name, cerr_msg(&err));
		cerr_clear(&err);
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
	if (e.oom_killed) {
		ctr_publish_at(d, c, "oom", NULL, at);
		metrics_add_oom_kills(d->metrics, 1);
	}
	ctr_publish_at(d, c, "die", (const char *const[]){ "exitCode", code, "oomKilled", e.oom_killed ? "true" : "false", NULL },
		       at);
	ctr_end_follows(c);
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
			log_cerr(LOG_LVL_ERROR, &err, NULL);
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
		restart_state_init(&c->rs);
	if (restart_should(&c->spec.restart, &c->rs, e.code, c->stopped_by_user)) {
		uint64_t delay = restart_next_delay(&c->rs, ran);
		c->status = CS_RESTARTING;
		c->restart_count++;
		if (el_add_timer(d->loop, delay, false, on_restart_timer, c, &c->restart_timer, &err) < 0)
			c->status = CS_EXITED;
	}
	ctr_save(d, c);
}
