/* A check is an Exec (mode "reply") whose client is us: one end of a
 * socketpair goes to the container's monitor, which runs the command with
 * the container's whole confinement and answers on it; the other end is
 * read from the event loop, so corrald never waits. At the timeout the
 * socket is closed: the monitor sees its client gone and kills the
 * command (and all it started, through its cgroup). */
#include "supervisor/daemon/health/checker.h"
#include "supervisor/daemon/health/health_checker.h"
#include "supervisor/daemon/spec/healthcheck.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/record/ctr_publish.h"
#include "supervisor/daemon/containers/record/ctr_record.h"
#include "supervisor/daemon/containers/engine/ctr_monitor.h"
#include "supervisor/daemon/containers/engine/ctr_lifecycle.h"
#include "supervisor/daemon/containers/engine/ctr_spawn.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/api/monitor_iface.h"
#include "supervisor/varlink/wire.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/log.h"
#include "common/timefmt.h"
#include "common/monotonic.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHECK_OUTPUT_MAX 16384 /* kept of each stream by the monitor; the log keeps the last 4 KiB of it */
#define REPLY_MAX (2 * 6 * CHECK_OUTPUT_MAX + 4096) /* both, escaped at worst (\u00XX), and the rest */

const char *const health_status_str[HEALTH_COUNT] = { "none", "starting", "healthy", "unhealthy" };

static uint64_t checks_run, checks_failed;

enum health_status health_status_of(const ctr *c)
{
	return c->health && ctr_alive(c) ? c->health->status : HEALTH_NONE;
}

unsigned health_version(const ctr *c) { return c->health ? c->health->version : 0; }

static void run_end(health_checker *h)
{
	el_remove(h->io);
	el_remove(h->deadline);
	h->io = h->deadline = NULL;
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
	vl_framer_release(&h->fr);
	free(h->run.output);
	h->run.output = NULL;
}

/* What an unhealthy container gets (healthcheck.onFailure): kill, SIGKILL
 * as Kill sends it; restart, as Restart does (its stop signal, then SIGKILL
 * after its stop timeout, then a start). */
static void on_failure(struct corrald *d, ctr *c, enum health_on_failure what)
{
	_cleanup_cerr_ cerr err = { 0 };
	if (what == HEALTH_ON_FAILURE_NONE || !ctr_alive(c) || ctr_is_starting(c) || c->restart_wanted)
		return;
	log_info("container %s is unhealthy: %s", c->name, what == HEALTH_ON_FAILURE_KILL ? "killing it" : "restarting it");
	if (what == HEALTH_ON_FAILURE_KILL) {
		if (ctr_signal(d, c, SIGKILL, false, 0, &err) < 0 && err.code != ESRCH)
			log_cerr(LOG_LVL_WARN, &err, "container %s: kill (unhealthy)", c->name);
		else
			ctr_publish_kill(d, c, SIGKILL, 0);
	} else if (ctr_restart_begin(d, c, c->spec.stop_timeout, &err) < 0) {
		log_cerr(LOG_LVL_WARN, &err, "container %s: restart (unhealthy)", c->name);
	} else { /* a restart of corrald's, as the restart policy's are counted */
		health_stop(c); /* no check of the run that is ending: it stays unhealthy */
		c->restart_count++;
		metrics_add_restarts(d->metrics, 1);
		ctr_save(d, c);
	}
}

static void set_status(health_checker *h, enum health_status st)
{
	if (h->status == st)
		return;
	h->status = st;
	ctr_publish(h->d, h->c, "health_status", (const char *const[]){ "health_status", health_status_str[st], NULL });
	if (st == HEALTH_UNHEALTHY)
		on_failure(h->d, h->c, h->c->spec.healthcheck->on_failure);
}

char *health_tail_of(const char *out, size_t len)
{
	size_t from = len > HEALTH_OUTPUT_MAX ? len - HEALTH_OUTPUT_MAX : 0;
	while (from < len && from > 0 && ((unsigned char)out[from] & 0xC0) == 0x80)
		from++;
	return strndup(out + from, len - from);
}

