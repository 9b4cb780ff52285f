#include "supervisor/monitor/exec_job.h"
#include "supervisor/loop/capture.h"
#include "supervisor/monitor/monitor.h"
#include "supervisor/varlink/params.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS 4096

struct exec_job {
	exec_job *next, **list;
	const monitor_steady_opts *o;
	el_loop *loop;
	vl_call *call;
	pid_t pid;          /* the runner, our child */
	char leaf[32];      /* its child cgroup, under the container's */
	int fd[2];
	el_source *io[2], *timer;
	strbuf out[2];
	bool truncated, timed_out, exited, killed, ended;
	int code;
	unsigned rmdir_tries;
};

static void leaf_path(const exec_job *j, const char *file, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s/%s%s%s", j->o->cgroup_mount, j->o->cgroup_path, j->leaf, file ? "/" : "",
		 file ? file : "");
}

static bool has_leaf(const exec_job *j) { return j->o->cgroup_mount && j->o->cgroup_path; }

/* Everything the command started, wherever it went in its pid namespace. */
static void kill_job(exec_job *j)
{
	if (has_leaf(j)) {
		char p[PATH_MAX];
		leaf_path(j, "cgroup.kill", p, sizeof(p));
		int fd = open(p, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "1", 1) != 1)
			log_warn("%s: exec: kill %s: %s", j->o->id, p, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	if (!j->exited)
		kill(j->pid, SIGKILL);
	j->killed = true;
}

static void close_output(exec_job *j, int i)
{
	el_remove(j->io[i]);
	j->io[i] = NULL;
	if (j->fd[i] >= 0)
		close(j->fd[i]);
	j->fd[i] = -1;
}

static void job_free(exec_job *j)
{
	for (exec_job **p = j->list; *p; p = &(*p)->next)
		if (*p == j) {
			*p = j->next;
			break;
		}
	for (int i = 0; i < 2; i++) {
		close_output(j, i);
		sb_release(&j->out[i]);
	}
	el_remove(j->timer);
	free(j);
}

/* The child cgroup goes once all in it have ended: killed processes take a
 * moment to exit. What a command left running on purpose stays, and goes
 * with the container's cgroup. */
static bool remove_leaf(exec_job *j)
{
	if (!has_leaf(j))
		return true;
	char p[PATH_MAX];
	leaf_path(j, NULL, p, sizeof(p));
	return rmdir(p) == 0 || errno != EBUSY || !j->killed || ++j->rmdir_tries > 100;
}

static void on_rmdir_retry(el_source *s, void *data)
{
	exec_job *j = data;
	if (remove_leaf(j)) {
		el_remove(s);
		j->timer = NULL;
		job_free(j);
	}
}

static void job_end(exec_job *j)
{
	j->ended = true;
	el_remove(j->timer);
	j->timer = NULL;
	for (int i = 0; i < 2; i++)
		close_output(j, i);
	cerr err = { 0 };
	if (remove_leaf(j) || el_add_timer(j->loop, 20000, true, on_rmdir_retry, j, &j->timer, &err) < 0) {
		cerr_clear(&err);
		job_free(j);
	}
}

static void reply(exec_job *j)
{
	vl_call_set_cancel(j->call, NULL, NULL);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g) {
		vl_call_error(j->call, MONITOR_IFACE ".InternalError", NULL);
		return;
	}
	yajl_gen_map_open(g);
	jg_key_int(g, "exitCode", j->code);
	for (int i = 0; i < 2; i++) {
		jg_key(g, i ? "stderr" : "stdout");
		jg_text(g, j->out[i].buf ? j->out[i].buf : "", j->out[i].len);
	}
	jg_key_bool(g, "truncated", j->truncated);
	jg_key_bool(g, "timedOut", j->timed_out);
	yajl_gen_map_close(g);
	vl_call_reply_gen(j->call, g);
}

static void maybe_done(exec_job *j)
{
	if (j->ended || !j->exited || j->fd[0] >= 0 || j->fd[1] >= 0)
		return;
	if (j->call)
		reply(j);
	j->call = NULL;
	job_end(j);
}

static void on_output(el_source *s, int fd, uint32_t events, void *data)
{
	exec_job *j = data;
	int i = fd == j->fd[0] ? 0 : 1;
	if (!capture_read(fd, &j->out[i], EXEC_MAX_OUTPUT, &j->truncated))
		return;
	close_output(j, i);
	maybe_done(j);
}

/* Killed, the command no longer writes; nor do we wait for what it left. */
static void end_now(exec_job *j)
{
	kill_job(j);
	for (int i = 0; i < 2; i++)
		close_output(j, i);
}

