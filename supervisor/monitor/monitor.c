#include "supervisor/monitor/monitor.h"
#include "supervisor/monitor/steady.h"
#include "supervisor/logs/crilog.h"
#include "supervisor/varlink/server.h"
#include "common/timefmt.h"
#include "common/cleanup.h"
#include "common/fdpass.h"
#include "common/log.h"
#include "runtime/checkpoint.h"
#include "runtime/restore.h"
#include "runtime/container.h"
#include "runtime/lifecycle.h"
#include "runtime/create.h"
#include "runtime/sealed_exe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void sync_say(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sync_say(int fd, const char *fmt, ...)
{
	if (fd < 0)
		return;
	char buf[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && write(fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1) < 0)
		log_warn("report to corrald: %s", strerror(errno));
}

/* The init inherits our stdio: point 1 and 2 at fresh pipes, and 0 at one
 * when interactive (a terminal init puts its pty over them), create, then
 * take our own stdio back to /dev/null so that only the container holds
 * its ends. *in is the stdin pipe's write end (-1: none). */
static int create_with_stdio(const monitor_opts *o, const struct create_prep *prep, struct container *c, int fd[2],
			     int *in, cerr *err)
{
	_cleanup_close_pair_ int out[2] = { -1, -1 }, errp[2] = { -1, -1 }, inp[2] = { -1, -1 };
	_cleanup_close_ int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return cerr_sys(err, errno, "/dev/null");
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 || (o->interactive && pipe2(inp, O_CLOEXEC) < 0))
		return cerr_sys(err, errno, "pipe");
	dup2(o->interactive ? inp[0] : null, 0);
	dup2(out[1], 1);
	dup2(errp[1], 2);
	struct create_opts co = { .root = o->root, .id = o->id, .bundle = o->dir, .keep_pty = true,
				  .systemd_cgroup = o->systemd_cgroup };
	/* a restore hands these pipes to the tree in place of the dump's; a
	 * network of corrald's was left out of the dump (--empty-ns net), and
	 * is attached again as at a start */
	struct ckpt_opts k = { .image_path = o->restore, .work_path = o->dir, .empty_net = o->net_hold };
	int r = o->restore ? container_restore_prepared(&co, prep, &k, c, err) : container_create_prepared(&co, prep, c, err);
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	if (r < 0)
		return r;
	if (c->pty_master >= 0) {
		fd[0] = TAKE_FD(c->pty_master);
	} else {
		fd[0] = TAKE_FD(out[0]);
		fd[1] = TAKE_FD(errp[0]);
		*in = TAKE_FD(inp[1]);
	}
	return 0;
}

int monitor_cleanup(const char *root, const char *id, cerr *err)
{
	return container_delete(root, id, true, err);
}

int monitor_checkpoint(const char *root, const char *id, const char *images, bool leave_running, bool empty_net,
		       cerr *err)
{
	struct ckpt_opts k = { .image_path = images, .leave_running = leave_running, .empty_net = empty_net };
	return container_checkpoint(root, id, &k, err);
}

/* Replace this process (same pid: the container stays our child) with
 * corral-monitor-lean, which maps no runtime library. Returns on failure. */
