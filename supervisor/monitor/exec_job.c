#include "supervisor/monitor/exec_job.h"
#include "supervisor/loop/child.h"
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
	el_child *runner;   /* until it has exited and its output ended */
	char leaf[32];      /* its child cgroup, under the container's */
	el_source *timer;
	bool truncated, timed_out, killed;
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
	if (j->runner)
		el_child_kill(j->runner); /* and its output is no longer read */
	j->killed = true;
}

static void job_free(exec_job *j)
{
	for (exec_job **p = j->list; *p; p = &(*p)->next)
		if (*p == j) {
			*p = j->next;
			break;
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
	el_remove(j->timer);
	j->timer = NULL;
	cerr err = { 0 };
	if (remove_leaf(j) || el_add_timer(j->loop, 20000, true, on_rmdir_retry, j, &j->timer, &err) < 0) {
		cerr_clear(&err);
		job_free(j);
	}
}

static void reply(exec_job *j, const el_child_result *r)
{
	vl_call_set_cancel(j->call, NULL, NULL);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g) {
		vl_call_error(j->call, MONITOR_IFACE ".InternalError", NULL);
		return;
	}
	yajl_gen_map_open(g);
	jg_key_int(g, "exitCode", r->code);
	for (int i = 0; i < 2; i++) {
		jg_key(g, i ? "stderr" : "stdout");
		jg_text(g, r->out[i].buf ? r->out[i].buf : "", r->out[i].len);
	}
	jg_key_bool(g, "truncated", j->truncated || r->truncated);
	jg_key_bool(g, "timedOut", j->timed_out);
	yajl_gen_map_close(g);
	vl_call_reply_gen(j->call, g);
}

/* The runner has exited and its output has ended (or was let go). */
static void on_runner_done(const el_child_result *r, void *data)
{
	exec_job *j = data;
	j->runner = NULL; /* freed after this */
	if (j->call)
		reply(j, r);
	j->call = NULL;
	job_end(j);
}

static void on_timeout(el_source *s, void *data)
{
	exec_job *j = data;
	j->timer = NULL;
	j->timed_out = j->truncated = true;
	kill_job(j);
}

static void on_cancel(vl_call *call, void *data)
{
	exec_job *j = data;
	j->call = NULL;
	kill_job(j);
}

bool exec_job_reaped(exec_job **list, pid_t pid, int status)
{
	for (exec_job *j = *list; j; j = j->next)
		if (j->runner && el_child_pid(j->runner) == pid) {
			el_child_exited(j->runner, status);
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

int exec_job_start(exec_job **list, el_loop *loop, const monitor_steady_opts *o, vl_call *call,
		   const exec_request *req)
{
	static unsigned serial;
	exec_job *j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	*j = (exec_job){ .list = list, .o = o, .loop = loop, .call = call };
	snprintf(j->leaf, sizeof(j->leaf), "exec-%u-%u", (unsigned)getpid(), ++serial);
	_cleanup_free_ char **argv = NULL;
	cerr err = { 0 };
	if (runner_argv(j, req, &argv) < 0) {
		cerr_set(&err, ENOMEM, "out of memory");
	} else {
		el_child_opts run = { .path = o->exec_bin, .argv = argv, .fd3 = o->pidfd,
				      .max_output = EXEC_MAX_OUTPUT, .caller_reaps = true };
		el_child_run(loop, &run, on_runner_done, j, &j->runner, &err);
	}
	if (err.code) {
		int r = -err.code;
		log_cerr(LOG_LVL_WARN, &err, "%s: exec", o->id);
		free(j);
		return r;
	}
	j->next = *list;
	*list = j;
	if (req->timeout > 0 &&
	    el_add_timer(loop, (uint64_t)req->timeout * 1000000ull, false, on_timeout, j, &j->timer, &err) < 0) {
		/* cannot time it: end it, and answer once it is reaped */
		log_cerr(LOG_LVL_WARN, &err, "%s: exec", o->id);
		kill_job(j);
	}
	vl_call_set_cancel(call, on_cancel, j);
	return 0;
}
