/* Driving containers through their monitors: spawn one (Start), hear of its
 * end (the monitor.sock connection closes), apply the restart policy, and
 * re-adopt them all when corrald starts again. */
#include "supervisor/daemon/ctr.h"
#include "supervisor/logs/crilog.h"
#include "supervisor/logs/exitrec.h"
#include "supervisor/daemon/img_source.h"
#include "supervisor/varlink/monitor_iface.h"
#include "supervisor/daemon/service.h"
#include "supervisor/daemon/trash.h"
#include "supervisor/varlink/client.h"
#include "common/timefmt.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/log.h"
#include "runtime/state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SPAWN_TIMEOUT_MS 60000
#define MONITOR_CALL_MS 5000

static void on_monitor_event(el_source *s, int fd, uint32_t events, void *data);

static void save(corrald *d, ctr *c)
{
	cerr err = { 0 };
	if (ctr_record_save(d, c, &err) < 0) {
		log_error("container %s: %s", c->id, cerr_msg(&err));
		cerr_clear(&err);
	}
	ctr_update_gauges(d);
}

static void publish(corrald *d, ctr *c, const char *action, const char *const *attrs)
{
	events_publish(d->events, "container", action, c->id, c->name, attrs, 0);
}

/* Connect to the monitor; -ECONNREFUSED/-ENOENT when it is gone. */
static int monitor_connect(corrald *d, ctr *c)
{
	char dir[PATH_MAX], path[64];
	ctr_dir(d, c, dir, sizeof(dir));
	_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	monitor_sock_path(dfd, path, sizeof(path));
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

static int watch(corrald *d, ctr *c, cerr *err)
{
	int fd = monitor_connect(d, c);
	if (fd < 0)
		return cerr_sys(err, -fd, "container %s: connect to its monitor", c->id);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	c->mon_fd = fd;
	return el_add_io(d->loop, fd, EPOLLIN, on_monitor_event, c, &c->mon_src, err);
}

/* What connecting to, or calling, a monitor that has exited gives. */
static bool monitor_gone(int e)
{
	return e == ENOENT || e == ECONNREFUSED || e == ECONNRESET || e == EPIPE;
}

/* Ask the monitor something; its varlink answers in well under a second. */
static int monitor_call(corrald *d, ctr *c, const char *method, const char *params, cerr *err)
{
	char dir[PATH_MAX], path[64];
	ctr_dir(d, c, dir, sizeof(dir));
	_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return cerr_sys(err, errno, "%s", dir);
	monitor_sock_path(dfd, path, sizeof(path));
	_cleanup_vl_client_ vl_client *cl = NULL;
	int r = vl_client_connect(path, &cl, err);
	vl_reply rep;
	if (r == 0) {
		vl_client_set_timeout(cl, MONITOR_CALL_MS);
		r = vl_client_call(cl, method, params, &rep, err);
	}
	if (r < 0 && err && monitor_gone(err->code)) {
		/* a monitor ends right after its container: the exit is on its
		 * way through the event stream */
		cerr_clear(err);
		return cerr_set(err, ESRCH, "container %s: its monitor has ended", c->id);
	}
	if (r < 0)
		return cerr_wrap(err, "container %s: monitor", c->id);
	if (rep.error) {
		r = cerr_set(err, streq(rep.error, MONITOR_IFACE ".NotRunning") ? ESRCH : EIO,
			     "container %s: monitor: %s", c->id, rep.error);
	}
	vl_reply_release(&rep);
	return r;
}

int ctr_signal(corrald *d, ctr *c, int sig, bool stop, unsigned timeout, cerr *err)
{
	char p[96];
	if (stop) {
		snprintf(p, sizeof(p), "{\"signal\":%d,\"timeout\":%u}", sig, timeout);
		return monitor_call(d, c, MONITOR_IFACE ".Stop", p, err);
	}
	snprintf(p, sizeof(p), "{\"signal\":%d,\"all\":%s}", sig, sig == SIGKILL ? "true" : "false");
	return monitor_call(d, c, MONITOR_IFACE ".Kill", p, err);
}

/* A container's monitor until it reports. It is spawned as CreateContainer
 * begins, on standby: its exec and dynamic linking overlap the rest of
 * Create, which says "prep" once the bundle is complete; the monitor loads
 * it while the client is still on its way to Start, which only has to say
 * "go". Start is answered, and the container counts as running, once it
 * reports "ok PID" (or "err MESSAGE"); the loop serves everyone else
 * meanwhile, as hooks may take their time. A standby left unused ends on
 * its own (MONITOR_STANDBY_MS). */
struct ctr_spawn {
	int fd; /* our end of a socketpair: "prep" and "go" out, the report in */
	pid_t pid;
	int pidfd; /* signals reach it, never a process that took its pid */
	bool standby, prepped;
	bool by_client; /* a client's Start (which may have left since) */
	el_source *io, *timer;
	vl_call *call; /* Start, while its client waits */
	size_t n;
	char buf[1024];
};

#define MAX_STANDBY 16 /* monitors waiting for a Start at once */

static void spawn_kill(const ctr_spawn *s)
{
	syscall(SYS_pidfd_send_signal, s->pidfd, SIGKILL, NULL, 0);
}

static void spawn_free(ctr *c)
{
	ctr_spawn *s = c->spawn;
	if (!s)
		return;
	el_remove(s->io);
	el_remove(s->timer);
	close(s->fd);
	if (s->standby) {
		/* it has made ctr.log at most: end it now, and wait, so that a
		 * removal of the directory cannot race with it */
		spawn_kill(s);
		siginfo_t si;
		waitid((idtype_t)P_PIDFD, (id_t)s->pidfd, &si, WEXITED);
		c->d->n_standby--;
	}
	close(s->pidfd);
	if (s->call)
		vl_call_set_cancel(s->call, NULL, NULL);
	free(s);
	c->spawn = NULL;
}

void ctr_spawn_abandon(ctr *c)
{
	spawn_free(c);
}

bool ctr_is_starting(const ctr *c)
{
	return c->spawn && !c->spawn->standby;
}

bool ctr_is_restarting(const ctr *c)
{
	return ctr_is_starting(c) && !c->spawn->by_client;
}

/* The monitor is corrald's child until it ends; a later corrald adopts it
 * through monitor.sock, and init reaps it then. */
static void on_monitor_reaped(el_source *s, pid_t pid, const siginfo_t *si, void *data)
{
	(void)pid, (void)si, (void)data;
	el_remove(s);
}

static void on_start_cancel(vl_call *call, void *data)
{
	(void)call;
	((ctr_spawn *)data)->call = NULL; /* the client left: the start goes on */
}

static void drop_stale_runtime_state(corrald *d, ctr *c);
static void wake(ctr *c, unsigned mask);

static void spawn_done(ctr *c, const char *report)
{
	corrald *d = c->d;
	vl_call *call = c->spawn->call;
	if (call)
		vl_call_set_cancel(call, NULL, NULL);
	c->spawn->call = NULL;
	char dir[PATH_MAX], why[sizeof(c->spawn->buf) + PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	if (!strncmp(report, MONITOR_OK, strlen(MONITOR_OK))) {
		c->pid = (pid_t)atoi(report + strlen(MONITOR_OK));
		c->status = CS_RUNNING;
		c->has_run = true;
		c->started_mono = el_now_usec();
		rfc3339_ns(0, c->started_at, sizeof(c->started_at));
		c->finished_at[0] = '\0';
		/* it runs: say so first, then record it. Should corrald die in
		 * between, adoption finds the monitor, and the pid in the
		 * runtime's state. */
		if (call)
			vl_call_reply(call, NULL);
		/* only now close the socketpair: the monitor waits for that to
		 * exec its lean self, which would otherwise take our CPU */
		spawn_free(c);
		cerr err = { 0 };
		if (watch(d, c, &err) < 0) {
			/* the monitor may already have finished a very short container */
			log_debug("%s", cerr_msg(&err));
			cerr_clear(&err);
		}
		save(d, c);
		publish(d, c, "start", NULL);
		if (c->stop_pending) {
			c->stop_pending = false;
			if (ctr_signal(d, c, c->spec.stop_signal, true, c->stop_pending_timeout, &err) < 0) {
				log_debug("%s", cerr_msg(&err)); /* it has ended already */
				cerr_clear(&err);
			}
		}
		if (c->mon_fd < 0)
			on_monitor_event(NULL, -1, 0, c);
		return;
	}
	if (!strncmp(report, MONITOR_ERR, strlen(MONITOR_ERR)))
		snprintf(why, sizeof(why), "%s", report + strlen(MONITOR_ERR));
	else if (*report)
		snprintf(why, sizeof(why), "container %s: %s", c->id, report);
	else
		snprintf(why, sizeof(why), "container %s: the monitor ended without a report (see %s/monitor.log)",
			 c->id, dir);
	/* report lies in the spawn's buffer, which spawn_free frees */
	bool undone = !strncmp(report, MONITOR_ERR, strlen(MONITOR_ERR)); /* else killed, or it crashed */
	spawn_free(c);
	if (!undone)
		drop_stale_runtime_state(d, c);
	c->status = c->has_run ? CS_EXITED : CS_CREATED;
	save(d, c);
	if (c->stop_pending) { /* nothing runs: the Stop is done */
		c->stop_pending = false;
		wake(c, 1u << WAIT_STOP);
	}
	if (!call)
		return log_error("start %s: %s", c->name, why);
	_cleanup_free_ char *p = vl_json_obj1("reason", why);
	vl_call_error(call, "io.corral.Supervisor.InternalError", p);
}

static void on_spawn_report(el_source *src, int fd, uint32_t events, void *data)
{
	ctr *c = data;
	ctr_spawn *s = c->spawn;
	(void)src, (void)events;
	ssize_t k = read(fd, s->buf + s->n, sizeof(s->buf) - 1 - s->n);
	if (k < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (s->standby) { /* it ended (timed out, or failed) before a Start */
		log_debug("container %s: the standby monitor went away", c->id);
		return spawn_free(c);
	}
	if (k > 0)
		s->n += (size_t)k;
	s->buf[s->n] = '\0';
	char *nl = strchr(s->buf, '\n');
	if (!nl && k > 0 && s->n < sizeof(s->buf) - 1)
		return;
	if (nl)
		*nl = '\0';
	spawn_done(c, s->buf);
}

static void on_spawn_timeout(el_source *src, void *data)
{
	ctr *c = data;
	c->spawn->timer = NULL; /* a one-shot timer: the loop frees it */
	el_remove(src);
	spawn_kill(c->spawn);
	char why[96];
	snprintf(why, sizeof(why), "the monitor did not report within %d s; killed it", SPAWN_TIMEOUT_MS / 1000);
	spawn_done(c, why);
}

/* Exec corral-monitor with argv: signals at their defaults, its own
 * session, stdin and stdout on /dev/null; with sync_fd >= 0 that goes to fd
 * 3 and stderr to /dev/null too, else stderr stays ours (the journal).
 * posix_spawn shares our memory until the exec, rather than copying the
 * page tables and then faulting in every page we write meanwhile, as a
 * fork would; an exec that fails is its error. */
static int spawn_exec_monitor(corrald *d, char *const *argv, int sync_fd, pid_t *pid)
{
	posix_spawnattr_t a;
	posix_spawn_file_actions_t fa;
	sigset_t all, none;
	sigfillset(&all);
	sigemptyset(&none);
	int r = posix_spawnattr_init(&a);
	if (r)
		return -r;
	if ((r = posix_spawn_file_actions_init(&fa))) {
		posix_spawnattr_destroy(&a);
		return -r;
	}
	if (!(r = posix_spawnattr_setflags(&a, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)) &&
	    !(r = posix_spawnattr_setsigdefault(&a, &all)) && !(r = posix_spawnattr_setsigmask(&a, &none)) &&
	    !(r = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDWR, 0)) &&
	    !(r = posix_spawn_file_actions_adddup2(&fa, 0, 1)) &&
	    !(sync_fd >= 0 && ((r = posix_spawn_file_actions_adddup2(&fa, 0, 2)) ||
			       (r = posix_spawn_file_actions_adddup2(&fa, sync_fd, 3)))))
		r = posix_spawn(pid, d->monitor_bin, &fa, &a, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&a);
	return -r;
}

/* A container whose monitor is gone, yet whose runtime state is still there:
 * the host went down under it, or the monitor was killed (or crashed)
 * before it reported (it deletes the state itself otherwise). Delete it the
 * way the monitor would, or the next start finds it "already exists". */
static void drop_stale_runtime_state(corrald *d, ctr *c)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", d->runtime_root, c->id);
	if (access(path, F_OK) < 0)
		return;
	char *argv[] = { "corral-monitor", "--cleanup", "--root", d->runtime_root, "--id", c->id, NULL };
	pid_t p = -1;
	int st = 0;
	if (spawn_exec_monitor(d, argv, -1, &p) < 0 || waitpid(p, &st, 0) < 0 || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		log_warn("container %s: could not delete its stale runtime state in %s", c->name, path);
	else
		log_info("container %s: deleted the runtime state its monitor left behind", c->name);
}

/* corral-monitor on standby, the socketpair as its fd 3. */
static int spawn_monitor(corrald *d, ctr *c, int sync_fd, pid_t *pid, cerr *err)
{
	char dir[PATH_MAX], sizearg[32], filesarg[16];
	ctr_dir(d, c, dir, sizeof(dir));
	snprintf(sizearg, sizeof(sizearg), "%zu", d->cfg->log_max_size);
	snprintf(filesarg, sizeof(filesarg), "%u", d->cfg->log_max_files);
	char *argv[] = { "corral-monitor", "--dir", dir, "--root", d->runtime_root, "--id", c->id,
			 "--sync-fd", "3", "--standby", "--log-max-size", sizearg, "--log-max-files", filesarg, NULL };
	int r = spawn_exec_monitor(d, argv, sync_fd, pid);
	return r < 0 ? cerr_sys(err, -r, "%s", d->monitor_bin) : 0;
}

static int spawn_new(corrald *d, ctr *c, cerr *err)
{
	ctr_spawn *s = calloc(1, sizeof(*s));
	if (!s)
		return cerr_set(err, ENOMEM, "out of memory");
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
		free(s);
		return cerr_sys(err, errno, "socketpair");
	}
	fcntl(sp[0], F_SETFL, O_NONBLOCK);
	s->fd = sp[0];
	int r = spawn_monitor(d, c, sp[1], &s->pid, err);
	close(sp[1]);
	if (r < 0) {
		close(s->fd);
		free(s);
		return r;
	}
	/* our child, not yet reaped: the pid is still its own here */
	if ((s->pidfd = (int)syscall(SYS_pidfd_open, s->pid, 0)) < 0) {
		r = cerr_sys(err, errno, "pidfd_open");
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
		close(s->fd);
		free(s);
		return r;
	}
	bool watched = (r = el_add_child(d->loop, s->pid, on_monitor_reaped, NULL, NULL, err)) == 0;
	if (!watched || (r = el_add_io(d->loop, s->fd, EPOLLIN, on_spawn_report, c, &s->io, err)) < 0) {
		spawn_kill(s);
		if (!watched) { /* else the loop reaps it */
			siginfo_t si;
			waitid((idtype_t)P_PIDFD, (id_t)s->pidfd, &si, WEXITED);
		}
		close(s->fd);
		close(s->pidfd);
		free(s);
		return r;
	}
	s->standby = true;
	d->n_standby++;
	c->spawn = s;
	return 0;
}

void ctr_prespawn(corrald *d, ctr *c)
{
	if (c->spawn || d->n_standby >= MAX_STANDBY)
		return;
	cerr err = { 0 };
	if (spawn_new(d, c, &err) < 0) {
		log_debug("container %s: no standby monitor: %s", c->id, cerr_msg(&err));
		cerr_clear(&err);
	}
}

/* Say "word", with the "prep" it needs first if it was not said yet. */
static bool spawn_say(ctr_spawn *s, const char *word)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%s%s", s->prepped ? "" : MONITOR_PREP, word);
	s->prepped = true;
	return write(s->fd, buf, (size_t)n) == n;
}

