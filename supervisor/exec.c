/* Exec: run a command inside a running container without a terminal. A
 * forked child joins the container's cgroup and namespaces (setns on a pidfd
 * of its init), forks once more to land in its pid namespace, and execs; the
 * output is kept up to EXEC_MAX_OUTPUT per stream. */
#include "capture.h"
#include "service_ctr.h"
#include "bundle_gen.h"
#include "ctr.h"
#include "params.h"
#include "service.h"
#include "bundle/spec.h"
#include "cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "common/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXEC_MAX_OUTPUT (1u << 20)
#define KNOWN(...) ((const char *const[]){ __VA_ARGS__, NULL })

typedef struct exec_job {
	vl_call *call;
	el_source *io[2], *child, *timer;
	int fd[2];
	strbuf out[2];
	bool truncated, exited;
	int code;
	pid_t pid;
} exec_job;

static void job_free(exec_job *j)
{
	for (int i = 0; i < 2; i++) {
		el_remove(j->io[i]);
		if (j->fd[i] >= 0)
			close(j->fd[i]);
		sb_release(&j->out[i]);
	}
	el_remove(j->child);
	el_remove(j->timer);
	free(j);
}

static void on_cancel(vl_call *call, void *data)
{
	exec_job *j = data;
	j->call = NULL;
	if (j->exited)
		job_free(j);
	/* else the child's exit frees it */
}

static void maybe_reply(exec_job *j)
{
	if (!j->exited || j->fd[0] >= 0 || j->fd[1] >= 0)
		return;
	if (j->call) {
		vl_call_set_cancel(j->call, NULL, NULL);
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		if (g) {
			yajl_gen_map_open(g);
			jg_key_int(g, "exitCode", j->code);
			jg_key(g, "stdout");
			yajl_gen_string(g, (const unsigned char *)(j->out[0].buf ? j->out[0].buf : ""), j->out[0].len);
			jg_key(g, "stderr");
			yajl_gen_string(g, (const unsigned char *)(j->out[1].buf ? j->out[1].buf : ""), j->out[1].len);
			jg_key_bool(g, "truncated", j->truncated);
			yajl_gen_map_close(g);
			vl_call_reply_gen(j->call, g);
		} else {
			vl_call_error(j->call, SV_ERR("InternalError"), NULL);
		}
	}
	job_free(j);
}

static void on_out(el_source *s, int fd, uint32_t events, void *data)
{
	exec_job *j = data;
	int i = fd == j->fd[0] ? 0 : 1;
	if (!capture_read(fd, &j->out[i], EXEC_MAX_OUTPUT, &j->truncated))
		return;
	el_remove(s);
	j->io[i] = NULL;
	close(fd);
	j->fd[i] = -1;
	maybe_reply(j);
}

static void on_exit_(el_source *s, pid_t pid, const siginfo_t *si, void *data)
{
	exec_job *j = data;
	j->child = NULL;
	j->exited = true;
	j->code = si->si_code == CLD_EXITED ? si->si_status : 128 + si->si_status;
	el_remove(j->timer);
	j->timer = NULL;
	maybe_reply(j);
}

static void on_timeout(el_source *s, void *data)
{
	exec_job *j = data;
	j->timer = NULL;
	/* the command's processes are in the container: the group goes too */
	if (j->pid > 0 && !j->exited)
		kill(j->pid, SIGKILL);
	j->truncated = true;
	for (int i = 0; i < 2; i++)
		if (j->fd[i] >= 0) {
			el_remove(j->io[i]);
			j->io[i] = NULL;
			close(j->fd[i]);
			j->fd[i] = -1;
		}
}

