/* corrald starting again: load every record, re-adopt the containers whose
 * monitors live, account for those that ended meanwhile, and start those
 * their policies say to. */
#include "supervisor/daemon/containers/engine/ctr_adopt.h"
#include "supervisor/daemon/containers/record/ctr_publish.h"
#include "supervisor/daemon/containers/record/ctr_record.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/daemon/containers/engine/ctr_lifecycle.h"
#include "supervisor/daemon/containers/engine/ctr_monitor.h"
#include "supervisor/daemon/containers/engine/ctr_freeze.h"
#include "supervisor/daemon/containers/engine/ctr_spawn.h"
#include "supervisor/daemon/containers/engine/ctr_upgrade.h"
#include "supervisor/daemon/containers/engine/ctr_said.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/containers/record/ctr_service.h"
#include "supervisor/daemon/containers/record/trash.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "runtime/state.h"
#include "supervisor/logs/exitrec.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmp_created(const void *a, const void *b)
{
	const ctr *x = *(ctr *const *)a, *y = *(ctr *const *)b;
	return strcmp(y->created, x->created);
}

/* Start is answered before the record says running: a corrald that died
 * in between learns the pid and start time from the runtime's state. */
static void adopt_started(corrald *d, ctr *c)
{
	_cleanup_state_ struct rt_state *st = NULL;
	cerr err = { 0 };
	if (state_load(d->runtime_root, c->id, &st, &err) < 0) {
		log_cerr(LOG_LVL_WARN, &err, "container %s", c->name);
		return;
	}
	c->pid = st->pid;
	c->has_run = true;
	if (st->created)
		snprintf(c->started_at, sizeof(c->started_at), "%s", st->created);
	c->finished_at[0] = '\0';
}

/* A Start answered, and corrald gone before its record said so: the
 * record still says created, but the monitor's exit.json (which every start
 * deletes first) says it ran and ended. */
static bool ended_unrecorded(corrald *d, const ctr *c)
{
	char path[PATH_MAX];
	ctr_dir(d, c, path, sizeof(path));
	strncat(path, "/" EXITREC_FILE, sizeof(path) - strlen(path) - 1);
	return c->status == CS_CREATED && access(path, F_OK) == 0;
}

/* A container the host's boot ended: its monitor had no time to record
 * that. Recorded as killed (255, as Docker has it) when the boot began, so
 * that its restart policy decides as for any failure. */