static void exec_lean(const monitor_steady_opts *s, const monitor_opts *o)
{
	char self[PATH_MAX], lean[PATH_MAX + 32];
	snprintf(self, sizeof(self), "%s", sealed_exe_origin());
	char *slash = strrchr(self, '/');
	snprintf(lean, sizeof(lean), "%.*s/corral-monitor-lean", (int)(slash ? slash - self : 1), slash ? self : ".");
	char a[9][32], att[MONITOR_MAX_ATTACH][24];
	int fds[] = { s->pidfd, s->fd[0], s->fd[1], s->listen_fd, s->in_fd, s->mask_fd };
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
		snprintf(a[i], sizeof(a[i]), "%d", fds[i]);
		if (fds[i] >= 0)
			fcntl(fds[i], F_SETFD, 0);
	}
	snprintf(a[6], sizeof(a[6]), "%d", (int)s->pid);
	snprintf(a[7], sizeof(a[7]), "%zu", o->log_max_size);
	snprintf(a[8], sizeof(a[8]), "%u", o->log_max_files);
	const char *argv[40 + 2 * MONITOR_MAX_ATTACH] = { "corral-monitor", "--dir", o->dir, "--root", o->root, "--id", o->id,
		"--pid", a[6], "--pidfd", a[0], "--out", a[1], "--err", a[2], "--listen", a[3], "--in", a[4],
		"--mask-fd", a[5], "--log-max-size", a[7], "--log-max-files", a[8], "--started-at", s->started_at, "--cleanup-bin", self };
	size_t k = 0;
	while (argv[k])
		k++;
	if (o->log_path) {
		argv[k++] = "--log-path";
		argv[k++] = o->log_path;
	}
	if (s->cgroup_path && s->cgroup_mount) {
		argv[k++] = "--cgroup-mount";
		argv[k++] = s->cgroup_mount;
		argv[k++] = "--cgroup-path";
		argv[k++] = s->cgroup_path;
	}
	if (s->tty)
		argv[k++] = "--tty";
	if (s->interactive)
		argv[k++] = "--interactive";
	for (size_t i = 0; i < s->n_attach && i < MONITOR_MAX_ATTACH; i++) {
		snprintf(att[i], sizeof(att[i]), "%d:%d", s->attach_fds[i], s->attach_stdin[i]);
		fcntl(s->attach_fds[i], F_SETFD, 0);
		argv[k++] = "--attach";
		argv[k++] = att[i];
	}
	argv[k] = NULL;
	execv(lean, (char **)argv);
	log_warn("exec %s: %s; supervising in this process", lean, strerror(errno));
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0)
			fcntl(fds[i], F_SETFD, FD_CLOEXEC);
	for (size_t i = 0; i < s->n_attach; i++)
		fcntl(s->attach_fds[i], F_SETFD, FD_CLOEXEC);
}

/* What corrald says on the sync fd, and the sockets of clients attached
 * before the start that come with it. */
typedef struct sync_in {
	int fd;
	int attach[MONITOR_MAX_ATTACH];
	bool attach_stdin[MONITOR_MAX_ATTACH];
	size_t n_attach;
} sync_in;

static void sync_in_release(sync_in *s)
{
	for (size_t i = 0; i < s->n_attach; i++)
		close(s->attach[i]);
	s->n_attach = 0;
}

/* Up to n bytes, keeping fds that come along. */
static ssize_t sync_recv(sync_in *s, char *buf, size_t n)
{
	size_t got;
	ssize_t k = fd_recv(s->fd, buf, n, s->attach + s->n_attach, MONITOR_MAX_ATTACH - s->n_attach, &got, NULL, 0);
	if (k < 0) {
		errno = (int)-k;
		return -1;
	}
	s->n_attach += got;
	return k;
}

/* corrald spawns the monitor at the start of CreateContainer, so that its
 * exec and dynamic linking overlap the rest of Create: "prep\n" says the
 * bundle is complete, "go\n" (Start) says create. Reads one line, byte by
 * byte: both may come in one write. */
