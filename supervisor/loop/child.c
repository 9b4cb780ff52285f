#include "supervisor/loop/child.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/pdeath.h"

#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct el_child {
	el_loop *loop;
	uid_t member; /* whose bound it counts against; 0: none */
	pid_t pid;
	el_source *io[2], *exit_watch;
	int fd[2];
	strbuf out[2];
	size_t max_output;
	bool truncated, exited;
	int code;
	el_child_done_fn done;
	void *data;
	bool (*on_line)(const char *line, size_t n, void *data);
	size_t line_start; /* in out[0]: where the line not yet seen begins */
	el_post killed;    /* done, for one killed after its exit was seen */
};

static void close_output(el_child *c, int i)
{
	el_remove(c->io[i]);
	c->io[i] = NULL;
	if (c->fd[i] >= 0)
		close(c->fd[i]);
	c->fd[i] = -1;
}

static void child_free(el_child *c)
{
	for (int i = 0; i < 2; i++) {
		close_output(c, i);
		sb_release(&c->out[i]);
	}
	el_remove(c->exit_watch);
	el_post_cancel(c->loop, &c->killed);
	if (c->member)
		el_member_give(c->loop, c->member);
	free(c);
}

void el_child_abandon(el_child *c) { child_free(c); }

static void maybe_done(el_child *c)
{
	if (!c->exited || c->fd[0] >= 0 || c->fd[1] >= 0)
		return;
	el_child_result r = { .code = c->code, .out = c->out, .truncated = c->truncated };
	c->done(&r, c->data);
	child_free(c);
}

/* Hand each whole new line of stdout to on_line; drop those it took. */
static void take_lines(el_child *c)
{
	strbuf *b = &c->out[0];
	char *nl;
	while (c->line_start < b->len && (nl = memchr(b->buf + c->line_start, '\n', b->len - c->line_start))) {
		char *line = b->buf + c->line_start;
		size_t n = (size_t)(nl - line);
		if (c->on_line(line, n, c->data)) {
			memmove(line, nl + 1, b->len - c->line_start - n - 1);
			b->len -= n + 1;
			b->buf[b->len] = '\0';
		} else {
			c->line_start += n + 1;
		}
	}
}

static void on_output(el_source *s, int fd, uint32_t events, void *data)
{
	el_child *c = data;
	int i = fd == c->fd[0] ? 0 : 1;
	char buf[16384];
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		size_t room = c->max_output > c->out[i].len ? c->max_output - c->out[i].len : 0;
		if ((size_t)n > room) {
			c->truncated = true;
			n = (ssize_t)room;
		}
		sb_add(&c->out[i], buf, (size_t)n);
		if (i == 0 && c->on_line)
			take_lines(c);
		return;
	}
	close_output(c, i);
	maybe_done(c);
}

void el_child_exited(el_child *c, int status)
{
	c->exited = true;
	c->code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	maybe_done(c);
}

static void on_exit_watch(el_source *s, pid_t pid, const siginfo_t *si, void *data)
{
	el_child *c = data;
	el_remove(s); /* its pidfd too */
	c->exit_watch = NULL;
	el_child_exited(c, si->si_code == CLD_EXITED ? W_EXITCODE(si->si_status, 0) : si->si_status);
}


pid_t el_child_pid(const el_child *c)
{
	return c->pid;
}

void el_child_signal(el_child *c, int sig)
{
	if (!c->exited) /* not reaped: the pid is still its own */
		kill(c->pid, sig);
}

static void on_killed_post(el_post *p) { maybe_done((el_child *)(void *)((char *)p - offsetof(el_child, killed))); }

void el_child_kill(el_child *c)
{
	el_child_signal(c, SIGKILL);
	for (int i = 0; i < 2; i++)
		close_output(c, i);
	if (c->exited) /* no event is left to run done: the turn's end does */
		el_post_queue(c->loop, &c->killed);
}

/* A memfd holding text, at its start: a child reads it whole, and we
 * never block writing to it. */
