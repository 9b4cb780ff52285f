/* A job's attempts, from the queue to the result: CreateContainer, Start,
 * Wait (with the timeout's Stop), the output's tail from the log, Remove;
 * then done, or a retry after its backoff. Every step is a local call
 * whose answer comes from the loop, so a job never runs inside another
 * handler's work.
 *
 * A pair with job_adopt.c: jobs_init resumes the jobs that were
 * running (job_resume), which go on through the steps here. */
#include "supervisor/daemon/jobs/job_run.h"
#include "supervisor/varlink/local_call.h"
#include "supervisor/daemon/jobs/job_store.h"
#include "supervisor/daemon/jobs/job_adopt.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/daemon/containers/record/log_lines.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/logs/crilog.h"
#include "supervisor/api/interface.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "common/monotonic.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define METHOD(m) CORRAL_SUPERVISOR_INTERFACE "." m

static void remove_container(job *j);

static void save(job *j)
{
	cerr err = { 0 };
	if (job_save(j->t, j, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "job %s", j->id);
}

static void set_error(job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(job *j, const char *fmt, ...)
{
	free(j->error);
	j->error = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&j->error, fmt, ap) < 0)
		j->error = NULL;
	va_end(ap);
}

static void set_call_error(job *j, const char *method, const char *error, yajl_val params)
{
	_cleanup_free_ char *text = vl_local_error_text(method, error, params);
	set_error(j, "%s", text ? text : "out of memory");
}