void ctr_prespawn_prep(ctr *c)
{
	if (c->spawn && c->spawn->standby && !c->spawn->prepped && !spawn_say(c->spawn, ""))
		spawn_free(c); /* Start spawns afresh */
}

int ctr_start(corrald *d, ctr *c, vl_call *call, cerr *err)
{
	if (ctr_is_starting(c))
		return cerr_set(err, EBUSY, "container %s: it is already starting", c->id);
	char path[PATH_MAX];
	ctr_dir(d, c, path, sizeof(path));
	if (c->image_manifest && imagesrc_remount(d->cfg->state_dir, path, c->image_manifest, err) < 0)
		return cerr_wrap(err, "container %s", c->id);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/" EXITREC_FILE);
	unlink(path);
	/* a standby that already went away (its EOF still queued) cannot take
	 * the "go": spawn afresh */
	if (c->spawn && !spawn_say(c->spawn, MONITOR_GO))
		spawn_free(c);
	if (!c->spawn) {
		int r = spawn_new(d, c, err);
		if (r < 0)
			return r;
		/* one that failed at once is not an error here: its EOF reaches
		 * on_spawn_report, which says so as for any monitor that
		 * ended without a report */
		spawn_say(c->spawn, MONITOR_GO);
	}
	ctr_spawn *s = c->spawn;
	s->standby = false;
	d->n_standby--;
	int r = el_add_timer(d->loop, SPAWN_TIMEOUT_MS * 1000ull, false, on_spawn_timeout, c, &s->timer, err);
	if (r < 0) {
		spawn_kill(s);
		spawn_free(c);
		return r;
	}
	if (call) {
		s->call = call;
		s->by_client = true;
		vl_call_set_cancel(call, on_start_cancel, s);
	}
	return 0;
}

