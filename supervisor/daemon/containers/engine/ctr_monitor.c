/* Talking to a container's monitor on its monitor.sock: a watch whose end
 * says the container has ended, calls (Stop, Kill), and connections that
 * pass a client on.
 *
 * A pair with ctr_lifecycle.c: the transitions watch and signal
 * the monitor, and the watch's end is the container's (ctr_ended). */
#include "supervisor/daemon/containers/engine/ctr_monitor.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/daemon/containers/engine/ctr_lifecycle.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/client.h"
#include "supervisor/varlink/peer.h"
#include "supervisor/api/monitor_iface.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define MONITOR_CALL_MS 5000

static void on_monitor_event(el_source *s, int fd, uint32_t events, void *data);

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

int ctr_monitor_watch(corrald *d, ctr *c, cerr *err)
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

int ctr_monitor_open(corrald *d, ctr *c, vl_client **out, cerr *err)
{
	char dir[PATH_MAX], path[64];
	ctr_dir(d, c, dir, sizeof(dir));
	_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return cerr_sys(err, errno, "%s", dir);
	monitor_sock_path(dfd, path, sizeof(path));
	/* corrald's loop waits on it: a monitor stopped, its backlog full,
	 * must not hold it */
	return vl_client_connect_within(path, MONITOR_CALL_MS, out, err);
}

int ctr_monitor_kill(ctr *c, cerr *err)
{
	/* the monitor (root's) listened on the socket mon_fd is connected to;
	 * without that connection no exit would follow: not ESRCH */
	peer_cred mon;
	if (c->mon_fd < 0 || peer_get(c->mon_fd, &mon, NULL) < 0 || mon.pid <= 0 || mon.uid != 0)
		return cerr_set(err, ENOTCONN, "container %s: no connection to its monitor to kill it by", c->id);
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, mon.pid, 0);
	if (pidfd < 0)
		return cerr_sys(err, errno, "container %s: its monitor (pid %d)", c->id, (int)mon.pid);
	/* still connected, so the pid is still the monitor's, not reused */
	struct pollfd p = { .fd = c->mon_fd, .events = POLLRDHUP };
	if (poll(&p, 1, 0) < 0 || (p.revents & (POLLHUP | POLLRDHUP | POLLERR)))
		return cerr_set(err, ESRCH, "container %s: its monitor has ended", c->id);
	if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0)
		return cerr_sys(err, errno, "container %s: kill its monitor (pid %d)", c->id, (int)mon.pid);
	log_warn("container %s: its monitor (pid %d) took no call: killed it", c->id, (int)mon.pid);
	return 0;
}

/* Ask the monitor something; its varlink answers in well under a second. */
static int monitor_call(corrald *d, ctr *c, const char *method, const char *params, cerr *err)
{
	_cleanup_vl_client_ vl_client *cl = NULL;
	int r = ctr_monitor_open(d, c, &cl, err);
	vl_reply rep;
	if (r == 0)
		r = vl_client_call(cl, method, params, &rep, err);
	if (r < 0 && err && monitor_gone(err->code)) {
		/* a monitor ends right after its container: the exit is on its
		 * way through the event stream */
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
	ctr_ended(c->d, c);
}