/* A local call of method as the job's peer, params an open map (taken). */
static int call(job *j, vl_local **slot, const char *method, yajl_gen params, vl_local_fn done)
{
	_cleanup_json_gen_ yajl_gen g = params;
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_free_ char *p = g && !yajl_gen_map_close(g) ? jg_finish(g, NULL) : NULL;
	if (!p || vl_local_call(j->t->d->srv, &j->peer, method, p, done, j, slot, &err) < 0) {
		set_error(j, "%s: %s", method, p ? cerr_msg(&err) : "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static yajl_gen params_id(const char *id)
{
	yajl_gen g = json_gen_new(false);
	if (g && (yajl_gen_map_open(g) || jg_key_str(g, "id", id))) {
		yajl_gen_free(g);
		return NULL;
	}
	return g;
}

static void wake_all(job *j)
{
	while (j->waiters) {
		job_waiter *w = j->waiters;
		j->waiters = w->next;
		w->done(w, j);
	}
}

static void finish(job *j, enum job_state st)
{
	corrald *d = j->t->d;
	el_remove(j->timer);
	j->timer = NULL;
	vl_local_abandon(j->stopping); /* its container has ended already */
	j->stopping = NULL;
	j->state = st;
	j->phase = JP_NONE;
	rfc3339_ns(0, j->finished_at, sizeof(j->finished_at));
	save(j);
	char code[16];
	snprintf(code, sizeof(code), "%d", j->exit_code);
	events_publish(d->events, EV_OWNER(j->peer.uid), "job", job_state_str[st], j->id, j->spec.name ? j->spec.name : "",
		       j->has_exit ? (const char *const[]){ "exitCode", code, NULL } : NULL, 0);
	wake_all(j);
	jobs_kick(j->t);
}

/* ---- the steps of an attempt, in order ---- */

static void on_stopped(void *data, const char *error, yajl_val params)
{
	job *j = data;
	j->stopping = NULL;
	if (error) /* it may have ended meanwhile: the Wait tells */
		log_debug("job %s: Stop: %s", j->id, error);
}

static void send_stop(job *j)
{
	if (j->stopping || !j->container[0] || j->phase != JP_RUN)
		return;
	if (call(j, &j->stopping, METHOD("Stop"), params_id(j->container), on_stopped) < 0)
		log_warn("job %s: %s", j->id, j->error);
}

static void on_timeout(el_source *s, void *data)
{
	job *j = data;
	j->timer = NULL;
	j->timed_out = true;
	save(j);
	log_info("job %s: timed out after %u s; stopping it", j->id, j->spec.timeout);
	send_stop(j);
}

static void arm_timeout(job *j)
{
	if (!j->spec.timeout)
		return;
	uint64_t limit = (uint64_t)j->spec.timeout * 1000000, ran = mono_usec() - j->attempt_mono;
	cerr err = { 0 };
	if (el_add_timer(j->t->d->loop, ran < limit ? limit - ran : 1, false, on_timeout, j, &j->timer, &err) < 0) {
		log_cerr(LOG_LVL_ERROR, &err, "job %s: its timeout", j->id);
		send_stop(j); /* better no job than one without its bound */
	}
}

/* The tail of the attempt's output, from its container's log. */
static void capture_output(job *j)
{
	corrald *d = j->t->d;
	ctr *c = ctr_find_for(d, j->container, &j->peer); /* its owner's alone */
	if (!c)
		return;
	char path[PATH_MAX];
	ctr_dir(d, c, path, sizeof(path));
	strncat(path, "/" CRILOG_FILE, sizeof(path) - strlen(path) - 1);
	crilog_read_opts o = { .tail = JOB_OUTPUT_LINES, .keep = d->cfg->log_max_files };
	_cleanup_free_ char *text = NULL;
	_cleanup_json_ yajl_val v = NULL;
	cerr err = { 0 };
	if (logs_read_all(path, &o, &text, &err) < 0 || json_parse(text, "log", &v, &err) < 0) {
		log_cerr(LOG_LVL_WARN, &err, "job %s: its output", j->id);
		return;
	}
	char *tail = job_output_tail(json_get(v, "lines"));
	if (tail) {
		free(j->output);
		j->output = tail;
	}
}

static void on_waited(void *data, const char *error, yajl_val params)
{
	job *j = data;
	j->pending = NULL;
	el_remove(j->timer);
	j->timer = NULL;
	long long code;
	if (error)
		set_call_error(j, "Wait", error, params);
	else if (json_int_in(json_get(params, "exitCode"), -1, 255, &code)) {
		j->has_exit = true;
		j->exit_code = (int)code;
	}
	j->run_ms += (mono_usec() - j->attempt_mono) / 1000;
	capture_output(j);
	remove_container(j);
}

void job_step_wait(job *j)
{
	j->phase = JP_RUN;
	save(j);
	arm_timeout(j);
	if (call(j, &j->pending, METHOD("Wait"), params_id(j->container), on_waited) < 0)
		return remove_container(j);
	if (j->cancel_wanted || j->timed_out)
		send_stop(j);
}

static void on_started(void *data, const char *error, yajl_val params)
{
	job *j = data;
	j->pending = NULL;
	if (error) {
		set_call_error(j, "Start", error, params);
		return remove_container(j);
	}
	job_step_wait(j);
}

void job_step_start(job *j)
{
	j->phase = JP_START;
	save(j);
	if (call(j, &j->pending, METHOD("Start"), params_id(j->container), on_started) < 0)
		remove_container(j);
}

static void on_created(void *data, const char *error, yajl_val params)
{
	job *j = data;
	j->pending = NULL;
	yajl_val id = json_get(params, "id");
	if (error || !YAJL_IS_STRING(id)) { /* refused: no retry makes it right */
		set_call_error(j, "CreateContainer", error ? error : "no id", params);
		return finish(j, JOB_FAILED);
	}
	snprintf(j->container, sizeof(j->container), "%s", id->u.string);
	if (j->cancel_wanted)
		return remove_container(j);
	job_step_start(j);
}

/* {"spec": {image, command, name, labels, stopTimeout}} as an open map. */
static yajl_gen create_params(const job *j)
{
	char name[64];
	snprintf(name, sizeof(name), "job-%s-%u", j->id, j->attempts);
	yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key(g, "spec") || yajl_gen_map_open(g) ||
	    jg_key_str(g, "image", j->spec.image) || jg_key_strv(g, "command", j->spec.command) ||
	    jg_key_str(g, "name", name) || jg_key(g, "labels") || yajl_gen_map_open(g) ||
	    jg_key_str(g, "io.corral.job", j->id) || yajl_gen_map_close(g) ||
	    (j->spec.stop_timeout >= 0 && jg_key_int(g, "stopTimeout", j->spec.stop_timeout)) ||
	    yajl_gen_map_close(g)) {
		if (g)
			yajl_gen_free(g);
		return NULL;
	}
	return g;
}

void job_step_attempt(job *j)
{
	char now[64];
	rfc3339_ns(0, now, sizeof(now));
	j->state = JOB_RUNNING;
	j->phase = JP_CREATE;
	j->has_exit = j->timed_out = false;
	free(j->error);
	j->error = NULL;
	j->attempt_mono = mono_usec();
	if (job_attempt_begin(j, now) < 0) {
		set_error(j, "out of memory");
		return finish(j, JOB_FAILED);
	}
	save(j);
	if (call(j, &j->pending, METHOD("CreateContainer"), create_params(j), on_created) < 0)
		finish(j, JOB_FAILED);
}

static void on_removed(void *data, const char *error, yajl_val params)
{
	job *j = data;
	j->pending = NULL;
	if (error && !strstr(error, "NoSuchContainer"))
		log_warn("job %s: Remove %s: %s; its container stays", j->id, j->container, error);
	j->container[0] = '\0';
	job_step_decide(j);
}

static void remove_container(job *j)
{
	if (!j->container[0])
		return job_step_decide(j);
	j->phase = JP_REMOVE;
	save(j);
	yajl_gen g = params_id(j->container);
	if (g && jg_key_bool(g, "force", true)) {
		yajl_gen_free(g);
		g = NULL;
	}
	if (call(j, &j->pending, METHOD("Remove"), g, on_removed) < 0)
		job_step_decide(j);
}

static void on_backoff(el_source *s, void *data)
{
	job *j = data;
	j->timer = NULL;
	job_step_attempt(j);
}

void job_step_backoff(job *j)
{
	j->phase = JP_BACKOFF;
	save(j);
	_cleanup_cerr_ cerr err = { 0 };
	if (el_add_timer(j->t->d->loop, job_backoff_usec(j->attempts), false, on_backoff, j, &j->timer, &err) < 0) {
		set_error(j, "its retry: %s", cerr_msg(&err));
		finish(j, JOB_FAILED);
	}
}

/* The attempt is over and its container gone: done, or once more. */
void job_step_decide(job *j)
{
	if (j->has_exit && j->exit_code == 0 && !j->timed_out && !j->error)
		return finish(j, JOB_SUCCEEDED);
	if (j->cancel_wanted)
		return finish(j, JOB_CANCELLED);
	if (j->attempts <= j->spec.retries)
		return job_step_backoff(j);
	finish(j, JOB_FAILED);
}

void job_cancel(job *j)
{
	if (job_finished(j))
		return;
	if (j->state == JOB_QUEUED)
		return finish(j, JOB_CANCELLED);
	j->cancel_wanted = true;
	save(j);
	if (j->phase == JP_BACKOFF)
		return finish(j, JOB_CANCELLED);
	send_stop(j); /* in the other phases, the answer awaited sees cancel_wanted */
}

/* ---- the queue ---- */

static void forget(job_table *t, job *j)
{
	job_forget_file(t, j);
	job_table_unlink(t, j);
	job_free(j);
}

static void on_kick(el_source *s, void *data)
{
	job_table *t = data;
	job *old;
	while ((old = job_oldest_over(t, JOB_KEEP_FINISHED)))
		forget(t, old);
	size_t running = job_count(t, JOB_RUNNING);
	job *j;
	while (running < t->max_running && (j = job_next_queued(t))) {
		running++;
		job_step_attempt(j);
	}
}

void jobs_kick(job_table *t)
{
	el_timer_set(t->kick, 1, false);
}

int jobs_init(corrald *d, cerr *err)
{
	job_table *t = calloc(1, sizeof(*t));
	if (!t || asprintf(&t->dir, "%s/jobs", d->cfg->state_dir) < 0) {
		free(t);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	t->d = d;
	t->max_running = (unsigned)d->cfg->max_jobs;
	d->jobs = t;
	int r;
	if ((r = el_add_timer(d->loop, 0, false, on_kick, t, &t->kick, err)) < 0 || (r = jobs_load(t, err)) < 0)
		return r;
	size_t queued = job_count(t, JOB_QUEUED), running = 0;
	for (job *j = t->jobs; j; j = j->next)
		if (j->state == JOB_RUNNING) {
			running++;
			job_resume(j);
		}
	log_info("jobs: %zu known, %zu queued, %zu picked up again (at most %u run at once)", job_count(t, -1),
		 queued, running, t->max_running);
	jobs_kick(t);
	return 0;
}

void jobs_shutdown(corrald *d)
{
	job_table *t = d->jobs;
	if (!t)
		return;
	while (t->jobs) {
		job *j = t->jobs;
		t->jobs = j->next;
		vl_local_abandon(j->pending);
		vl_local_abandon(j->stopping);
		el_remove(j->timer);
		while (j->waiters) {
			job_waiter *w = j->waiters;
			j->waiters = w->next;
			w->done(w, NULL);
		}
		job_free(j);
	}
	el_remove(t->kick);
	free(t->dir);
	free(t);
	d->jobs = NULL;
}
