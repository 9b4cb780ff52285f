/* start, kill and delete of a created container, by its state. */
#include "container.h"
#include "runtime/netdevices.h"
#include "runtime/lifecycle.h"
#include "bundle/spec_parse.h"
#include "checkpoint.h"
#include "hooks.h"
#include "cgroups/systemd.h"
#include "cgroups/systemd_scope.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DELETE_WAIT_MS 10000

int container_load_spec(const char *root, const char *id, struct oci_spec **out, cerr *err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s/config.json", root, id);
	int r = spec_load(path, out, err);
	return r < 0 ? cerr_wrap(err, "container \"%s\"", id) : 0;
}

/* After the init's "0", the fifo stays open until execve: anything more is
 * a startContainer hook's error; EOF means the process was executed. */
static int await_exec(int fifo, const char *id, cerr *err)
{
	char buf[1024];
	size_t n = 0;
	int fl = fcntl(fifo, F_GETFL);
	fcntl(fifo, F_SETFL, fl & ~O_NONBLOCK);
	for (;;) {
		ssize_t r = read(fifo, buf + n, sizeof(buf) - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || (n += (size_t)r) == sizeof(buf) - 1)
			break;
	}
	buf[n] = '\0';
	if (n)
		return cerr_set(err, EIO, "%s", buf);
	(void)id;
	return 0;
}

int container_start(const char *root, const char *id, cerr *err)
{
	_cleanup_state_ struct rt_state *s = NULL;
	int r = state_load(root, id, &s, err);
	if (r < 0)
		return r;
	enum rt_status st = state_status(root, s);
	if (st != ST_CREATED)
		return cerr_set(err, EINVAL, "container \"%s\" is %s, not created", id, rt_status_names[st]);
	_cleanup_close_ int pidfd = state_pidfd(s);
	if (pidfd < 0)
		return cerr_set(err, ESRCH, "container \"%s\" is stopped", id);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s/" EXEC_FIFO, root, id);
	_cleanup_close_ int fifo = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fifo < 0)
		return cerr_sys(err, errno, "container \"%s\": open exec fifo", id);
	/* a pidfd becomes readable when the init exits: never wait forever */
	for (;;) {
		struct pollfd p[2] = { { .fd = fifo, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return cerr_sys(err, errno, "start %s: poll", id);
		}
		if (p[0].revents & (POLLIN | POLLHUP)) {
			char ch;
			if (read(fifo, &ch, 1) == 1)
				break;
			/* the writer came and went without a byte for us: a
			 * concurrent start took it */
			if (p[0].revents & POLLHUP)
				return cerr_set(err, EALREADY, "container \"%s\" was started by another caller", id);
		}
		if (p[1].revents & POLLIN)
			return cerr_set(err, ESRCH, "container \"%s\" exited before it was started", id);
	}
	unlink(path);
	_cleanup_spec_ struct oci_spec *oci = NULL;
	if ((r = container_load_spec(root, id, &oci, err)) < 0)
		return r;
	if ((r = await_exec(fifo, id, err)) < 0)
		return r;
	if (oci->n_hooks[HOOK_POSTSTART]) {
		_cleanup_free_ char *json = state_to_json(s, ST_RUNNING, false);
		if (json)
			hooks_run_warn(oci, HOOK_POSTSTART, json);
	}
	return 0;
}

static int open_cgroup(const struct rt_state *s, cg **out)
{
	*out = NULL;
	if (!s->cgroup_path)
		return 0;
	return cg_open(s->cgroup_mount, s->cgroup_path, out, NULL);
}

int container_kill(const char *root, const char *id, int sig, bool all, cerr *err)
{
	_cleanup_state_ struct rt_state *s = NULL;
	int r = state_load(root, id, &s, err);
	if (r < 0)
		return r;
	enum rt_status st = state_status(root, s);
	if (st == ST_CREATING)
		return cerr_set(err, ESRCH, "container not running (still being created)");
	/* as runc: --all signals what is left in the cgroup, and is done when
	 * the init has gone; without it, a stopped container fails with the
	 * text engines match on (containerd: "container not running") */
	if (all) {
		_cleanup_cg_ cg *c = NULL;
		if (open_cgroup(s, &c) == 0 && c)
			return cg_signal_all(c, sig, err);
		if (st == ST_STOPPED)
			return 0;
	}
	_cleanup_close_ int pidfd = st == ST_STOPPED ? -1 : state_pidfd(s);
	if (pidfd < 0)
		return cerr_set(err, ESRCH, "container not running");
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
		return cerr_sys(err, errno, "kill %s", id);
	return 0;
}

