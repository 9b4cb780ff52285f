#include "supervisor/monitor/steady.h"
#include "supervisor/monitor/monitor.h"
#include "supervisor/monitor/exec_session.h"
#include "supervisor/monitor/exec_methods.h"
#include "supervisor/monitor/mon_attach.h"
#include "supervisor/logs/crilog.h"
#include "supervisor/loop/eventloop.h"
#include "supervisor/logs/exitrec.h"
#include "supervisor/varlink/params.h"
#include "supervisor/varlink/server.h"
#include "supervisor/varlink/handover.h"
#include "supervisor/varlink/call.h"
#include "supervisor/api/sv_errors.h"
#include "cgroups/cgroups.h"
#include "common/timefmt.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char monitor_interface[] =
	"interface io.corral.Monitor\n\n"
	"method State() -> (pid: int, running: bool, startedAt: string)\n"
	"method Kill(signal: int, all: ?bool) -> ()\n"
	"# signal now, SIGKILL after timeout seconds unless it has exited\n"
	"method Stop(signal: int, timeout: int) -> ()\n"
	"# the runtime's exec, confined as the container's process is; killed with\n"
	"# all it started at the timeout or when the caller hangs up\n"
	EXEC_JOB_METHOD
	"# attach the client whose socket comes along (SCM_RIGHTS) after corrald's\n"
	"# upgrade reply: Streams frames (io.corral.Supervisor's Attach)\n"
	"method Attach(stdin: ?bool) -> ()\n"
	"# the CRI log opened again at its path, which its reader rotated\n"
	"method ReopenLog() -> ()\n"
	"error InternalError ()\n"
	"error NotRunning ()\n"
	"error NoTerminal ()\n";

typedef struct mon {
	const monitor_steady_opts *o;
	el_loop *loop;
	vl_server *srv;
	crilog log;
	crilog_mask mask;
	int fd[2];
	el_source *io[2];
	el_source *drain, *killer;
	bool exited, finished;
	bool log_dropping;           /* the log cannot be written (a full disk) */
	unsigned long long dropped;  /* bytes of output not logged since */
	exitrec rec;
	exec_session *execs;
	attach_set att;
} mon;

static void finish(mon *m)
{
	if (m->finished)
		return;
	m->finished = true;
	for (int i = 0; i < 2; i++) {
		el_remove(m->io[i]);
		m->io[i] = NULL;
		if (m->fd[i] >= 0)
			close(m->fd[i]);
		m->fd[i] = -1;
	}
	exec_session_kill_all(m->execs);
	crilog_close(&m->log); /* the last byte is on disk before exit.json */
	if (m->o->cgroup_mount && m->o->cgroup_path) {
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "%s%s", m->o->cgroup_mount, m->o->cgroup_path);
		m->rec.oom_killed = exitrec_oom_kills(p) > 0;
	}
	cerr err = { 0 };
	if (exitrec_write(m->o->dir, &m->rec, &err) < 0)
		log_cerr(LOG_LVL_ERROR, &err, "%s", m->o->id);
	attach_exit(&m->att, m->rec.code);
	/* before our connections close: corrald may restart the container then */
	if (m->o->cleanup(m->o->root, m->o->id, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, NULL);
	el_exit(m->loop, 0);
}

static void maybe_finish(mon *m)
{
	if (m->exited && m->fd[0] < 0 && m->fd[1] < 0)
		finish(m);
}

static void on_io(el_source *s, int fd, uint32_t events, void *data)
{
	mon *m = data;
	int i = fd == m->fd[0] ? 0 : 1;
	char buf[65536];
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) { /* EOF, or EIO from a pty whose slave is gone */
		el_remove(s);
		m->io[i] = NULL;
		close(fd);
		m->fd[i] = -1;
		maybe_finish(m);
		return;
	}
	cerr err = { 0 };
	/* the log first: what a client gets, the log has */
	if (crilog_write(&m->log, i ? CRILOG_STDERR : CRILOG_STDOUT, buf, (size_t)n, 0, &err) < 0) {
		/* the container goes on: its output is drained and dropped, not
		 * left to fill its pipe, until the log can be written again */
		if (!m->log_dropping)
			log_cerr(LOG_LVL_WARN, &err, "%s: log: output dropped until it can be written", m->o->id);
		cerr_clear(&err);
		m->log_dropping = true;
		m->dropped += (unsigned long long)n;
	} else if (m->log_dropping) {
		log_warn("%s: log: written again; %llu bytes of output were dropped", m->o->id, m->dropped);
		m->log_dropping = false;
		m->dropped = 0;
	}
	/* what clients see live is masked as the log is */
	_cleanup_strbuf_ strbuf shown = STRBUF_INIT;
	int r = m->att.clients ? crilog_mask_redact(m->log.mask, buf, (size_t)n, &shown) : 0;
	if (r >= 0)
		attach_output(&m->att, i ? 2 : 1, r ? shown.buf : buf, r ? shown.len : (size_t)n);
}

