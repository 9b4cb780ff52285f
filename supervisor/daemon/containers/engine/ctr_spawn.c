/* corral-monitor processes: spawned on standby (fastpath.h), told words on
 * their socketpair, heard until they report to a Start (ctr_lifecycle.c), ended
 * when abandoned; and run as `--cleanup` for the state a dead one left. */
#include "supervisor/daemon/containers/record/ctr_service.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/containers/engine/ctr_spawn.h"
#include "supervisor/daemon/containers/record/ctr_checkpoint_dir.h"
#include "supervisor/daemon/containers/engine/ctr_monitor.h"
#include "supervisor/daemon/containers/record/ctr_waiters.h"
#include "supervisor/daemon/containers/record/img_source.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/logs/exitrec.h"
#include "supervisor/loop/child.h"
#include "supervisor/api/monitor_iface.h"
#include "common/timefmt.h"
#include "common/cleanup.h"
#include "common/fdpass.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void kill_pidfd(int pidfd)
{
	syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
}

void ctr_spawn_kill(const ctr_spawn *s)
{
	kill_pidfd(s->pidfd);
}

void ctr_spawn_abandon(ctr *c)
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
		ctr_spawn_kill(s);
		siginfo_t si;
		waitid((idtype_t)P_PIDFD, (id_t)s->pidfd, &si, WEXITED);
		c->d->containers->n_standby--;
	}
	close(s->pidfd);
	CTR_FEATURES_EACH(c->d, start.spawn_gone, c->d, c); /* an ADD cut short runs its DEL */
	free(s->net_conf);
	free(s->net_err);
	ctr_done_forget(&s->done);
	free(s);
	c->spawn = NULL;
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
		return ctr_spawn_abandon(c);
	}
	if (k > 0)
		s->n += (size_t)k;
	s->buf[s->n] = '\0';
	char *nl = strchr(s->buf, '\n');
	if (!nl && k > 0 && s->n < sizeof(s->buf) - 1)
		return;
	if (nl)
		*nl = '\0';
	size_t created = strlen(MONITOR_CREATED);
	if (nl && !strncmp(s->buf, MONITOR_CREATED, created)) {
		pid_t pid = (pid_t)atoi(s->buf + created);
		s->n -= (size_t)(nl + 1 - s->buf);
		memmove(s->buf, nl + 1, s->n);
		/* the monitor waits for "start" or "abort" from whoever held it */
		if (CTR_FEATURES_FIRST(c->d, start.created_pid, c->d, c, pid))
			return;
		return s->reported(c, "the monitor held the start for a network that nothing attaches");
	}
	s->reported(c, s->buf);
}

/* corral-monitor in its own session, stdin and stdout on /dev/null; with
 * sync_fd >= 0 that goes to fd 3 and stderr to /dev/null too, else stderr
 * stays ours (the journal). */
static int spawn_exec_monitor(corrald *d, char *const *argv, int sync_fd, pid_t *pid)
{
	spawn_fds fds = { .in = SPAWN_NULL, .out = SPAWN_NULL, .err = sync_fd >= 0 ? SPAWN_NULL : SPAWN_INHERIT, .fd3 = sync_fd };
	return spawn_clean(d->monitor_bin, argv, &fds, true, pid);
}

/* A container whose monitor is gone, yet whose runtime state is still there:
 * the host went down under it, or the monitor was killed (or crashed)
 * before it reported (it deletes the state itself otherwise). Delete it the
 * way the monitor would, or the next start finds it "already exists". */