static int input_fd(const char *text, size_t len)
{
	_cleanup_close_ int fd = memfd_create("stdin", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (size_t done = 0; done < len;) {
		ssize_t k = write(fd, text + done, len - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EIO;
		done += (size_t)k;
	}
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	return TAKE_FD(fd);
}

/* A member's helper yields to everything else: nice 19, and the lowest
 * best-effort I/O class (ioprio_set(2); idle could starve it for ever). */
static void lowest_priority(pid_t pid)
{
	setpriority(PRIO_PROCESS, (id_t)pid, 19);
	syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, pid, 2 << 13 /* BE */ | 7);
}

/* The forked child of a fn, or of a path that ends with the loop: stdin in
 * (or /dev/null), stdout and stderr the pipes, nothing else of the
 * parent's open, no signal blocked; a path's signals at their defaults, as
 * posix_spawn gives them. */
static _Noreturn void fn_child(const el_child_opts *o, int in, int out, int errfd, pid_t parent)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL); /* the parent's are for its signalfd */
	if (in < 0)
		in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0 ||
	    (o->fd3 != SPAWN_NULL ? dup2(o->fd3, 3) < 0 || close_range(4, ~0u, 0) < 0 : close_range(3, ~0u, 0) < 0) ||
	    die_with_parent(parent) < 0)
		_exit(127);
	if (o->member)
		lowest_priority(0);
	if (o->fn)
		_exit(o->fn(o->arg) & 0xff);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	execve(o->path, o->argv, o->envp ? o->envp : environ);
	/* what a spawn's caller is told, on the stderr its owner reads (write
	 * alone: this is the forked copy of a process with threads) */
	static const char cannot[] = ": cannot be run\n";
	if (write(2, o->path, strlen(o->path)) > 0 && write(2, cannot, sizeof(cannot) - 1) > 0)
		_exit(127);
	_exit(127); /* not even that could be said: the status alone */
}

static int fork_fn(const el_child_opts *o, int in, int out, int errfd, pid_t *pid)
{
	pid_t parent = getpid();
	*pid = fork();
	if (*pid == 0)
		fn_child(o, in, out, errfd, parent);
	return *pid < 0 ? -errno : 0;
}

int el_child_member_room(el_loop *l, uid_t member, cerr *err)
{
	if (member && !el_member_room(l, member))
		return cerr_set(err, EUSERS, "uid %u has %zu of corrald's helpers at work already, the most a member may have at once",
				(unsigned)member, el_member_max(l));
	return 0;
}

int el_child_run(el_loop *l, const el_child_opts *o, el_child_done_fn done, void *data, el_child **out, cerr *err)
{
	int r = el_child_member_room(l, o->member, err);
	if (r < 0)
		return r;
	bool forked = o->fn || o->ends_with_loop;
	el_child *c = calloc(1, sizeof(*c));
	if (!c || (o->member && el_member_take(l, o->member) < 0)) {
		free(c);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	*c = (el_child){ .loop = l, .member = o->member, .fd = { -1, -1 }, .max_output = o->max_output, .done = done,
			 .data = data, .on_line = o->on_line, .killed = { .fn = on_killed_post } };
	_cleanup_close_pair_ int po[2] = { -1, -1 }, pe[2] = { -1, -1 };
	_cleanup_close_ int in = -1;
	if (o->input && (in = input_fd(o->input, o->input_len)) < 0)
		r = cerr_sys(err, -in, "stdin of %s", o->path ? o->path : "a forked child");
	else if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
		r = cerr_sys(err, errno, "pipe");
	} else {
		spawn_fds fds = { .in = in >= 0 ? in : SPAWN_NULL, .out = po[1], .err = pe[1], .fd3 = o->fd3 };
		if (forked && (r = fork_fn(o, in, po[1], pe[1], &c->pid)) < 0)
			cerr_sys(err, -r, "fork");
		else if (!forked && (r = spawn_clean_env(o->path, o->argv, o->envp, &fds, false, &c->pid)) < 0)
			cerr_sys(err, -r, "%s", o->path);
	}
	if (r < 0) {
		child_free(c);
		return r;
	}
	/* a forked child lowers its own before it runs; a spawned helper just
	 * after its exec, before it has much to fork */
	if (o->member && !forked)
		lowest_priority(c->pid);
	c->fd[0] = TAKE_FD(po[0]);
	c->fd[1] = TAKE_FD(pe[0]);
	for (int i = 0; i < 2; i++)
		fcntl(c->fd[i], F_SETFL, fcntl(c->fd[i], F_GETFL) | O_NONBLOCK);
	if (el_add_io(l, c->fd[0], EPOLLIN, on_output, c, &c->io[0], err) < 0 ||
	    el_add_io(l, c->fd[1], EPOLLIN, on_output, c, &c->io[1], err) < 0 ||
	    (!o->caller_reaps && el_add_child(l, c->pid, on_exit_watch, c, &c->exit_watch, err) < 0)) {
		kill(c->pid, SIGKILL);
		if (!o->caller_reaps) {
			waitpid(c->pid, NULL, 0);
			child_free(c);
			return err->code ? -err->code : -EIO;
		}
		/* the caller reaps it, and done runs then */
		log_warn("%s: %s; killed it", o->path ? o->path : "a forked child", cerr_msg(err));
		cerr_clear(err);
		el_child_kill(c);
	}
	*out = c;
	return 0;
}