static void waiter_unlink(ctr *c, ctr_waiter *w)
{
	for (ctr_waiter **p = &c->waiters; *p; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			break;
		}
}

static void on_waiter_cancel(vl_call *call, void *data)
{
	ctr_waiter *w = data;
	waiter_unlink(w->c, w);
	free(w);
}

void ctr_add_waiter(ctr *c, vl_call *call, int kind)
{
	ctr_waiter *w = calloc(1, sizeof(*w));
	if (!w) {
		vl_call_error(call, "io.corral.Supervisor.InternalError", NULL);
		return;
	}
	w->call = call;
	w->kind = kind;
	w->c = c;
	w->next = c->waiters;
	c->waiters = w;
	vl_call_set_cancel(call, on_waiter_cancel, w);
}

static void reply_exit(vl_call *call, const ctr *c, bool stop)
{
	char p[96];
	if (stop)
		snprintf(p, sizeof(p), "{\"exitCode\":%d}", c->exit_code);
	else
		snprintf(p, sizeof(p), "{\"exitCode\":%d,\"oomKilled\":%s}", c->exit_code,
			 c->oom_killed ? "true" : "false");
	vl_call_reply(call, p);
}

/* Answer the waiters of kinds in mask. */
static void wake(ctr *c, unsigned mask)
{
	ctr_waiter **p = &c->waiters;
	while (*p) {
		ctr_waiter *w = *p;
		if (!(mask & (1u << w->kind))) {
			p = &w->next;
			continue;
		}
		*p = w->next;
		vl_call_set_cancel(w->call, NULL, NULL);
		if (w->kind == WAIT_REMOVE)
			vl_call_reply(w->call, NULL);
		else
			reply_exit(w->call, c, w->kind == WAIT_STOP);
		free(w);
	}
}