static void on_drain_timeout(el_source *s, void *data)
{
	mon *m = data;
	log_warn("%s: output still open %llu s after the container exited; closing it", m->o->id,
		 MONITOR_DRAIN_USEC / 1000000);
	finish(m);
}

static void reap(mon *m)
{
	int st;
	pid_t p;
	/* a subreaper inherits orphans of the container: reap them all */
	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (exec_session_reaped(&m->execs, p, st) || p != m->o->pid || m->exited)
			continue;
		m->exited = true;
		m->rec.signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
		m->rec.code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + m->rec.signal;
		rfc3339_ns(0, m->rec.finished_at, sizeof(m->rec.finished_at));
		el_remove(m->killer);
		m->killer = NULL;
		_cleanup_cerr_ cerr err = { 0 };
		el_add_timer(m->loop, MONITOR_DRAIN_USEC, false, on_drain_timeout, m, &m->drain, &err);
		maybe_finish(m);
	}
}

static void on_sigchld(el_source *s, const struct signalfd_siginfo *si, void *data) { reap(data); }

static int signal_ctr(mon *m, int sig, bool all)
{
	if (m->exited)
		return -ESRCH;
	if (all && m->o->cgroup_mount && m->o->cgroup_path) {
		_cleanup_cg_ cg *c = NULL;
		if (cg_open(m->o->cgroup_mount, m->o->cgroup_path, &c, NULL) == 0 && cg_signal_all(c, sig, NULL) == 0)
			return 0;
	}
	return syscall(SYS_pidfd_send_signal, m->o->pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

static void on_stop_timeout(el_source *s, void *data)
{
	mon *m = data;
	m->killer = NULL;
	m->rec.stop_killed = true;
	signal_ctr(m, SIGKILL, true);
}

#define MON_ERR(name) MONITOR_IFACE "." name

static int m_state(vl_call *call, yajl_val params, void *ud)
{
	mon *m = ud;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return vl_call_error(call, MON_ERR("InternalError"), NULL);
	jg_object(g, JG_INT("pid", m->o->pid), JG_BOOL("running", !m->exited), JG_STR("startedAt", m->rec.started_at),
		     JG_END);
	return vl_call_reply_gen(call, g);
}

/* Kill's and Stop's signal */
#define SP_SIGNAL(o) SP_INT("signal", 1, 64, SIGTERM, (o))

static int m_kill(vl_call *call, yajl_val params, void *ud)
{
	mon *m = ud;
	long long sig;
	bool all;
	json_fault f = { 0 };
	if (sp_read(params, SP_PARAMS(SP_SIGNAL(&sig), SP_BOOL("all", false, &all)), &f) < 0)
		return sv_invalid_fault(call, &f);
	if (signal_ctr(m, (int)sig, all) < 0)
		return vl_call_error(call, MON_ERR("NotRunning"), NULL);
	return vl_call_reply(call, NULL);
}

static int m_stop(vl_call *call, yajl_val params, void *ud)
{
	mon *m = ud;
	long long sig, t;
	json_fault f = { 0 };
	if (sp_read(params, SP_PARAMS(SP_SIGNAL(&sig), SP_INT("timeout", 0, 86400, 10, &t)), &f) < 0)
		return sv_invalid_fault(call, &f);
	if (m->exited)
		return vl_call_error(call, MON_ERR("NotRunning"), NULL);
	if (t == 0 || signal_ctr(m, (int)sig, false) < 0) {
		m->rec.stop_killed = true;
		signal_ctr(m, SIGKILL, true);
	} else if (!m->killer) {
		_cleanup_cerr_ cerr err = { 0 };
		if (el_add_timer(m->loop, (uint64_t)t * 1000000ull, false, on_stop_timeout, m, &m->killer, &err) < 0)
			signal_ctr(m, SIGKILL, true);
	}
	return vl_call_reply(call, NULL);
}

/* corrald has checked the client; its socket comes along, and the exec
 * session answers it there. Our own call (oneway) is only the hand-over. */
static int m_exec(vl_call *call, yajl_val params, void *ud)
{
	mon *m = ud;
	exec_request req = { 0 };
	json_fault f = { 0 };
	_cleanup_close_ int fd = vl_call_take_fd(call);
	if (exec_request_parse(params, &req, &f) < 0)
		return sv_invalid_fault(call, &f);
	if (fd < 0)
		return sv_invalid(call, "mode", "no client socket came with the call");
	if (exec_serve(&m->execs, m->loop, m->srv, m->o, m->exited, TAKE_FD(fd), &req, m->log.mask) < 0)
		return vl_call_error(call, MON_ERR("InternalError"), NULL);
	return vl_call_reply(call, NULL);
}

/* corrald has checked the client and replied to its upgrade: the socket
 * that came along is the client's, from now on ours alone. */
static int m_attach(vl_call *call, yajl_val params, void *ud)
{
	mon *m = ud;
	bool in;
	json_fault f = { 0 };
	_cleanup_close_ int fd = vl_call_take_fd(call);
	if (sp_dispatch(params, SP_PARAMS(SP_BOOL("stdin", true, &in)), &f) < 0)
		return sv_invalid_fault(call, &f);
	if (fd < 0)
		return sv_invalid(call, "stdin", "no socket came with the call");
	if (m->exited)
		return vl_call_error(call, MON_ERR("NotRunning"), NULL);
	cerr err = { 0 };
	if (attach_add(&m->att, TAKE_FD(fd), in, &err) < 0) {
		log_cerr(LOG_LVL_WARN, &err, "%s: attach", m->o->id);
		return vl_call_error(call, MON_ERR("InternalError"), NULL);
	}
	return vl_call_reply(call, NULL);
}

static int m_exec_resize(vl_call *call, yajl_val params, void *ud)
{
	mon *m = ud;
	json_fault f = { 0 };
	const char *id;
	long long rows, cols;
	if (sp_dispatch(params,
			SP_PARAMS(SP_STR("execId", true, &id), SP_INT("rows", 1, 65535, 0, &rows),
				  SP_INT("cols", 1, 65535, 0, &cols)),
			&f) < 0)
		return sv_invalid_fault(call, &f);
	int r = exec_session_resize(m->execs, id, (unsigned)rows, (unsigned)cols);
	if (r == -ENOTTY)
		return vl_call_error(call, MON_ERR("NoTerminal"), NULL);
	if (r < 0)
		return vl_call_error(call, MON_ERR("NotRunning"), NULL);
	return vl_call_reply(call, NULL);
}

static void signal_from_client(void *owner, int sig) { signal_ctr(owner, sig, false); }

/* kubelet renamed the log to rotate it: what follows goes to a new file */
static int m_reopen_log(vl_call *call, yajl_val params, void *ud)
{
	mon *m = ud;
	_cleanup_cerr_ cerr err = { 0 };
	if (rotfile_reopen(&m->log.file, &err) < 0) {
		log_cerr(LOG_LVL_WARN, &err, "%s: reopen its log", m->o->id);
		return vl_call_error(call, MON_ERR("InternalError"), NULL);
	}
	return vl_call_reply(call, NULL);
}

static const vl_method methods[] = {
	{ "State", m_state }, { "Kill", m_kill }, { "Stop", m_stop }, { "Exec", m_exec }, { "Attach", m_attach },
	{ "ExecResize", m_exec_resize }, { "ReopenLog", m_reopen_log },
};
static const vl_interface iface = { MONITOR_IFACE, monitor_interface, methods, ARRAY_SIZE(methods) };

static int setup(mon *m, cerr *err)
{
	const monitor_steady_opts *o = m->o;
	char path[PATH_MAX];
	size_t max_size = crilog_path_of(o->dir, o->log_path, o->log_max_size, path);
	int r = crilog_open(&m->log, path, max_size, o->log_max_files, err);
	if (r < 0)
		return r;
	/* room for the exit record now, while there is some */
	cerr e2 = { 0 };
	if (exitrec_reserve(o->dir, &e2) < 0)
		log_cerr(LOG_LVL_WARN, &e2, "%s", o->id);
	if (o->mask_fd >= 0) {
		r = crilog_mask_load(&m->mask, o->mask_fd, err);
		close(o->mask_fd);
		((monitor_steady_opts *)o)->mask_fd = -1; /* taken */
		if (r < 0)
			return r; /* better no log than one that shows a secret */
		m->log.mask = &m->mask;
	}
	int sigs[] = { SIGCHLD };
	if ((r = el_add_signals(m->loop, sigs, 1, on_sigchld, m, NULL, err)) < 0)
		return r;
	for (int i = 0; i < 2; i++) {
		if (m->fd[i] < 0)
			continue;
		fcntl(m->fd[i], F_SETFL, fcntl(m->fd[i], F_GETFL) | O_NONBLOCK);
		if ((r = el_add_io(m->loop, m->fd[i], EPOLLIN, on_io, m, &m->io[i], err)) < 0)
			return r;
	}
	/* clients attached before the start: registered before any output is read */
	attach_init(&m->att, m->loop, o->tty && o->fd[0] >= 0 ? fcntl(o->fd[0], F_DUPFD_CLOEXEC, 3) : o->in_fd,
		    o->tty, o->interactive, signal_from_client, m);
	((monitor_steady_opts *)o)->in_fd = -1; /* taken */
	for (size_t i = 0; i < o->n_attach; i++)
		if (attach_add(&m->att, o->attach_fds[i], o->attach_stdin[i], err) < 0)
			log_cerr(LOG_LVL_WARN, err, "%s: attach", o->id);
	vl_server_config vc = { .vendor = "corral", .product = "corral-monitor", .version = CORRAL_VERSION,
				.url = "https://github.com/corral/corral", .group = PEER_NO_GROUP, .userdata = m,
				.accept_fds = true };
	if ((r = vl_server_new(m->loop, &vc, &m->srv, err)) < 0 || (r = vl_server_add_interface(m->srv, &iface, err)) < 0)
		return r;
	r = vl_server_listen_fd(m->srv, o->listen_fd, err);
	((monitor_steady_opts *)o)->listen_fd = -1; /* taken, even on failure */
	return r;
}

int monitor_steady_run(const monitor_steady_opts *o, cerr *err)
{
	mon m = { .o = o, .fd = { o->fd[0], o->fd[1] }, .log.file = { .fd = -1, .dirfd = -1 }, .att.in.fd = -1 };
	snprintf(m.rec.started_at, sizeof(m.rec.started_at), "%s", o->started_at ? o->started_at : "");
	int r = el_new(&m.loop, err);
	if (r < 0)
		goto out;
	signal(SIGPIPE, SIG_IGN);
	if ((r = setup(&m, err)) < 0)
		goto out;
	reap(&m); /* a SIGCHLD may have come before the signalfd existed */
	if (!m.finished)
		el_run(m.loop);
out:
	if (r < 0 && !m.finished) {
		/* we cannot supervise it: do not leave it running unsupervised */
		if (o->pidfd >= 0)
			syscall(SYS_pidfd_send_signal, o->pidfd, SIGKILL, NULL, 0);
		if (o->pid > 0)
			waitpid(o->pid, NULL, 0);
		for (int i = 0; i < 2; i++)
			if (m.fd[i] >= 0)
				close(m.fd[i]);
		m.fd[0] = m.fd[1] = -1;
		m.rec.code = 128 + SIGKILL;
		m.rec.signal = SIGKILL;
		rfc3339_ns(0, m.rec.finished_at, sizeof(m.rec.finished_at));
		cerr e2 = { 0 };
		if (exitrec_write(o->dir, &m.rec, &e2) < 0 || o->cleanup(o->root, o->id, &e2) < 0)
			log_cerr(LOG_LVL_WARN, &e2, NULL);
	}
	char sock[PATH_MAX];
	snprintf(sock, sizeof(sock), "%s/" MONITOR_SOCK, o->dir);
	unlink(sock);
	if (o->listen_fd >= 0)
		close(o->listen_fd);
	if (o->pidfd >= 0)
		close(o->pidfd);
	crilog_close(&m.log);
	crilog_mask_release(&m.mask);
	if (o->mask_fd >= 0)
		close(o->mask_fd);
	vl_server_free(m.srv); /* corrald hears of the end first; clients then get their last bytes */
	attach_release(&m.att, 1000);
	if (m.loop)
		el_free(m.loop);
	return r;
}
