/* Freezing and thawing through cgroup.freeze. The write only starts the
 * change; cgroup.events says "frozen 1" once every task has stopped. */
#include "cgroups.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "cgfile.h"
#include "common/monotonic.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

static int read_frozen(int evfd)
{
	char buf[512];
	ssize_t n = pread(evfd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	char *p = strstr(buf, "frozen ");
	return p ? p[7] == '1' : -ENOTSUP;
}

int cg_frozen(cg *c, bool *frozen)
{
	_cleanup_close_ int fd = openat(c->dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = read_frozen(fd);
	if (r < 0)
		return r;
	*frozen = r;
	return 0;
}

int cg_freeze(cg *c, bool freeze, int timeout_ms, cerr *err)
{
	const char *what = freeze ? "freeze" : "thaw";
	_cleanup_close_ int fd = openat(c->dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cerr_sys(err, errno, "cgroup %s: %s: cgroup.events", c->path, what);
	int r = cg_write_at(c->dirfd, "cgroup.freeze", freeze ? "1" : "0");
	if (r < 0)
		return cerr_sys(err, -r, "cgroup %s: %s: cgroup.freeze", c->path, what);
	int64_t t0 = mono_ms();
	for (;;) {
		int f = read_frozen(fd);
		if (f < 0)
			return cerr_sys(err, -f, "cgroup %s: %s: cgroup.events", c->path, what);
		if (f == freeze)
			return 0;
		int64_t spent = mono_ms() - t0;
		if (spent >= timeout_ms) {
			/* leave no half-frozen container behind a failed pause */
			if (freeze)
				cg_write_at(c->dirfd, "cgroup.freeze", "0");
			return cerr_set(err, ETIMEDOUT, "cgroup %s: %s: not %s after %d ms", c->path, what,
					freeze ? "frozen" : "thawed", timeout_ms);
		}
		struct pollfd pfd = { .fd = fd, .events = POLLPRI };
		int64_t left = timeout_ms - spent;
		poll(&pfd, 1, (int)(left < 50 ? left : 50));
	}
}
