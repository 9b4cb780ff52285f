#include "supervisor/monitor/exec_session.h"
#include "supervisor/monitor/exec_client.h"
#include "supervisor/monitor/monitor.h"
#include "supervisor/loop/child.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_fault.h"
#include "runtime/procwait.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_get.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS 4096
#define MAX_JOBS 32 /* commands running at once in one container: the monitor's fds are bounded */

struct exec_session {
	exec_session *next, **list;
	const monitor_steady_opts *o;
	el_loop *loop;
	exec_client *client;
	pid_t runner;      /* until reaped */
	char leaf[32];     /* its child cgroup, under the container's; its id too */
	el_source *timer;
	bool timed_out, killed;
	unsigned rmdir_tries;
	char exec_id[EXEC_ID_MAX + 1]; /* "": not an ExecCreate instance */
};

/* DIR/execs/ID, which corrald's ExecInspect reads: "PID\n" while it runs,
 * "PID CODE\n" once it has ended. Written whole (a rename), before the
 * client hears the exit code, so that an inspect after it sees the code. */
static void write_status(const exec_session *j, pid_t pid, int code)
{
	if (!j->exec_id[0])
		return;
	char dir[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX + 8], line[64];
	snprintf(dir, sizeof(dir), "%s/execs", j->o->dir);
	snprintf(path, sizeof(path), "%s/%s", dir, j->exec_id);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int n = code < 0 ? snprintf(line, sizeof(line), "%d\n", (int)pid)
			 : snprintf(line, sizeof(line), "%d %d\n", (int)pid, code);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		log_warn("%s: exec: %s: %s", j->o->id, dir, strerror(errno));
		return;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	bool ok = fd >= 0 && write(fd, line, (size_t)n) == n;
	if (fd >= 0)
		close(fd);
	if (!ok || rename(tmp, path) < 0) {
		log_warn("%s: exec: %s: %s", j->o->id, path, strerror(errno));
		unlink(tmp);
	}
}

static void leaf_path(const exec_session *j, const char *file, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s/%s%s%s", j->o->cgroup_mount, j->o->cgroup_path, j->leaf, file ? "/" : "",
		 file ? file : "");
}

static bool has_leaf(const exec_session *j) { return j->o->cgroup_mount && j->o->cgroup_path; }

