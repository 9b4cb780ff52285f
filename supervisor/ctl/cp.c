/* corralctl cp SRC DST, with CONTAINER:PATH on one side, as docker cp: a
 * tar stream in iface14's Streams frames over an upgraded connection
 * (CopyFrom sends STDOUT frames of tar, CopyTo takes STDIN frames and
 * CLOSE_STDIN; EXIT ends both, STDERR says why it failed). tar(1) packs
 * and unpacks on the host; corrald resolves the container's side in its
 * root. */
#include "supervisor/ctl/ctl.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "supervisor/varlink/streams.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* What came back over a stream: the exit code (-1: none yet) and STDERR. */
typedef struct stream_end {
	int code;
	strbuf msg;
} stream_end;

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == ENOTSOCK)
			w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* p's directory ("." for a bare name) and last name, trailing slashes
 * aside; 0 or EXIT_CTL. */
static int split_path(const char *p, char **parent, char **name)
{
	_cleanup_free_ char *s = strdup(p);
	size_t n = s ? strlen(s) : 0;
	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
	char *slash = s ? strrchr(s, '/') : NULL;
	*parent = !s ? NULL : !slash ? strdup(".") : strndup(s, slash == s ? 1 : (size_t)(slash - s));
	*name = !s ? NULL : strdup(slash && slash[1] ? slash + 1 : s);
	return *parent && *name ? 0 : ctl_fail("cp", "out of memory");
}

/* Read what the socket has and handle each whole frame: STDOUT to out (or
 * into head, up to want bytes), STDERR and EXIT into end. 1 when the stream
 * has ended (EXIT, or head full), 0 to read on, -errno on a broken one. */
static int take_frames(int fd, stream_reader *r, int out, strbuf *head, size_t want, stream_end *end)
{
	char *p;
	size_t room;
	if (stream_reader_reserve(r, 65536, &p, &room) < 0)
		return -ENOMEM;
	ssize_t n = read(fd, p, room);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (n == 0)
		return -ECONNRESET; /* closed before its EXIT */
	stream_reader_commit(r, (size_t)n);
	stream_frame f;
	int k;
	while ((k = stream_reader_next(r, &f)) > 0) {
		if (f.kind == STREAM_EXIT) {
			end->code = (int)stream_frame_u32(&f);
			return 1;
		}
		if (f.kind == STREAM_STDERR && sb_add(&end->msg, f.data, f.len) < 0)
			return -ENOMEM;
		if (f.kind == STREAM_STDOUT && head && sb_add(head, f.data, f.len) < 0)
			return -ENOMEM;
		if (f.kind == STREAM_STDOUT && head && head->len >= want)
			return 1;
		if (f.kind == STREAM_STDOUT && !head && (k = write_all(out, f.data, f.len)) < 0)
			return k;
	}
	return k;
}

/* Until the stream ends; 0, or EXIT_CTL after saying why. */
static int receive(int fd, int out, strbuf *head, size_t want, stream_end *end)
{
	stream_reader r;
	stream_reader_init(&r, STREAM_AT_CLIENT);
	int k;
	while ((k = take_frames(fd, &r, out, head, want, end)) == 0)
		;
	stream_reader_release(&r);
	if (k < 0)
		return ctl_failf("cp: the stream broke: %s", strerror(-k));
	return 0;
}

/* tar(1) with its stdin (to_tar) or its stdout on *fd. */
static int spawn_tar(char *const argv[], bool to_tar, int *fd, pid_t *pid)
{
	int p[2];
	posix_spawn_file_actions_t fa;
	if (pipe2(p, O_CLOEXEC) < 0)
		return ctl_failf("cp: pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[to_tar ? 0 : 1], to_tar ? STDIN_FILENO : STDOUT_FILENO);
	int r = posix_spawnp(pid, "tar", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[to_tar ? 0 : 1]);
	*fd = p[to_tar ? 1 : 0];
	if (r) {
		close(*fd);
		return ctl_failf("cp: tar: %s (cp needs tar(1) on the host)", strerror(r));
	}
	return 0;
}

static int reap_tar(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return ctl_failf("cp: tar: %s", strerror(errno));
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : ctl_failf("cp: tar failed (see above)");
}

static int copy_call(const char *method, const char *id, const char *path, bool quiet, int *fd)
{
	yajl_gen g = ctl_params(id);
	if (g && jg_key_str(g, "path", path)) {
		yajl_gen_free(g);
		g = NULL;
	}
	return ctl_call_upgrade(method, g, quiet, fd);
}

static int stream_failed(const char *what, stream_end *e)
{
	while (e->msg.len && e->msg.buf[e->msg.len - 1] == '\n')
		e->msg.buf[--e->msg.len] = '\0';
	return ctl_failf("cp: %s: %s", what, e->msg.len ? e->msg.buf : "failed");
}

/* The one entry tar left in dir, renamed to dst. */
static int move_single(const char *dir, const char *dst)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *e;
	_cleanup_free_ char *only = NULL;
	while (d && (e = readdir(d)))
		if (!streq(e->d_name, ".") && !streq(e->d_name, "..")) {
			if (only)
				return ctl_failf("cp: %s: the copy holds more than one top-level entry", dst);
			if (asprintf(&only, "%s/%s", dir, e->d_name) < 0)
				return ctl_fail("cp", "out of memory");
		}
	if (!only)
		return ctl_failf("cp: %s: nothing was copied", dst);
	if (rename(only, dst) < 0)
		return ctl_failf("cp: %s: %s", dst, strerror(errno));
	return 0;
}