_Noreturn static void child(int pidfd, const char *cgprocs, char **argv, char **env, const char *cwd,
			    long uid, long gid, int out, int errfd)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	int null = open("/dev/null", O_RDONLY);
	dup2(null, 0);
	dup2(out, 1);
	dup2(errfd, 2);
	if (cgprocs)
		write_file_str(cgprocs, "0");
	if (setns(pidfd, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP) < 0) {
		dprintf(2, "exec: join the container's namespaces: %s\n", strerror(errno));
		_exit(126);
	}
	pid_t p = fork(); /* the pid namespace applies to children */
	if (p < 0)
		_exit(126);
	if (p > 0) {
		int st;
		while (waitpid(p, &st, 0) < 0 && errno == EINTR)
			;
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	if (chdir(cwd) < 0) {
		dprintf(2, "exec: workdir %s: %s\n", cwd, strerror(errno));
		_exit(126);
	}
	if (setgroups(0, NULL) < 0 || setgid((gid_t)gid) < 0 || setuid((uid_t)uid) < 0) {
		dprintf(2, "exec: user %ld:%ld: %s\n", uid, gid, strerror(errno));
		_exit(126);
	}
	execvpe(argv[0], argv, env);
	dprintf(2, "exec: %s: %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

static int str_array(yajl_val v, char ***out)
{
	for (size_t i = 0; YAJL_IS_ARRAY(v) && i < v->u.array.len; i++) {
		char *s = strdup(v->u.array.values[i]->u.string);
		if (!s || strv_push(out, s) < 0) {
			free(s);
			return -ENOMEM;
		}
	}
	return 0;
}

void sv_exec(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	long long t;
	const char *id, *wd, *user;
	if (sp_known(call, params, KNOWN("id", "command", "env", "workdir", "user", "timeout")) < 0 ||
	    sp_str(call, params, "id", true, &id) < 0 || sp_int(call, params, "timeout", 0, 86400, 0, &t) < 0 ||
	    sp_str(call, params, "workdir", false, &wd) < 0 || sp_str(call, params, "user", false, &user) < 0)
		return;
	yajl_val cmd = json_get(params, "command"), env = json_get(params, "env");
	if (!YAJL_IS_ARRAY(cmd) || cmd->u.array.len == 0)
		return (void)sp_invalid(call, "command", "must be a non-empty array of strings");
	for (size_t i = 0; i < cmd->u.array.len; i++)
		if (!YAJL_IS_STRING(cmd->u.array.values[i]))
			return (void)sp_invalid(call, "command", "must be a non-empty array of strings");
	if (env && !YAJL_IS_NULL(env)) {
		if (!YAJL_IS_ARRAY(env))
			return (void)sp_invalid(call, "env", "must be an array of KEY=VALUE strings");
		for (size_t i = 0; i < env->u.array.len; i++)
			if (!YAJL_IS_STRING(env->u.array.values[i]) || !strchr(env->u.array.values[i]->u.string, '='))
				return (void)sp_invalid(call, "env", "must be an array of KEY=VALUE strings");
	}
	ctr *c = ctr_find(d, id);
	if (!c) {
		_cleanup_free_ char *p = vl_json_obj1("id", id);
		return (void)vl_call_error(call, SV_ERR("NoSuchContainer"), p);
	}
	if (c->status != CS_RUNNING || c->pid <= 0) {
		_cleanup_free_ char *p = NULL;
		if (asprintf(&p, "{\"id\":\"%s\",\"state\":\"%s\",\"reason\":\"it is not running\"}", c->id,
			     ctr_status_str[c->status]) < 0)
			p = NULL;
		return (void)vl_call_error(call, SV_ERR("InvalidState"), p);
	}
	char path[PATH_MAX];
	ctr_dir(d, c, path, sizeof(path));
	strncat(path, "/config.json", sizeof(path) - strlen(path) - 1);
	_cleanup_spec_ struct oci_spec *s = NULL;
	cerr err = { 0 };
	_cleanup_strv_ char **argv = NULL, **envv = NULL;
	long uid = 0, gid = 0;
	_cleanup_close_ int pidfd = -1;
	if (spec_load(path, &s, &err) < 0)
		goto internal;
	uid = s->process.user.uid;
	gid = s->process.user.gid;
	if (user && bundle_resolve_user(s->root_path, user, &uid, &gid, &err) < 0) {
		sp_invalid(call, "user", cerr_msg(&err));
		cerr_clear(&err);
		return;
	}
	envv = strv_copy(s->process.env ? s->process.env : (char *const[]){ NULL });
	if (!envv || str_array(cmd, &argv) < 0 || str_array(env, &envv) < 0) {
		cerr_set(&err, ENOMEM, "out of memory");
		goto internal;
	}
	pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	if (pidfd < 0) {
		cerr_sys(&err, errno, "container %s: its init", c->id);
		goto internal;
	}
	const char *mount;
	char procs[PATH_MAX];
	bool have_cg = cg_find_mount(&mount) == 0;
	if (have_cg)
		snprintf(procs, sizeof(procs), "%s%s/%s/cgroup.procs", mount,
			 streq(d->cgroup_parent, "/") ? "" : d->cgroup_parent, c->id);
	int po[2], pe[2];
	if (pipe2(po, O_CLOEXEC) < 0) {
		cerr_sys(&err, errno, "pipe");
		goto internal;
	}
	if (pipe2(pe, O_CLOEXEC) < 0) {
		close(po[0]);
		close(po[1]);
		cerr_sys(&err, errno, "pipe");
		goto internal;
	}
	pid_t pid = fork();
	if (pid == 0)
		child(pidfd, have_cg ? procs : NULL, argv, envv, wd ? wd : s->process.cwd ? s->process.cwd : "/", uid,
		      gid, po[1], pe[1]);
	close(po[1]);
	close(pe[1]);
	exec_job *j = calloc(1, sizeof(*j));
	if (pid < 0 || !j) {
		close(po[0]);
		close(pe[0]);
		free(j);
		cerr_set(&err, pid < 0 ? errno : ENOMEM, "fork");
		goto internal;
	}
	j->call = call;
	j->pid = pid;
	j->fd[0] = po[0];
	j->fd[1] = pe[0];
	for (int i = 0; i < 2; i++) {
		fcntl(j->fd[i], F_SETFL, fcntl(j->fd[i], F_GETFL) | O_NONBLOCK);
		el_add_io(d->loop, j->fd[i], EPOLLIN, on_out, j, &j->io[i], NULL);
	}
	el_add_child(d->loop, pid, on_exit_, j, &j->child, NULL);
	if (t > 0)
		el_add_timer(d->loop, (uint64_t)t * 1000000ull, false, on_timeout, j, &j->timer, NULL);
	vl_call_set_cancel(call, on_cancel, j);
	return;
internal:;
	_cleanup_free_ char *p = vl_json_obj1("reason", cerr_msg(&err));
	cerr_clear(&err);
	vl_call_error(call, SV_ERR("InternalError"), p);
}