/* Everything the command started, wherever it went in its pid namespace. */
static void kill_session(exec_session *j)
{
	if (has_leaf(j) && j->runner > 0) {
		char p[PATH_MAX];
		leaf_path(j, "cgroup.kill", p, sizeof(p));
		int fd = open(p, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "1", 1) != 1)
			log_warn("%s: exec: kill %s: %s", j->o->id, p, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	if (j->runner > 0)
		kill(j->runner, SIGKILL);
	j->killed = true;
}

static void exec_session_free(exec_session *j)
{
	for (exec_session **p = j->list; *p; p = &(*p)->next)
		if (*p == j) {
			*p = j->next;
			break;
		}
	el_remove(j->timer);
	exec_client_free(j->client);
	free(j);
}

/* The child cgroup goes once all in it have ended: killed processes take a
 * moment to exit. What a command left running on purpose stays, and goes
 * with the container's cgroup. */
static bool remove_leaf(exec_session *j)
{
	if (!has_leaf(j))
		return true;
	char p[PATH_MAX];
	leaf_path(j, NULL, p, sizeof(p));
	return rmdir(p) == 0 || errno != EBUSY || !j->killed || ++j->rmdir_tries > 100;
}

static void on_rmdir_retry(el_source *s, void *data)
{
	exec_session *j = data;
	if (remove_leaf(j))
		exec_session_free(j);
}

/* The client is answered (or gone) and the runner reaped. */
static void on_client_done(void *data)
{
	exec_session *j = data;
	if (j->runner > 0)
		return; /* it ends once reaped */
	el_remove(j->timer);
	j->timer = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (remove_leaf(j) || el_add_timer(j->loop, 20000, true, on_rmdir_retry, j, &j->timer, &err) < 0)
		exec_session_free(j);
}

static void on_hung_up(void *data) { kill_session(data); }

/* A SIGNAL frame: the runner passes on what it forwards (runtime/procwait.h). */
static void on_signal(void *data, int sig)
{
	exec_session *j = data;
	sigset_t fwd;
	forwarded_sigset(&fwd);
	if (j->runner > 0 && sig > 0 && sig < NSIG && sigismember(&fwd, sig) == 1)
		kill(j->runner, sig);
}

static const exec_client_ops client_ops = { .hung_up = on_hung_up, .signal = on_signal, .done = on_client_done };

static void on_timeout(el_source *s, void *data)
{
	exec_session *j = data;
	j->timer = NULL;
	j->timed_out = true;
	kill_session(j);
}

bool exec_session_reaped(exec_session **list, pid_t pid, int status)
{
	for (exec_session *j = *list; j; j = j->next)
		if (j->runner == pid) {
			j->runner = 0;
			el_remove(j->timer);
			j->timer = NULL;
			int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			write_status(j, pid, code);
			/* A command that ended with all it started leaves no child
			 * cgroup by the time its caller hears the code. */
			(void)remove_leaf(j);
			exec_client_exited(j->client, code, j->timed_out);
			return true;
		}
	return false;
}

int exec_session_resize(exec_session *list, const char *exec_id, unsigned rows, unsigned cols)
{
	for (exec_session *j = list; j; j = j->next)
		if (j->exec_id[0] && streq(j->exec_id, exec_id) && j->runner > 0)
			return exec_client_resize(j->client, rows, cols) ? 0 : -ENOTTY;
	return -ENOENT;
}

void exec_session_kill_all(exec_session *list)
{
	for (exec_session *j = list; j; j = j->next)
		kill_session(j);
}

/* argv of `corral-monitor --exec`, from the request. */
static int runner_argv(const exec_session *j, const exec_request *req, char ***out)
{
	static char pidfd_arg[] = "3", console_arg[] = "0";
	yajl_val cmd = req->command, env = req->env;
	size_t n_cmd = cmd->u.array.len, n_env = env ? env->u.array.len : 0;
	char **a = calloc(n_cmd + 2 * n_env + 20, sizeof(char *));
	if (!a)
		return -ENOMEM;
	size_t k = 0;
	a[k++] = (char *)"corral-monitor";
	a[k++] = (char *)"--exec";
	a[k++] = (char *)"--root";
	a[k++] = (char *)j->o->root;
	a[k++] = (char *)"--id";
	a[k++] = (char *)j->o->id;
	a[k++] = (char *)"--pidfd";
	a[k++] = pidfd_arg;
	if (has_leaf(j)) {
		a[k++] = (char *)"--cgroup-leaf";
		a[k++] = (char *)j->leaf;
	}
	if (req->cwd) {
		a[k++] = (char *)"--cwd";
		a[k++] = (char *)req->cwd;
	}
	if (req->user) {
		a[k++] = (char *)"--user";
		a[k++] = (char *)req->user;
	}
	if (req->tty) { /* the pty master comes back on the runner's stdin */
		a[k++] = (char *)"--console-fd";
		a[k++] = console_arg;
	}
	for (size_t i = 0; i < n_env; i++) {
		a[k++] = (char *)"--env";
		a[k++] = env->u.array.values[i]->u.string;
	}
	a[k++] = (char *)"--";
	for (size_t i = 0; i < n_cmd; i++)
		a[k++] = cmd->u.array.values[i]->u.string;
	*out = a;
	return 0;
}

static bool strings(yajl_val v, bool need_eq)
{
	if (!YAJL_IS_ARRAY(v) || v->u.array.len > MAX_ARGS)
		return false;
	for (size_t i = 0; i < v->u.array.len; i++)
		if (!YAJL_IS_STRING(v->u.array.values[i]) ||
		    (need_eq && (!strchr(v->u.array.values[i]->u.string, '=') || v->u.array.values[i]->u.string[0] == '=')))
			return false;
	return true;
}

int exec_request_parse(yajl_val params, exec_request *req, json_fault *f)
{
	static const char *const modes[] = { "reply", "more", "streams", "detach" };
	const char *mode;
	int r;
	if ((r = sp_dispatch(params,
			     SP_PARAMS(SP_INT("outputMax", 1, EXEC_MAX_OUTPUT, EXEC_MAX_OUTPUT, &req->output_max),
				       SP_STR("workdir", false, &req->cwd), SP_STR("user", false, &req->user),
				       SP_STR("execId", false, &req->exec_id), SP_INT("timeout", 0, 86400, 0, &req->timeout),
				       SP_BOOL("tty", false, &req->tty), SP_BOOL("interactive", false, &req->interactive),
				       SP_STR("mode", true, &mode), SP_KEY("command"), SP_KEY("env")),
			     f)) < 0)
		return r;
	req->mode = EXEC_REPLY;
	while (req->mode < ARRAY_SIZE(modes) && strcmp(modes[req->mode], mode))
		req->mode++;
	if (req->mode == ARRAY_SIZE(modes))
		return json_fault_set(f, EINVAL, "mode", "must be reply, more, streams or detach");
	if (req->exec_id && (!req->exec_id[0] || strlen(req->exec_id) > EXEC_ID_MAX ||
			     strspn(req->exec_id, "0123456789abcdef") != strlen(req->exec_id)))
		return json_fault_set(f, EINVAL, "execId", "must be up to 64 lowercase hex digits");
	req->command = json_get(params, "command");
	req->env = json_key(params, "env");
	if (!strings(req->command, false) || req->command->u.array.len == 0)
		return json_fault_set(f, EINVAL, "command", "must be a non-empty array of strings");
	if (req->env && !strings(req->env, true))
		return json_fault_set(f, EINVAL, "env", "must be an array of KEY=VALUE strings");
	if ((req->tty || req->interactive) && req->mode != EXEC_STREAMS)
		return json_fault_set(f, EINVAL, "mode", "a terminal or stdin needs streams");
	return 0;
}

/* Start the runner, its stdio wired to the client. */
static int spawn_runner(exec_session *j, const exec_request *req, cerr *err)
{
	_cleanup_free_ char **argv = NULL;
	if (runner_argv(j, req, &argv) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	_cleanup_close_pair_ int out[2] = { -1, -1 }, errp[2] = { -1, -1 }, in[2] = { -1, -1 }, con[2] = { -1, -1 };
	bool detach = req->mode == EXEC_DETACH;
	if (!detach && (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0))
		return cerr_sys(err, errno, "pipe");
	if (req->tty && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, con) < 0)
		return cerr_sys(err, errno, "socketpair");
	if (!req->tty && req->interactive && pipe2(in, O_CLOEXEC) < 0)
		return cerr_sys(err, errno, "pipe");
	spawn_fds fds = { .in = req->tty ? con[1] : req->interactive ? in[0] : SPAWN_NULL,
			  .out = detach ? SPAWN_NULL : out[1], .err = detach ? SPAWN_NULL : errp[1], .fd3 = j->o->pidfd };
	int r = spawn_clean(j->o->exec_bin, argv, &fds, false, &j->runner);
	if (r < 0) {
		j->runner = 0;
		return cerr_sys(err, -r, "%s", j->o->exec_bin);
	}
	return exec_client_connect(j->client, TAKE_FD(out[0]), TAKE_FD(errp[0]), TAKE_FD(in[1]), TAKE_FD(con[0]), err);
}

int exec_session_start(exec_session **list, el_loop *loop, const monitor_steady_opts *o, bool exited,
		       const exec_request *req, const crilog_mask *mask, const exec_channel *to, cerr *err)
{
	static unsigned serial;
	_cleanup_close_ int client = to->fd;
	exec_session *j = calloc(1, sizeof(*j));
	if (!j)
		return cerr_set(err, ENOMEM, "out of memory");
	*j = (exec_session){ .list = list, .o = o, .loop = loop };
	snprintf(j->leaf, sizeof(j->leaf), "exec-%u-%u", (unsigned)getpid(), ++serial);
	if (req->exec_id)
		snprintf(j->exec_id, sizeof(j->exec_id), "%s", req->exec_id);
	exec_client_opts co = { .mode = req->mode, .to = *to, .tty = req->tty, .interactive = req->interactive,
				.mask = mask, .ops = &client_ops, .session = j };
	co.to.fd = TAKE_FD(client);
	int r = exec_client_new(loop, &co, &j->client, err);
	if (r < 0) {
		free(j);
		return r;
	}
	size_t running = 0;
	for (exec_session *k = *list; k; k = k->next)
		running++;
	j->next = *list;
	*list = j;
	_cleanup_sv_fault_ sv_fault f = { 0 };
	_cleanup_cerr_ cerr why = { 0 };
	if (running >= MAX_JOBS) {
		sv_fault_internal(&f, "as many commands as it takes run in this container: try again later");
		exec_client_fail(j->client, &f);
	} else if (exited || !o->exec_bin) {
		sv_fault_bad_state(&f, o->id, "exited", "it has exited");
		exec_client_fail(j->client, &f);
	} else if (spawn_runner(j, req, &why) < 0) {
		log_cerr(LOG_LVL_WARN, &why, "%s: exec", o->id);
		kill_session(j);
		write_status(j, 0, 126);
		sv_fault_internal(&f, "could not start the command; see monitor.log");
		exec_client_fail(j->client, &f);
	} else if (req->mode == EXEC_DETACH) {
		write_status(j, j->runner, -1);
		exec_client_detached(j->client, j->leaf);
	} else {
		write_status(j, j->runner, -1);
	}
	if (j->runner > 0 && req->timeout > 0 &&
	    el_add_timer(loop, (uint64_t)req->timeout * 1000000ull, false, on_timeout, j, &j->timer, &why) < 0) {
		log_cerr(LOG_LVL_WARN, &why, "%s: exec: cannot time it; killed it", o->id);
		kill_session(j);
	}
	return 0;
}