void ctr_drop_stale_state(corrald *d, ctr *c)
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
	char dir[PATH_MAX], sizearg[32], filesarg[16], images[PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	ctr_checkpoint_path(d, c, images, sizeof(images));
	snprintf(sizearg, sizeof(sizearg), "%zu", ctr_log_size(d, c));
	snprintf(filesarg, sizeof(filesarg), "%u", ctr_log_files(d, c));
	char monitors[PATH_MAX];
	ctr_cgroups_path(d, NULL, "monitors", monitors, sizeof(monitors));
	char *argv[24] = { "corral-monitor", "--dir", dir, "--root", d->runtime_root, "--id", c->id,
			   "--sync-fd", "3", "--standby", "--log-max-size", sizearg, "--log-max-files", filesarg };
	size_t k = 14;
	if (c->spec.interactive)
		argv[k++] = "--interactive";
	if (c->spec.network == CTR_NET_CNI)
		argv[k++] = "--net-hold";
	if (d->systemd_cgroup)
		argv[k++] = "--systemd-cgroup";
	/* out of corrald's cgroup (monitor/placement.c): its own scope beside
	 * the container's, or the cgroup beside the containers' */
	argv[k++] = d->systemd_cgroup ? "--scope-slice" : "--cgroup";
	argv[k++] = d->systemd_cgroup ? d->cgroup_parent : monitors;
	if (c->spec.log_path) { /* kubelet's: it rotates it, and asks for a reopen */
		argv[k++] = "--log-path";
		argv[k++] = c->spec.log_path;
	}
	if (c->restoring) {
		argv[k++] = "--restore";
		argv[k++] = images;
	}
	argv[k] = NULL;
	int r = spawn_exec_monitor(d, argv, sync_fd, pid);
	return r < 0 ? cerr_sys(err, -r, "%s", d->monitor_bin) : 0;
}

int ctr_spawn_new(corrald *d, ctr *c, cerr *err)
{
	_cleanup_close_pair_ int sp[2] = { -1, -1 };
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		return cerr_sys(err, errno, "socketpair");
	fcntl(sp[0], F_SETFL, O_NONBLOCK);
	pid_t pid;
	int r = spawn_monitor(d, c, sp[1], &pid, err);
	if (r < 0)
		return r;
	/* our child, not yet reaped: the pid is still its own here */
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		r = cerr_sys(err, errno, "pidfd_open");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return r;
	}
	if ((r = el_add_child(d->loop, pid, on_monitor_reaped, NULL, NULL, err)) < 0) {
		kill_pidfd(pidfd);
		siginfo_t si;
		waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED);
		return r;
	}
	_cleanup_free_ ctr_spawn *s = calloc(1, sizeof(*s));
	if (!s || (r = el_add_io(d->loop, sp[0], EPOLLIN, on_spawn_report, c, &s->io, err)) < 0) {
		kill_pidfd(pidfd); /* the loop reaps it */
		return s ? r : cerr_set(err, ENOMEM, "out of memory");
	}
	s->fd = TAKE_FD(sp[0]);
	s->pid = pid;
	s->pidfd = TAKE_FD(pidfd);
	s->standby = true;
	d->containers->n_standby++;
	c->spawn = TAKE_PTR(s);
	return 0;
}

/* Say "word", with the "prep" it needs first if it was not said yet, and
 * fds along with it. */
static bool say(ctr_spawn *s, const char *word, const int *fds, size_t n_fds)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%s%s", s->prepped ? "" : MONITOR_PREP, word);
	s->prepped = true;
	return fd_send(s->fd, buf, (size_t)n, fds, n_fds, 0) == n;
}

bool ctr_spawn_say(ctr_spawn *s, const char *word) { return say(s, word, NULL, 0); }

bool ctr_spawn_go(ctr_spawn *s, ctr *c)
{
	char word[16 + MONITOR_MAX_ATTACH] = "go";
	size_t k = 2;
	if (c->n_attach)
		word[k++] = ' ';
	for (size_t i = 0; i < c->n_attach; i++)
		word[k++] = c->attach_stdin[i] ? '1' : '0';
	word[k++] = '\n';
	word[k] = '\0';
	if (!say(s, word, c->attach_fds, c->n_attach))
		return false;
	ctr_drop_attached(c); /* the monitor has them now */
	return true;
}