/* CONTAINER:PATH to a host path (a directory to copy into, a new name, or
 * "-" for the tar itself on stdout). */
static int copy_from(const char *id, const char *path, const char *dst)
{
	struct stat st;
	bool into = streq(dst, "-") || (stat(dst, &st) == 0 && S_ISDIR(st.st_mode));
	_cleanup_free_ char *tmp = NULL, *parent = NULL, *name = NULL;
	if (!into) {
		/* a new name: unpacked beside it, then renamed */
		if (split_path(dst, &parent, &name))
			return EXIT_CTL;
		if (asprintf(&tmp, "%s/.corralctl-cp-XXXXXX", parent) < 0)
			return ctl_fail("cp", "out of memory");
		if (!mkdtemp(tmp))
			return ctl_failf("cp: %s: %s", dst, strerror(errno));
	}
	_cleanup_close_ int fd = -1;
	stream_end end = { -1, STRBUF_INIT };
	int tar_in = STDOUT_FILENO, rc;
	pid_t pid = 0;
	char *argv[] = { "tar", "-x", "-f", "-", "--no-same-owner", "-C", (char *)(tmp ? tmp : dst), NULL };
	rc = copy_call(M("CopyFrom"), id, path, false, &fd);
	if (!rc && !streq(dst, "-"))
		rc = spawn_tar(argv, true, &tar_in, &pid);
	if (!rc)
		rc = receive(fd, tar_in, NULL, 0, &end);
	if (pid) {
		close(tar_in);
		rc = reap_tar(pid) ? EXIT_CTL : rc;
	}
	if (!rc && end.code != 0)
		rc = stream_failed(path, &end);
	if (!rc && tmp)
		rc = move_single(tmp, dst);
	if (tmp)
		rm_rf(tmp);
	sb_release(&end.msg);
	return rc;
}

/* Whether path is a directory in the container: the first header of
 * CopyFrom's tar says (after any pax or GNU long-name headers). */
static bool ctr_is_dir(const char *id, const char *path)
{
	_cleanup_close_ int fd = -1;
	_cleanup_strbuf_ strbuf head = STRBUF_INIT;
	stream_end end = { -1, STRBUF_INIT };
	size_t at = 0;
	for (int hops = 0; hops < 4; hops++) {
		if ((fd < 0 && copy_call(M("CopyFrom"), id, path, true, &fd)) ||
		    (head.len < at + 512 && (receive(fd, -1, &head, at + 512, &end) || head.len < at + 512)))
			break;
		char type = head.buf[at + 156];
		if (type != 'x' && type != 'g' && type != 'L' && type != 'K') {
			sb_release(&end.msg);
			return type == '5';
		}
		at += 512 + (strtoull(head.buf + at + 124, NULL, 8) + 511) / 512 * 512;
	}
	sb_release(&end.msg);
	return false;
}

/* s escaped for one side of tar's --transform s|regex|replacement|. */
static int sed_escape(strbuf *out, const char *s, const char *special)
{
	int r = 0;
	for (; *s && !r; s++)
		r = (strchr(special, *s) ? sb_add(out, "\\", 1) : 0) || sb_add(out, s, 1);
	return r;
}