/* A result, kept (the oldest goes), and what it makes of the status. */
static void record(health_checker *h, int exit_code, const char *out, size_t len)
{
	health_result r = h->run;
	h->run.output = NULL;
	r.exit_code = exit_code;
	r.output = health_tail_of(out ? out : "", out ? len : 0);
	rfc3339_ns(0, r.end, sizeof(r.end));
	run_end(h);
	if (h->n_log == HEALTH_LOG_MAX) {
		free(h->log[0].output);
		memmove(h->log, h->log + 1, sizeof(h->log[0]) * (HEALTH_LOG_MAX - 1));
		h->n_log--;
	}
	h->log[h->n_log++] = r;
	h->version++;
	checks_run++;
	const health_check *hc = h->c->spec.healthcheck;
	checks_failed += exit_code != 0;
	if (exit_code == 0)
		h->streak = 0;
	/* failures in the start period do not count, until a first success */
	else if (h->status != HEALTH_STARTING || mono_usec() - h->since >= hc->start_period_us)
		h->streak++;
	corrald *d = h->d;
	ctr *c = h->c;
	if (exit_code == 0)
		set_status(h, HEALTH_HEALTHY);
	else if (h->streak >= hc->retries)
		set_status(h, HEALTH_UNHEALTHY);
	/* the record keeps the status, streak and log for a corrald to come */
	ctr_save(d, c);
}

/* The monitor's Exec reply: {"exitCode", "stdout", "stderr", "timedOut"}. */
static void take_reply(health_checker *h, const char *msg, size_t len)
{
	vl_reply rep;
	_cleanup_cerr_ cerr err = { 0 };
	if (vl_reply_parse(msg, len, &rep, &err) < 0) {
		record(h, -1, cerr_msg(&err), strlen(cerr_msg(&err)));
		return;
	}
	if (rep.error) {
		char why[256];
		snprintf(why, sizeof(why), "the check did not run: %.200s", rep.error);
		record(h, -1, why, strlen(why));
		return vl_reply_release(&rep);
	}
	yajl_val code = json_key(rep.params, "exitCode");
	yajl_val o = json_key(rep.params, "stdout"), e = json_key(rep.params, "stderr");
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	sb_adds(&sb, YAJL_IS_STRING(o) ? o->u.string : "");
	sb_adds(&sb, YAJL_IS_STRING(e) ? e->u.string : "");
	record(h, YAJL_IS_INTEGER(code) ? (int)YAJL_GET_INTEGER(code) : -1, sb.buf, sb.len);
	vl_reply_release(&rep);
}

static const char too_long[] = "the check's reply is too long";

static void on_reply(el_source *s, int fd, uint32_t events, void *data)
{
	health_checker *h = data;
	char *p, *msg;
	size_t room, len;
	if (vl_framer_reserve(&h->fr, 65536, &p, &room) < 0)
		return record(h, -1, too_long, sizeof(too_long) - 1);
	ssize_t n = read(fd, p, room);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		static const char gone[] = "the container's monitor hung up before the check ended";
		return record(h, -1, gone, sizeof(gone) - 1);
	}
	vl_framer_commit(&h->fr, (size_t)n);
	int r = vl_framer_next(&h->fr, &msg, &len);
	if (r < 0)
		return record(h, -1, too_long, sizeof(too_long) - 1);
	if (r > 0)
		take_reply(h, msg, len);
}

static void on_deadline(el_source *s, void *data)
{
	health_checker *h = data;
	h->deadline = NULL;
	char why[96];
	snprintf(why, sizeof(why), "the check was cut at its timeout of %.3fs",
		 (double)h->c->spec.healthcheck->timeout_us / 1e6);
	record(h, -1, why, strlen(why)); /* closing our end kills the command */
}

static char *exec_params(const health_check *hc)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	jg_key_strv(g, "command", hc->command);
	/* the monitor's own cut, should ours not come: whole seconds, later */
	jg_key_int(g, "timeout", (long long)(hc->timeout_us / 1000000 + 2));
	jg_key_str(g, "mode", "reply");
	jg_key_int(g, "outputMax", CHECK_OUTPUT_MAX);
	yajl_gen_map_close(g);
	return jg_finish(g, NULL);
}

/* Start one check; a failure to start it is a failed check. */
static void run_check(health_checker *h, cerr *err)
{
	const health_check *hc = h->c->spec.healthcheck;
	_cleanup_free_ char *params = exec_params(hc);
	_cleanup_vl_client_ vl_client *mon = NULL;
	int sp[2] = { -1, -1 };
	rfc3339_ns(0, h->run.start, sizeof(h->run.start));
	if (!params)
		cerr_set(err, ENOMEM, "out of memory");
	else if (ctr_monitor_open(h->d, h->c, &mon, err) == 0) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sp) < 0)
			cerr_sys(err, errno, "socketpair");
		else if (vl_client_send_fd(mon, MONITOR_IFACE ".Exec", params, VL_CALL_ONEWAY, sp[1], err) == 0) {
			close(sp[1]);
			h->fd = sp[0];
			vl_framer_init(&h->fr, REPLY_MAX);
			if (el_add_io(h->d->loop, h->fd, EPOLLIN, on_reply, h, &h->io, err) == 0 &&
			    el_add_timer(h->d->loop, hc->timeout_us, false, on_deadline, h, &h->deadline, err) == 0)
				return;
			sp[0] = sp[1] = -1;
		}
	}
	if (sp[1] >= 0)
		close(sp[1]);
	if (sp[0] >= 0 && sp[0] != h->fd)
		close(sp[0]);
	char why[256];
	snprintf(why, sizeof(why), "the check did not start: %.200s", cerr_msg(err));
	record(h, -1, why, strlen(why));
}

