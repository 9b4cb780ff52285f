/* corral-copy image-load and image-save (copy.h): the Streams end of an
 * ImageLoad or ImageSave that came without a path. The image work is
 * corral-images', run exactly as for a file (its limits on hostile
 * archives included); this only moves the bytes: the client's STDIN frames
 * into a spool that is its fd 3, or its fd 3 (a pipe) out in STDOUT
 * frames. */
#include "supervisor/copy/copy.h"
#include "supervisor/copy/image_stream.h"
#include "supervisor/varlink/stdin_frames.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/spawn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run argv with fd3, its stdout and stderr kept in memfds for after; the
 * pid, or -errno with err set. */
static pid_t run_images(char *const *argv, int fd3, int *out, int *errfd, cerr *err)
{
	*out = memfd_create("images-out", MFD_CLOEXEC);
	*errfd = memfd_create("images-err", MFD_CLOEXEC);
	if (*out < 0 || *errfd < 0)
		return cerr_sys(err, errno, "memfd");
	spawn_fds fds = { .in = SPAWN_NULL, .out = *out, .err = *errfd, .fd3 = fd3 };
	pid_t pid;
	int r = spawn_clean(argv[0], argv, &fds, false, &pid);
	return r < 0 ? cerr_sys(err, -r, "%s", argv[0]) : pid;
}

/* What a memfd holds (at most max bytes); NULL when empty. */
static char *memfd_text(int fd, size_t max)
{
	char *text = NULL;
	size_t len;
	_cleanup_cerr_ cerr err = { 0 };
	if (lseek(fd, 0, SEEK_SET) < 0 || read_fd(fd, "output", max, &text, &len, &err) < 0 || !len) {
		free(text);
		return NULL;
	}
	return text;
}

/* corral-images' end, told to the client: its stdout (the "Loaded image:"
 * lines) as STDOUT and to our own stdout for corrald, its last stderr line
 * as STDERR; its exit code, which is ours. */
static int relay_end(int sock, pid_t pid, int out, int errfd, bool with_stdout)
{
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	_cleanup_free_ char *said = with_stdout ? memfd_text(out, 64 << 10) : NULL;
	_cleanup_free_ char *why = code ? memfd_text(errfd, 64 << 10) : NULL;
	if (said) {
		stream_send(sock, STREAM_STDOUT, said, strlen(said));
		fputs(said, stdout);
	}
	if (code) {
		size_t n = why ? strlen(why) : 0;
		while (n && why[n - 1] == '\n')
			n--;
		const char *line = why ? why + n : "";
		while (line > why && line[-1] != '\n')
			line--;
		char msg[1024];
		int k = snprintf(msg, sizeof(msg), "%.*s\n", (int)(why + n - line), n ? line : "corral-images failed");
		stream_send(sock, STREAM_STDERR, msg, k < (int)sizeof(msg) ? (size_t)k : sizeof(msg) - 1);
		fputs(msg, stderr);
	}
	uint32_t be = htonl((uint32_t)code);
	stream_send(sock, STREAM_EXIT, &be, sizeof(be));
	return code;
}

int image_stream_load(const char *spool_dir, uint64_t max, char *const *argv, int sock, cerr *err)
{
	/* unnamed: gone with us, whatever ends us */
	_cleanup_close_ int spool = open(spool_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (spool < 0)
		return cerr_sys(err, errno, "%s", spool_dir);
	stdin_frames *in = stdin_frames_new(sock, max);
	if (!in)
		return cerr_set(err, ENOMEM, "out of memory");
	long n;
	const void *p;
	while ((n = stdin_frames_next(in, &p, err)) > 0)
		if (write_all(spool, p, (size_t)n) < 0) {
			n = cerr_sys(err, errno, "the spool");
			break;
		}
	stdin_frames_free(in);
	if (n < 0)
		return cerr_wrap(err, "the archive");
	_cleanup_close_ int out = -1, errfd = -1;
	pid_t pid = run_images(argv, spool, &out, &errfd, err);
	if (pid < 0)
		return pid;
	return relay_end(sock, pid, out, errfd, true);
}

int image_stream_save(char *const *argv, int sock, cerr *err)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return cerr_sys(err, errno, "pipe");
	_cleanup_close_ int rd = pfd[0], out = -1, errfd = -1;
	pid_t pid = run_images(argv, pfd[1], &out, &errfd, err);
	close(pfd[1]);
	if (pid < 0)
		return pid;
	static char buf[STREAM_MAX_PAYLOAD];
	ssize_t n;
	while ((n = read(rd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (stream_send(sock, STREAM_STDOUT, buf, (size_t)n) < 0) {
			kill(pid, SIGTERM); /* nobody reads it: its store stays whole */
			break;
		}
	}
	return relay_end(sock, pid, out, errfd, false);
}