static bool wait_pidfd(int pidfd, int ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	return poll(&p, 1, ms) == 1;
}

int container_delete(const char *root, const char *id, bool force, cerr *err)
{
	_cleanup_state_ struct rt_state *s = NULL;
	int r = state_load(root, id, &s, err);
	if (r < 0)
		return r;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/%s", root, id);
	_cleanup_close_ int lock = state_lock(dir);
	if (lock < 0)
		return cerr_sys(err, -lock, "delete %s: lock %s", id, dir);
	enum rt_status st = state_status(root, s);
	if ((st == ST_RUNNING || st == ST_PAUSED) && !force)
		return cerr_set(err, EBUSY, "container \"%s\" is %s: stop it first, or use --force", id,
				rt_status_names[st]);
	if (st == ST_CREATING && !force)
		return cerr_set(err, EBUSY, "container \"%s\" is being created", id);
	_cleanup_cg_ cg *c = NULL;
	open_cgroup(s, &c);
	/* a config that cannot be read (created by an older corral) has no
	 * hooks and no devices */
	_cleanup_spec_ struct oci_spec *oci = NULL;
	_cleanup_cerr_ cerr ignored = { 0 };
	container_load_spec(root, id, &oci, &ignored);
	if (st != ST_STOPPED) {
		_cleanup_close_ int pidfd = state_pidfd(s);
		if (c) {
			/* a frozen cgroup would hold SIGKILL: thaw it first */
			write_file_str_at(c->dirfd, "cgroup.freeze", "0");
			cg_signal_all(c, SIGKILL, NULL);
		}
		if (pidfd >= 0) {
			syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
			if (!wait_pidfd(pidfd, DELETE_WAIT_MS))
				return cerr_set(err, ETIMEDOUT, "container \"%s\": init did not exit after SIGKILL", id);
		}
	}
	/* the systemd driver: no unit is left behind (runc stops it, then
	 * removes what is left of the cgroup) */
	const char *unit = s->systemd_cgroup && s->cgroup_path ? strrchr(s->cgroup_path, '/') : NULL;
	if (unit && (r = cg_scope_stop(unit + 1, err)) < 0)
		return cerr_wrap(err, "delete %s", id);
	if (c && (r = cg_destroy(c, true, err)) < 0)
		return cerr_wrap(err, "delete %s", id);
	netdev_release(dir, oci ? &oci->linux_ : NULL);
	/* poststop: after the container is gone, before delete returns */
	if (oci && oci->n_hooks[HOOK_POSTSTOP]) {
		_cleanup_free_ char *json = state_to_json(s, ST_STOPPED, false);
		if (json)
			hooks_run_warn(oci, HOOK_POSTSTOP, json);
	}
	/* a restore killed while criu ran left the rootfs bound there */
	char croot[PATH_MAX];
	snprintf(croot, sizeof(croot), "%s/" CRIU_ROOT, dir);
	umount2(croot, MNT_DETACH);
	r = rm_rf(dir);
	if (r < 0)
		return cerr_sys(err, -r, "delete %s: remove %s", id, dir);
	return 0;
}

int container_open_cgroup(const char *root, const char *id, bool live, struct rt_state **state, cg **out, cerr *err)
{
	*out = NULL;
	int r = state_load(root, id, state, err);
	if (r < 0)
		return r;
	if (live && state_status(root, *state) == ST_STOPPED)
		return cerr_set(err, ESRCH, "container not running");
	if (!(*state)->cgroup_path)
		return cerr_set(err, ENOTSUP, "container \"%s\" has no cgroup: it was created rootless with no "
				"cgroup delegated to its user, or where no cgroup2 was mounted", id);
	r = cg_open((*state)->cgroup_mount, (*state)->cgroup_path, out, err);
	return r < 0 ? cerr_wrap(err, "container \"%s\"", id) : 0;
}