static void on_tick(el_source *s, void *data)
{
	health_checker *h = data;
	/* one at a time; none while paused, or while a restart stops it (its
	 * result would speak of the run that is ending) */
	if (h->fd >= 0 || h->c->status != CS_RUNNING || h->c->restart_wanted)
		return;
	_cleanup_cerr_ cerr err = { 0 };
	run_check(h, &err);
}

void health_start(corrald *d, ctr *c)
{
	if (!c->spec.healthcheck)
		return;
	bool resume = c->health && c->health->restored; /* adopted: its record's status holds */
	health_stop(c);
	health_checker *h = c->health;
	if (!h) {
		if (!(h = c->health = calloc(1, sizeof(*h))))
			return log_error("container %s: health checks: out of memory", c->name);
		h->fd = -1;
	}
	h->d = d;
	h->c = c;
	h->since = mono_usec();
	if (!resume) {
		h->streak = 0;
		h->status = HEALTH_STARTING;
	}
	h->version++;
	cerr err = { 0 };
	uint64_t every = c->spec.healthcheck->interval_us;
	/* each check is an exec by its monitor, which no rate limit of the
	 * control socket counts: a member's run at most once a second, as an
	 * image's do for everyone (raised when read from the image) */
	if (c->owner != 0 && every < HEALTH_IMAGE_MIN_INTERVAL_USEC)
		every = HEALTH_IMAGE_MIN_INTERVAL_USEC;
	if (el_add_timer(d->loop, every, true, on_tick, h, &h->tick, &err) < 0)
		log_cerr(LOG_LVL_ERROR, &err, "container %s: health checks", c->name);
	if (!resume)
		ctr_publish(d, c, "health_status", (const char *const[]){ "health_status", "starting", NULL });
}

void health_stop(ctr *c)
{
	health_checker *h = c->health;
	if (!h)
		return;
	el_remove(h->tick);
	h->tick = NULL;
	run_end(h);
	h->run.start[0] = '\0';
	h->restored = false;
	h->version++;
}

void health_free(ctr *c)
{
	health_checker *h = c->health;
	if (!h)
		return;
	health_stop(c);
	for (size_t i = 0; i < h->n_log; i++)
		free(h->log[i].output);
	free(h);
	c->health = NULL;
}

int health_gen(yajl_gen g, const ctr *c)
{
	const health_checker *h = c->health;
	yajl_gen_map_open(g);
	jg_key_str(g, "status", health_status_str[health_status_of(c)]);
	jg_key_int(g, "failingStreak", h ? h->streak : 0);
	jg_key(g, "log");
	yajl_gen_array_open(g);
	for (size_t i = 0; h && i < h->n_log; i++) {
		const health_result *r = &h->log[i];
		jg_object(g, JG_INT("exitCode", r->exit_code), JG_STR("output", r->output ? r->output : ""),
			     JG_STR("start", r->start), JG_STR("end", r->end), JG_END);
	}
	yajl_gen_array_close(g);
	return yajl_gen_map_close(g);
}

int health_metrics_render(corrald *d, strbuf *out)
{
	int r = metrics_head(out, "corral_container_health", "gauge",
			     "1 for the health status a container with a health check is in");
	for (ctr *c = d->ctrs; r == 0 && c; c = c->next)
		for (int st = HEALTH_STARTING; r == 0 && c->spec.healthcheck && st < HEALTH_COUNT; st++)
			r = sb_addf(out, "corral_container_health{id=\"%s\",name=\"", c->id) || metrics_label(out, c->name) ||
			    sb_addf(out, "\",status=\"%s\"} %d\n", health_status_str[st], (int)health_status_of(c) == st);
	if (r == 0)
		r = metrics_head(out, "corral_health_checks_total", "counter", "Health checks run, by result");
	if (r == 0)
		r = sb_addf(out, "corral_health_checks_total{result=\"ok\"} %llu\n"
				 "corral_health_checks_total{result=\"failed\"} %llu\n",
			    (unsigned long long)(checks_run - checks_failed), (unsigned long long)checks_failed);
	return r ? -ENOMEM : 0;
}