static void on_timeout(el_source *s, void *data)
{
	exec_job *j = data;
	j->timer = NULL;
	j->timed_out = j->truncated = true;
	end_now(j);
	maybe_done(j);
}

static void on_cancel(vl_call *call, void *data)
{
	exec_job *j = data;
	j->call = NULL;
	end_now(j);
	maybe_done(j);
}

bool exec_job_reaped(exec_job **list, pid_t pid, int status)
{
	for (exec_job *j = *list; j; j = j->next) {
		if (j->pid != pid || j->exited || j->ended)
			continue;
		j->exited = true;
		j->code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		maybe_done(j);
		return true;
	}
	return false;
}

void exec_job_kill_all(exec_job *list)
{
	for (exec_job *j = list; j; j = j->next)
		kill_job(j);
}

/* argv of `corral-monitor --exec`, from the request. */
static int runner_argv(const exec_job *j, const exec_request *req, char ***out)
{
	static char pidfd_arg[] = "3";
	const char *cwd = req->cwd, *user = req->user;
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
	if (cwd) {
		a[k++] = (char *)"--cwd";
		a[k++] = (char *)cwd;
	}
	if (user) {
		a[k++] = (char *)"--user";
		a[k++] = (char *)user;
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

static _Noreturn void run_runner(const exec_job *j, char **argv, int out, int errfd)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0 || dup2(j->o->pidfd, 3) < 0)
		_exit(126);
	syscall(SYS_close_range, 4u, ~0u, 0u);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(j->o->exec_bin, argv);
	dprintf(2, "exec: %s: %s\n", j->o->exec_bin, strerror(errno));
	_exit(126);
}

int exec_request_parse(yajl_val params, exec_request *req, json_fault *f)
{
	int r;
	if ((r = sp_known(params, KNOWN("command", "env", "workdir", "user", "timeout"), f)) < 0 ||
	    (r = sp_str(params, "workdir", false, &req->cwd, f)) < 0 ||
	    (r = sp_str(params, "user", false, &req->user, f)) < 0 ||
	    (r = sp_int(params, "timeout", 0, 86400, 0, &req->timeout, f)) < 0)
		return r;
	req->command = json_get(params, "command");
	req->env = json_member(params, "env");
	if (!strings(req->command, false) || req->command->u.array.len == 0)
		return json_fault_set(f, EINVAL, "command", "must be a non-empty array of strings");
	if (req->env && !strings(req->env, true))
		return json_fault_set(f, EINVAL, "env", "must be an array of KEY=VALUE strings");
	return 0;
}

void exec_job_start(exec_job **list, el_loop *loop, const monitor_steady_opts *o, vl_call *call,
		    const exec_request *req)
{
	static unsigned serial;
	long long timeout = req->timeout;
	exec_job *j = calloc(1, sizeof(*j));
	if (!j)
		return (void)vl_call_error(call, MONITOR_IFACE ".InternalError", NULL);
	*j = (exec_job){ .list = list, .o = o, .loop = loop, .call = call, .pid = -1, .fd = { -1, -1 } };
	snprintf(j->leaf, sizeof(j->leaf), "exec-%u-%u", (unsigned)getpid(), ++serial);
	_cleanup_free_ char **argv = NULL;
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 };
	if (runner_argv(j, req, &argv) < 0 || pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0)
		goto fail;
	j->pid = fork();
	if (j->pid == 0)
		run_runner(j, argv, po[1], pe[1]);
	if (j->pid < 0)
		goto fail;
	close(po[1]);
	close(pe[1]);
	j->fd[0] = po[0];
	j->fd[1] = pe[0];
	j->next = *list;
	*list = j;
	cerr err = { 0 };
	for (int i = 0; i < 2; i++) {
		fcntl(j->fd[i], F_SETFL, fcntl(j->fd[i], F_GETFL) | O_NONBLOCK);
		if (el_add_io(loop, j->fd[i], EPOLLIN, on_output, j, &j->io[i], &err) < 0)
			break;
	}
	if (!err.code && timeout > 0)
		el_add_timer(loop, (uint64_t)timeout * 1000000ull, false, on_timeout, j, &j->timer, &err);
	if (err.code) {
		/* cannot watch it: end it, and answer once it is reaped */
		log_warn("%s: exec: %s", o->id, cerr_msg(&err));
		cerr_clear(&err);
		end_now(j);
	}
	vl_call_set_cancel(call, on_cancel, j);
	return;
fail:
	log_warn("%s: exec: %s", o->id, strerror(errno));
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	free(j);
	vl_call_error(call, MONITOR_IFACE ".InternalError", NULL);
}