static void on_follow_done(void *data)
{
	ctr_follow *f = data;
	for (ctr_follow **p = &f->c->follows; *p; p = &(*p)->next)
		if (*p == f) {
			*p = f->next;
			break;
		}
	free(f);
}

void ctr_add_follow(ctr *c, logs_stream *s)
{
	ctr_follow *f = calloc(1, sizeof(*f));
	if (!f)
		return logs_stream_end(s);
	f->s = s;
	f->c = c;
	f->next = c->follows;
	c->follows = f;
	logs_stream_on_free(s, on_follow_done, f);
}

static void end_follows(ctr *c)
{
	while (c->follows)
		logs_stream_end(c->follows->s); /* unlinks itself */
}

int ctr_remove_now(corrald *d, ctr *c, cerr *err)
{
	char dir[PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	ctr_spawn_abandon(c);
	int r = trash_dir(d, dir, err); /* the id is free once it returns */
	if (r < 0)
		return r;
	for (ctr **p = &d->ctrs; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	c->status = CS_REMOVING;
	end_follows(c);
	wake(c, 1u << WAIT_STOPPED | 1u << WAIT_STOP | 1u << WAIT_REMOVED | 1u << WAIT_REMOVE);
	publish(d, c, "remove", NULL);
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
	publish(d, c, "restart", (const char *const[]){ "restartCount", n, NULL });
	metrics_add_restarts(d->metrics, 1);
	if (ctr_start(d, c, NULL, &err) < 0) {
		log_error("restart %s: %s", c->name, cerr_msg(&err));
		cerr_clear(&err);
		c->status = CS_EXITED;
		save(d, c);
	}
}

/* The container has ended: account for it, then restart it or not. */
static void ended(corrald *d, ctr *c)
{
	char dir[PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	exitrec e;
	cerr err = { 0 };
	if (exitrec_read(dir, &e, &err) < 0) {
		log_warn("container %s: no exit record (%s); counting it as failed", c->name, cerr_msg(&err));
		cerr_clear(&err);
		e = (exitrec){ .code = 255 };
		rfc3339_ns(0, e.finished_at, sizeof(e.finished_at));
	}
	bool removing = c->status == CS_REMOVING;
	c->status = CS_EXITED;
	c->has_exit = true;
	c->exit_code = e.code;
	c->signal = e.signal;
	c->oom_killed = e.oom_killed;
	if (e.started_at[0])
		snprintf(c->started_at, sizeof(c->started_at), "%s", e.started_at);
	snprintf(c->finished_at, sizeof(c->finished_at), "%s", e.finished_at);
	c->pid = 0;
	char code[16];
	snprintf(code, sizeof(code), "%d", e.code);
	if (e.oom_killed) {
		publish(d, c, "oom", NULL);
		metrics_add_oom_kills(d->metrics, 1);
	}
	publish(d, c, "die", (const char *const[]){ "exitCode", code, "oomKilled", e.oom_killed ? "true" : "false", NULL });
	end_follows(c);
	wake(c, 1u << WAIT_STOPPED | 1u << WAIT_STOP);
	if (removing) {
		if (ctr_remove_now(d, c, &err) < 0) {
			log_error("%s", cerr_msg(&err));
			cerr_clear(&err);
			save(d, c);
		}
		return;
	}
	uint64_t ran = ran_usec(c);
	c->started_mono = 0;
	if (ran >= RESTART_RESET_AFTER_USEC)
		restart_state_init(&c->rs);
	if (restart_should(&c->spec.restart, &c->rs, e.code, c->stopped_by_user)) {
		uint64_t delay = restart_next_delay(&c->rs, ran);
		c->status = CS_RESTARTING;
		c->restart_count++;
		if (el_add_timer(d->loop, delay, false, on_restart_timer, c, &c->restart_timer, &err) < 0) {
			cerr_clear(&err);
			c->status = CS_EXITED;
		}
	}
	save(d, c);
}

static void on_monitor_event(el_source *s, int fd, uint32_t events, void *data)
{
	ctr *c = data;
	if (fd >= 0) {
		char buf[256];
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
			return;
	}
	el_remove(c->mon_src);
	c->mon_src = NULL;
	if (c->mon_fd >= 0)
		close(c->mon_fd);
	c->mon_fd = -1;
	ended(c->d, c);
}

static int cmp_created(const void *a, const void *b)
{
	const ctr *x = *(ctr *const *)a, *y = *(ctr *const *)b;
	return strcmp(y->created, x->created);
}

/* Start is answered before the record says running: a corrald that died
 * in between learns the pid and start time from the runtime's state. */
static void adopt_started(corrald *d, ctr *c)
{
	_cleanup_state_ struct ctr_state *st = NULL;
	cerr err = { 0 };
	if (state_load(d->runtime_root, c->id, &st, &err) < 0) {
		log_warn("container %s: %s", c->name, cerr_msg(&err));
		cerr_clear(&err);
		return;
	}
	c->pid = st->pid;
	c->has_run = true;
	if (st->created)
		snprintf(c->started_at, sizeof(c->started_at), "%s", st->created);
	c->finished_at[0] = '\0';
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
		if (ctr_record_load(d, path, &c, &e) < 0) {
			log_warn("skipping %s: %s", path, cerr_msg(&e));
			cerr_clear(&e);
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
	size_t adopted = 0, ended_n = 0, started = 0;
	for (ctr *c = d->ctrs, *next; c; c = next) {
		next = c->next;
		cerr e = { 0 };
		if (watch(d, c, &e) == 0) { /* its monitor is alive: it runs */
			if (c->status != CS_RUNNING || c->pid <= 0)
				adopt_started(d, c);
			c->status = CS_RUNNING;
			adopted++;
			save(d, c);
			continue;
		}
		cerr_clear(&e);
		drop_stale_runtime_state(d, c);
		bool was_running = c->status == CS_RUNNING || c->status == CS_REMOVING;
		if (was_running) {
			ended_n++;
			ended(d, c);
		} else if (c->status == CS_RESTARTING ||
			   (c->has_run && c->status == CS_EXITED && restart_on_daemon_start(&c->spec.restart, c->stopped_by_user))) {
			started++;
			c->status = CS_RESTARTING; /* until its monitor reports */
			if (ctr_start(d, c, NULL, &e) < 0) {
				log_error("start %s: %s", c->name, cerr_msg(&e));
				cerr_clear(&e);
				c->status = CS_EXITED;
				save(d, c);
			}
		}
	}
	ctr_update_gauges(d);
	log_info("containers: %zu known, %zu re-adopted, %zu ended while corrald was down, %zu started by policy",
		 ctr_count(d, -1), adopted, ended_n, started);
	return 0;
}

void ctr_shutdown_all(corrald *d)
{
	while (d->ctrs) {
		ctr *c = d->ctrs;
		d->ctrs = c->next;
		for (ctr_waiter *w = c->waiters, *nw; w; w = nw) {
			nw = w->next;
			vl_call_set_cancel(w->call, NULL, NULL);
			free(w);
		}
		c->waiters = NULL;
		for (ctr_follow *f = c->follows, *nf; f; f = nf) {
			nf = f->next;
			logs_stream_on_free(f->s, NULL, NULL);
			free(f);
		}
		c->follows = NULL;
		ctr_free(c);
	}
}