/* Pump tar's stdout into STDIN frames, then CLOSE_STDIN, until EXIT. */
static int send_tar(int fd, int from, stream_end *end)
{
	stream_reader r;
	_cleanup_strbuf_ strbuf frame = STRBUF_INIT;
	static char buf[65536];
	int k = 0;
	bool input = true;
	stream_reader_init(&r, STREAM_AT_CLIENT);
	while (k == 0) {
		struct pollfd p[2] = { { fd, POLLIN, 0 }, { input ? from : -1, POLLIN, 0 } };
		if (poll(p, 2, -1) < 0) {
			k = errno == EINTR ? 0 : -errno;
			continue;
		}
		if (p[0].revents) { /* the other side speaks only to end it */
			k = take_frames(fd, &r, -1, NULL, 0, end);
			continue;
		}
		if (!p[1].revents)
			continue;
		ssize_t n = read(from, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		sb_reset(&frame);
		if (n < 0 || stream_put(&frame, n > 0 ? STREAM_STDIN : STREAM_CLOSE_STDIN, buf, n > 0 ? (size_t)n : 0) < 0)
			k = n < 0 ? -errno : -ENOMEM;
		else
			k = write_all(fd, frame.buf, frame.len);
		input = n > 0;
	}
	stream_reader_release(&r);
	return k < 0 ? ctl_failf("cp: the stream broke: %s", strerror(-k)) : 0;
}

/* A host path ("-": a tar on stdin) to CONTAINER:PATH. */
static int copy_to(const char *src, const char *id, const char *path)
{
	_cleanup_free_ char *dir = NULL, *base = NULL, *into = NULL, *new_name = NULL;
	_cleanup_strbuf_ strbuf transform = STRBUF_INIT;
	size_t pl = strlen(path);
	struct stat st;
	bool from_stdin = streq(src, "-");
	if (!from_stdin && lstat(src, &st) < 0)
		return ctl_failf("cp: %s: %s", src, strerror(errno));
	if (!from_stdin && split_path(src, &dir, &base))
		return EXIT_CTL;
	/* docker's rule: into PATH when it is a directory, else PATH is the new name */
	if (from_stdin || (pl && path[pl - 1] == '/') || ctr_is_dir(id, path)) {
		if (!(into = strdup(path)))
			return ctl_fail("cp", "out of memory");
	} else {
		if (split_path(path, &into, &new_name))
			return EXIT_CTL;
		if (sb_adds(&transform, "--transform=s|^") || sed_escape(&transform, base, "\\^$.*[]|") ||
		    sb_adds(&transform, "|") || sed_escape(&transform, new_name, "\\&|") || sb_adds(&transform, "|S"))
			return ctl_fail("cp", "out of memory");
	}
	_cleanup_close_ int fd = -1;
	stream_end end = { -1, STRBUF_INIT };
	int from = STDIN_FILENO, rc;
	pid_t pid = 0;
	char *argv[9] = { "tar", "-c", "-f", "-", "-C", dir };
	size_t n = 6;
	if (transform.buf)
		argv[n++] = transform.buf;
	argv[n++] = base;
	rc = copy_call(M("CopyTo"), id, into, false, &fd);
	if (!rc && !from_stdin)
		rc = spawn_tar(argv, false, &from, &pid);
	if (!rc)
		rc = send_tar(fd, from, &end);
	if (pid) {
		close(from);
		rc = reap_tar(pid) ? EXIT_CTL : rc;
	}
	if (!rc && end.code != 0)
		rc = stream_failed(path, &end);
	sb_release(&end.msg);
	return rc;
}

/* CONTAINER:PATH, where what is before the colon has no slash; a host path
 * with a colon is written ./a:b. */
static char *container_of(const char *arg, const char **path)
{
	const char *colon = strchr(arg, ':');
	*path = arg;
	if (!colon || colon == arg || memchr(arg, '/', (size_t)(colon - arg)))
		return NULL;
	*path = colon + 1;
	return strndup(arg, (size_t)(colon - arg));
}

static int v_cp(ctl_args *a)
{
	const char *sp, *dp;
	_cleanup_free_ char *sc = container_of(a->argv[0], &sp), *dc = container_of(a->argv[1], &dp);
	if (!sc == !dc)
		return ctl_usage_error(a->cmd, "one of SRC and DST must be CONTAINER:PATH, and only one");
	if (!*(sc ? sp : dp))
		return ctl_usage_error(a->cmd, "%s: the path in the container is empty", sc ? a->argv[0] : a->argv[1]);
	ctl_timeout_ms = -1;
	return sc ? copy_from(sc, sp, dp) : copy_to(sp, dc, dp);
}

const ctl_cmd ctl_cp_cmds[] = {
	{ "cp", "SRC DST",
	  "Copy files between a container and the host; CONTAINER:PATH on one side, - for a tar on stdin or stdout",
	  NULL, 2, 2, 0, COMPLETE_FILES, v_cp },
	{ NULL },
};