static void ended_by_boot(corrald *d, ctr *c)
{
	char dir[PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	exitrec e;
	_cleanup_cerr_ cerr err = { 0 };
	if (exitrec_read(dir, &e, &err) == 0)
		return; /* it ended before the boot, and said so */
	e = (exitrec){ .code = 255 };
	snprintf(e.started_at, sizeof(e.started_at), "%s", c->started_at);
	rfc3339_ns(d->boot_ns, e.finished_at, sizeof(e.finished_at));
	if (exitrec_write(dir, &e, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "container %s", c->name);
	snprintf(c->end_reason, sizeof(c->end_reason), "host rebooted");
}

/* what the events file last said of c is action (false where it says nothing) */
static bool said_is(const ctr_said *said, const ctr *c, const char *action)
{
	const char *was = ctr_said_of(said, c->id);
	return was && streq(was, action);
}

/* it says c ran, or says nothing of c: nothing to make up */
static bool said_ran(const ctr_said *said, const ctr *c)
{
	return !ctr_said_of(said, c->id) || said_is(said, c, "start") || said_is(said, c, "restore");
}

/* A directory with no record, or one still filling: a Create that corrald
 * did not live to answer (the record, then the fill, are its last steps),
 * whose overlay may be mounted. No client has its id: it goes, as a
 * removal's would. Any other record not read stays for a person to see. */
static bool half_made(const char *path)
{
	char record[PATH_MAX], filling[PATH_MAX];
	snprintf(record, sizeof(record), "%s/" CTR_RECORD_FILE, path);
	snprintf(filling, sizeof(filling), "%s/" CTR_FILLING_FILE, path);
	return access(filling, F_OK) == 0 || (access(record, F_OK) < 0 && errno == ENOENT);
}

static void half_made_or_skipped(corrald *d, const char *path, cerr *e)
{
	if (!half_made(path)) {
		log_cerr(LOG_LVL_WARN, e, "skipping %s", path);
		return;
	}
	cerr_clear(e);
	log_info("containers: %s was half made when a corrald went: removed", strrchr(path, '/') + 1);
	if (trash_dir(d, path, e) < 0)
		log_cerr(LOG_LVL_WARN, e, "remove %s", path);
}

int ctr_adopt_all(corrald *d, cerr *err)
{
	_cleanup_closedir_ DIR *dir = opendir(d->containers_dir);
	if (!dir)
		return errno == ENOENT ? 0 : cerr_sys(err, errno, "%s", d->containers_dir);
	ctr **all = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", d->containers_dir, de->d_name);
		ctr *c = NULL;
		cerr e = { 0 };
		if (half_made(path) || ctr_record_load(d, path, &c, &e) < 0) {
			half_made_or_skipped(d, path, &e);
			continue;
		}
		ctr **na = realloc(all, (n + 1) * sizeof(*all));
		if (!na) {
			ctr_free(c);
			break;
		}
		all = na;
		all[n++] = c;
	}
	if (n)
		qsort(all, n, sizeof(*all), cmp_created);
	for (size_t i = n; i-- > 0;) { /* oldest pushed first: the list is newest first */
		all[i]->next = d->ctrs;
		d->ctrs = all[i];
	}
	free(all);
	_cleanup_(ctr_said_freep) ctr_said *said = ctr_said_load(d);
	ctr_said_gone(d, said);
	size_t adopted = 0, ended_n = 0, started = 0;
	for (ctr *c = d->ctrs, *next; c; c = next) {
		next = c->next;
		ctr_upgrade(d, c);
		cerr e = { 0 };
		if (ctr_monitor_watch(d, c, &e) == 0) { /* its monitor is alive: it runs */
			if (!ctr_alive(c) || c->pid <= 0)
				adopt_started(d, c);
			if (!said_ran(said, c)) /* its start, answered, and corrald gone before it said so */
				ctr_publish(d, c, c->restoring ? "restore" : "start", NULL);
			/* the cgroup, not the record, says whether it is paused */
			c->status = ctr_is_frozen(d, c) ? CS_PAUSED : CS_RUNNING;
			/* its monitor listens once the container (and its binds)
			 * exist: a corrald gone mid-start left the host's view */
			adopted++;
			ctr_save(d, c);
			CTR_FEATURES_EACH(d, start.running, d, c);
			continue;
		}
		cerr_clear(&e);
		ctr_drop_stale_state(d, c);
		bool was_running = ctr_alive(c) || c->status == CS_REMOVING || ended_unrecorded(d, c);
		if (was_running) {
			if (!said_ran(said, c) && !said_is(said, c, "die")) /* as above, then it ended: its die follows */
				ctr_publish(d, c, "start", NULL);
			ended_n++;
			c->ended_unseen = true;
			if (d->rebooted)
				ended_by_boot(d, c);
			char id[CTR_ID_LEN + 1];
			memcpy(id, c->id, sizeof(id));
			ctr_ended(d, c); /* which frees one run with --rm */
			c = ctr_by_id(d, id);
			started += c && c->status == CS_RESTARTING; /* its policy brings it back */
			continue;
		}
		if (c->status == CS_EXITED && ctr_said_of(said, c->id) && said_ran(said, c)) {
			/* its end recorded, its die not kept (a full disk) */
			char code[16];
			snprintf(code, sizeof(code), "%d", c->exit_code);
			ctr_publish(d, c, "die", (const char *const[]){ "exitCode", code, NULL });
		}
		if (c->spec.auto_remove && c->has_run && c->status == CS_EXITED) {
			/* it ended, but corrald went before it removed it */
			if (ctr_remove_now(d, c, &e) < 0)
				log_cerr(LOG_LVL_ERROR, &e, "remove %s", c->name);
		} else if (c->status == CS_RESTARTING ||
			   (c->has_run && c->status == CS_EXITED && restart_on_daemon_start(&c->spec.restart, c->stopped_by_user))) {
			started++;
			c->status = CS_RESTARTING; /* until its monitor reports */
			if (ctr_start(d, c, NULL, &e) < 0)
				ctr_start_not_made(d, c, NULL, &e);
		}
	}
	ctr_update_gauges(d);
	log_info("containers: %zu known, %zu re-adopted, %zu ended while corrald was down, %zu started by policy",
		 ctr_count(d, -1), adopted, ended_n, started);
	return 0;
}
