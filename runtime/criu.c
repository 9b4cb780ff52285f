#include "criu.h"
#include "exec_path.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/spawn.h"
#include "common/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

void criu_last_error(const char *text, char *out, size_t len)
{
	out[0] = '\0';
	char first[256] = "";
	for (const char *p = text; p && *p;) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const char *e = memmem(p, n, "Error (", 7);
		if (e) {
			/* "Error (criu/vdso.c:613): vdso: ..." without the source place */
			const char *text_at = memmem(e, n - (size_t)(e - p), "): ", 3);
			const char *from = text_at ? text_at + 3 : e;
			size_t k = n - (size_t)(from - p);
			snprintf(out, len, "%.*s", (int)k, from);
			if (!first[0])
				snprintf(first, sizeof(first), "%s", out);
		}
		p = end ? end + 1 : NULL;
	}
	/* the first is the cause, the last what criu made of it */
	if (first[0] && strcmp(first, out) != 0) {
		char last[256];
		snprintf(last, sizeof(last), "%s", out);
		snprintf(out, len, "%s (%s)", first, last);
	}
}

int criu_open(const char *name, struct criu *c, cerr *err)
{
	_cleanup_free_ char *path = NULL;
	name = name ? name : CRIU_DEFAULT;
	if (exec_find(name, environ, &path, NULL) < 0)
		return cerr_set(err, ENOENT, "criu: %s is not installed (Debian's criu package)", name);
	snprintf(c->path, sizeof(c->path), "%s", path);
	char out[512];
	char *argv[] = { c->path, "--version", NULL };
	int r = spawn_output(c->path, argv, true, out, sizeof(out));
	if (r < 0)
		return cerr_sys(err, -r, "criu: %s", c->path);
	const char *v = strstr(out, "Version: ");
	unsigned a = 0, b = 0, d = 0;
	if (r != 0 || !v || sscanf(v + 9, "%u.%u.%u", &a, &b, &d) < 2)
		return cerr_set(err, EINVAL, "criu: %s --version: no version in \"%.100s\"", c->path, out);
	c->version = (int)(a * 10000 + b * 100 + d);
	snprintf(c->text, sizeof(c->text), d ? "%u.%u.%u" : "%u.%u", a, b, d);
	if (c->version < CRIU_MIN_VERSION)
		return cerr_set(err, ENOTSUP, "criu %s is too old: corral needs 3.0 or later", c->text);
	return 0;
}

int criu_check(const struct criu *c, cerr *err)
{
	char out[4096], why[512];
	char *argv[] = { (char *)c->path, "check", NULL };
	int r = spawn_output(c->path, argv, true, out, sizeof(out));
	if (r < 0)
		return cerr_sys(err, -r, "criu: %s", c->path);
	if (r == 0)
		return 0;
	criu_last_error(out, why, sizeof(why));
	return cerr_set(err, ENOTSUP, "criu %s cannot checkpoint on this host: `criu check` says: %s", c->text,
			why[0] ? why : "it failed");
}

/* criu with our own stdio: what --inherit-fd gives the restored tree */
static int start_with_stdio(const char *path, char **argv, char **envp, int in, int fd3, pid_t *pid)
{
	spawn_fds fds = { .in = in < 0 ? SPAWN_INHERIT : in, .out = SPAWN_INHERIT, .err = SPAWN_INHERIT, .fd3 = fd3 < 0 ? SPAWN_NULL : fd3 };
	return spawn_clean_env(path, argv, envp, &fds, false, pid);
}

static int wait_status(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#define NOTIFY_ENV "CORRAL_CRIU_NOTIFY" /* the directory of the action script's FIFOs */
#define NOTIFY_REQ "criu.req"          /* the script's pid line to us */
#define NOTIFY_REP "criu.rep"          /* our "ok" or "no" to it */

struct notify_fifos {
	char req[PATH_MAX], rep[PATH_MAX];
	int req_fd, rep_fd;
};

static void notify_fifos_close(struct notify_fifos *f)
{
	if (f->req_fd >= 0)
		unlink(f->req);
	if (f->rep_fd >= 0)
		unlink(f->rep);
	closep(&f->req_fd);
	closep(&f->rep_fd);
	f->req_fd = f->rep_fd = -1;
}

/* Both ends held open read-write: neither open blocks, nor does a script
 * that dies leave us waiting on it. */
static int notify_fifos_open(const char *dir, struct notify_fifos *f, cerr *err)
{
	snprintf(f->req, sizeof(f->req), "%s/" NOTIFY_REQ, dir);
	snprintf(f->rep, sizeof(f->rep), "%s/" NOTIFY_REP, dir);
	const char *paths[] = { f->req, f->rep };
	int *fds[] = { &f->req_fd, &f->rep_fd };
	for (int i = 0; i < 2; i++) {
		unlink(paths[i]);
		if (mkfifo(paths[i], 0600) < 0 || (*fds[i] = open(paths[i], O_RDWR | O_CLOEXEC)) < 0) {
			int e = errno;
			unlink(paths[i]);
			notify_fifos_close(f);
			return cerr_sys(err, e, "criu: the action script's FIFO %s", paths[i]);
		}
	}
	return 0;
}

/* Answer the script's setup-namespaces while criu runs; its status when
 * it ends, and the caller's failure, if any, in *failed. */
static int serve_notify(pid_t criu, struct notify_fifos *f, const struct criu_notify *n, cerr *failed)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, criu, 0);
	if (pidfd < 0) { /* the script would wait for an answer that never comes */
		cerr_sys(failed, errno, "criu restore: pidfd_open");
		kill(criu, SIGKILL);
	}
	for (bool done = pidfd < 0; !done;) {
		struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = f->req_fd, .events = POLLIN } };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			cerr_sys(failed, errno, "criu restore: poll"); /* and no answer would come */
			kill(criu, SIGKILL);
			break;
		}
		if (p[1].revents & POLLIN) {
			char line[32] = "";
			ssize_t k = read(f->req_fd, line, sizeof(line) - 1);
			long pid = k > 0 ? strtol(line, NULL, 10) : 0;
			int r = pid > 0 ? n->setup_namespaces((pid_t)pid, n->arg, failed)
					: cerr_set(failed, EPROTO, "criu restore: the action script gave no pid");
			const char *answer = r < 0 ? "no\n" : "ok\n";
			if (write(f->rep_fd, answer, 3) != 3)
				cerr_set(failed, errno, "criu restore: answer the action script");
		}
		done = p[0].revents != 0;
	}
	return wait_status(criu);
}

