/* fsync of several files at once. Each fsync ends in a flush of the
 * device's cache; asynchronous fsyncs (IOCB_CMD_FSYNC, Linux 4.18) run side
 * by side in the kernel, so their flushes overlap instead of queueing. */
#include "fileio.h"
#include "common/fsync_all.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* 0 when all were synced, else -1 (the caller syncs them one by one). The
 * context is kept for the life of the process: io_destroy waits for an RCU
 * grace period, tens of milliseconds. */
static int fsync_aio(const int *fds, size_t n, int *first_err)
{
	static aio_context_t ctx;
	static pid_t owner;
	if (owner != getpid()) { /* a forked child does not share it */
		ctx = 0;
		if (syscall(SYS_io_setup, FSYNC_ALL_MAX, &ctx) < 0)
			return -1;
		owner = getpid();
	}
	struct iocb cb[FSYNC_ALL_MAX], *p[FSYNC_ALL_MAX];
	for (size_t i = 0; i < n; i++) {
		memset(&cb[i], 0, sizeof(cb[i]));
		cb[i].aio_fildes = (uint32_t)fds[i];
		cb[i].aio_lio_opcode = IOCB_CMD_FSYNC;
		p[i] = &cb[i];
	}
	long sent = syscall(SYS_io_submit, ctx, (long)n, p);
	long done = 0;
	while (sent > 0 && done < sent) {
		struct io_event ev[FSYNC_ALL_MAX];
		long k = syscall(SYS_io_getevents, ctx, sent - done, sent - done, ev, NULL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			owner = 0; /* its late events must not count for the next call */
			return -1;
		}
		for (long i = 0; i < k; i++)
			if (ev[i].res < 0 && !*first_err)
				*first_err = (int)ev[i].res;
		done += k;
	}
	return sent == (long)n ? 0 : -1;
}

int fsync_all(const int *fds, size_t n)
{
	int r = 0;
	if (n > 1 && n <= FSYNC_ALL_MAX && fsync_aio(fds, n, &r) == 0)
		return r;
	r = 0;
	for (size_t i = 0; i < n; i++)
		if (fsync(fds[i]) < 0 && !r)
			r = -errno;
	return r;
}

int fsync_dirs(const char *const *dirs, size_t n)
{
	if (n > FSYNC_ALL_MAX)
		return -E2BIG;
	int fds[FSYNC_ALL_MAX] = { 0 }, r = 0;
	size_t opened = 0;
	for (; opened < n; opened++)
		if ((fds[opened] = open(dirs[opened], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
			r = -errno;
			break;
		}
	if (r == 0)
		r = fsync_all(fds, n);
	for (size_t i = 0; i < opened; i++)
		close(fds[i]);
	return r;
}