static bool wait_line(sync_in *s, char *line, size_t size)
{
	size_t n = 0;
	while (n < size - 1) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		int r = poll(&p, 1, MONITOR_STANDBY_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		ssize_t k = sync_recv(s, line + n, 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		if (line[n++] == '\n') {
			line[n] = '\0';
			return true;
		}
	}
	return false;
}

static bool wait_word(sync_in *s, const char *word)
{
	char line[32];
	return wait_line(s, line, sizeof(line)) && streq(line, word);
}

/* "go\n", or "go FLAGS\n" with a 0 or 1 per attached socket (stdin). */
static bool wait_go(sync_in *s)
{
	char line[32];
	size_t go = strlen(MONITOR_GO) - 1;
	if (!wait_line(s, line, sizeof(line)) || strncmp(line, MONITOR_GO, go) ||
	    (line[go] != '\n' && line[go] != ' '))
		return false;
	const char *flags = line[go] == ' ' ? line + go + 1 : "";
	for (size_t i = 0; i < s->n_attach; i++)
		s->attach_stdin[i] = i < strlen(flags) && flags[i] == '1';
	return true;
}

int monitor_run(const monitor_opts *o, cerr *err)
{
	_cleanup_(sync_in_release) sync_in sync = { .fd = o->sync_fd };
	if (o->standby && !wait_word(&sync, MONITOR_PREP))
		return 1;
	/* reads only (the config, the seccomp cache): done while waiting */
	struct create_opts co = { .root = o->root, .id = o->id, .bundle = o->dir, .keep_pty = true,
				  .systemd_cgroup = o->systemd_cgroup };
	_cleanup_(create_prep_release) struct create_prep prep = { 0 };
	_cleanup_cerr_ cerr perr = { 0 };
	int pr = container_prepare(&co, &prep, &perr);
	struct container c = { .pid = -1, .pidfd = -1, .pty_master = -1 };
	_cleanup_close_pair_ int fd[2] = { -1, -1 };
	_cleanup_close_ int in = -1;
	int lfd = -1;
	_cleanup_close_ int mask = -1;
	crilog log;
	_cleanup_close_ int dirfd = open(o->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return o->standby ? 1 : cerr_sys(err, errno, "%s", o->dir);
	/* ctr.log exists, and can be written, before the container does
	 * (corrald ends a standby monitor before it removes the directory) */
	char path[PATH_MAX];
	size_t max_size = crilog_path_of(o->dir, o->log_path, o->log_max_size, path);
	int r = crilog_open(&log, path, max_size, o->log_max_files, err);
	if (r == 0)
		crilog_close(&log);
	if (o->standby && !wait_go(&sync)) {
		cerr_clear(err);
		return 1;
	}
	if (r < 0)
		goto out;
	/* the values --secret NAME,mask=true redacts, read before the
	 * container exists: corrald detaches their tmpfs once it runs */
	mask = openat(dirfd, CRILOG_MASK_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (mask < 0 && errno != ENOENT) {
		r = cerr_sys(err, errno, "%s/" CRILOG_MASK_FILE, o->dir);
		goto out;
	}
	if (pr < 0) {
		*err = perr;
		perr = (cerr){ 0 }; /* err has its message now */
		r = pr;
		cerr_wrap(err, "create %s", o->id);
		goto out;
	}
	if ((r = create_with_stdio(o, &prep, &c, fd, &in, err)) < 0) {
		cerr_wrap(err, "%s %s", o->restore ? "restore" : "create", o->id);
		goto out;
	}
	char sock[64];
	monitor_sock_path(dirfd, sock, sizeof(sock));
	if ((r = vl_listen_socket(sock, 0600, PEER_NO_GROUP, &lfd, err)) < 0)
		goto out;
	if (o->net_hold) {
		sync_say(o->sync_fd, MONITOR_CREATED "%d\n", (int)c.pid);
		if (!wait_word(&sync, MONITOR_START)) {
			r = cerr_set(err, ECANCELED, "start %s: corrald did not attach its network", o->id);
			goto out;
		}
	}
	if (!o->restore && (r = container_start(o->root, o->id, err)) < 0) {
		cerr_wrap(err, "start %s", o->id);
		goto out;
	}
	char started[64];
	rfc3339_ns(0, started, sizeof(started));
	sync_say(o->sync_fd, MONITOR_OK "%d\n", (int)c.pid);
	if (o->sync_fd >= 0) {
		/* corrald closes its end once it has read the report: exec the
		 * lean monitor after that, not on the CPU corrald wakes up on
		 * (briefly: the container's output waits in its pipes) */
		struct pollfd p = { .fd = o->sync_fd, .events = POLLIN };
		poll(&p, 1, 50);
		close(o->sync_fd);
	}
	bool tty = fd[0] >= 0 && fd[1] < 0; /* the pty master alone */
	monitor_steady_opts s = { .dir = o->dir, .root = o->root, .id = o->id, .log_max_size = o->log_max_size,
				  .log_path = o->log_path,
				  .log_max_files = o->log_max_files, .pid = c.pid, .pidfd = c.pidfd,
				  .fd = { TAKE_FD(fd[0]), TAKE_FD(fd[1]) }, .listen_fd = lfd, .cgroup_mount = c.cgroup_mount,
				  .cgroup_path = c.cgroup_path, .started_at = started, .cleanup = monitor_cleanup,
				  .exec_bin = sealed_exe_origin(), .tty = tty, .in_fd = TAKE_FD(in),
				  .interactive = o->interactive, .mask_fd = TAKE_FD(mask), .attach_fds = sync.attach, .attach_stdin = sync.attach_stdin,
				  .n_attach = sync.n_attach };
	if (!getenv("CORRAL_MONITOR_NO_LEAN"))
		exec_lean(&s, o);
	c.pidfd = -1; /* the steady state owns it now */
	sync.n_attach = 0; /* and the attached clients */
	r = monitor_steady_run(&s, err);
	container_release(&c);
	return r;
out:
	sync_say(o->sync_fd, MONITOR_ERR "%s\n", cerr_msg(err));
	if (c.pid > 0) {
		_cleanup_cerr_ cerr e2 = { 0 };
		container_delete(o->root, o->id, true, &e2);
		waitpid(c.pid, NULL, 0);
	}
	if (lfd >= 0) {
		close(lfd);
		unlinkat(dirfd, MONITOR_SOCK, 0);
	}
	container_release(&c);
	return r;
}