int criu_action_main(int argc)
{
	const char *action = getenv("CRTOOLS_SCRIPT_ACTION"), *dir = getenv(NOTIFY_ENV);
	if (argc != 1 || !action || !dir)
		return -1;
	if (strcmp(action, "setup-namespaces") != 0)
		return 0;
	const char *pid = getenv("CRTOOLS_INIT_PID");
	char req[PATH_MAX], rep[PATH_MAX], line[8] = "";
	snprintf(req, sizeof(req), "%s/" NOTIFY_REQ, dir);
	snprintf(rep, sizeof(rep), "%s/" NOTIFY_REP, dir);
	/* Neither open may wait: a corral that was killed would never come. Its
	 * end gone, the read is at the end of the file, and the restore fails. */
	_cleanup_close_ int w = open(req, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	_cleanup_close_ int r = open(rep, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (!pid || w < 0 || r < 0 || fcntl(r, F_SETFL, 0) < 0 || dprintf(w, "%s\n", pid) < 0 ||
	    read(r, line, sizeof(line) - 1) < 3)
		return 1;
	return strncmp(line, "ok", 2) == 0 ? 0 : 1;
}

/* criu's environment with the FIFOs' directory for its action script */
static char **notify_env(const char *dir)
{
	char **env = strv_copy(environ), *v = NULL;
	if (!env || asprintf(&v, NOTIFY_ENV "=%s", dir) < 0 || strv_push(&env, v) < 0) {
		strv_free(env);
		return NULL;
	}
	return env;
}

int criu_run(const struct criu *c, char *const *args, const struct criu_run_opts *o, const char *log, cerr *err)
{
	_cleanup_(strv_freep) char **argv = NULL;
	int r = strv_push(&argv, strdup(c->path));
	for (size_t i = 0; r == 0 && args[i]; i++)
		r = strv_push(&argv, strdup(args[i]));
	char self[64];
	snprintf(self, sizeof(self), "/proc/%d/exe", (int)getpid());
	if (r == 0 && o && o->notify)
		r = strv_push(&argv, strdup("--action-script")) ?: strv_push(&argv, strdup(self));
	if (r < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	char out[4096] = "", why[512];
	int rc;
	_cleanup_cerr_ cerr failed = { 0 };
	if (!o) {
		rc = spawn_output(c->path, argv, true, out, sizeof(out));
	} else {
		/* a restored process that got criu's stdout would hold a capture pipe open */
		struct notify_fifos f = { .req_fd = -1, .rep_fd = -1 };
		_cleanup_(strv_freep) char **env = NULL;
		if (o->notify && ((r = notify_fifos_open(o->notify->dir, &f, err)) < 0 ||
				  !(env = notify_env(o->notify->dir)))) {
			notify_fifos_close(&f);
			return r < 0 ? r : cerr_set(err, ENOMEM, "out of memory");
		}
		pid_t pid;
		rc = start_with_stdio(c->path, argv, env, o->in, o->fd3, &pid);
		if (rc == 0)
			rc = o->notify ? serve_notify(pid, &f, o->notify, &failed) : wait_status(pid);
		notify_fifos_close(&f);
	}
	if (rc < 0)
		return cerr_sys(err, -rc, "criu: %s", c->path);
	if (failed.code) /* what the action failed on says more than criu's log */
		return cerr_set(err, failed.code, "%s", cerr_msg(&failed));
	if (rc == 0)
		return 0;
	_cleanup_free_ char *text = NULL;
	if (read_file(log, 1 << 24, &text, NULL, NULL) == 0)
		criu_last_error(text, why, sizeof(why));
	else
		criu_last_error(out, why, sizeof(why));
	if (!why[0])
		snprintf(why, sizeof(why), "it exited with status %d", rc);
	return cerr_set(err, EIO, "criu %s failed: %s (its log: %s)", args[0], why, log);
}
