/* corralctl cp SRC DST, with CONTAINER:PATH on one side, as docker cp: a
 * tar stream in iface14's Streams frames over an upgraded connection
 * (CopyFrom sends STDOUT frames of tar, CopyTo takes STDIN frames and
 * CLOSE_STDIN; EXIT ends both, STDERR says why it failed). tar(1) packs
 * and unpacks on the host; corrald resolves the container's side in its
 * root. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/ctl_spawn.h"
#include "supervisor/ctl/ctl_call.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "common/json.h"
#include "common/strbuf.h"
#include "supervisor/ctl/ctl_stream.h"
#include "supervisor/shape/copy_stat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>



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

/* The call, and s ready for its stream (CopyFrom's with its STAT frame
 * when stat). */
static int copy_call(const char *method, const char *id, const char *path, bool quiet, const char *flag, ctl_stream *s)
{
	ctl_stream_init(s, "cp");
	yajl_gen g = ctl_params(id);
	if (g && (jg_key_str(g, "path", path) || (flag && jg_key_bool(g, flag, true)))) {
		yajl_gen_free(g);
		g = NULL;
	}
	return ctl_call_upgrade(method, g, quiet, &s->sc.fd);
}

/* The other side's EXIT said it failed: what its STDERR said, which names
 * the path itself. */
static int stream_failed(const char *what, ctl_stream *s)
{
	while (s->sc.msg.len && s->sc.msg.buf[s->sc.msg.len - 1] == '\n')
		s->sc.msg.buf[--s->sc.msg.len] = '\0';
	if (!s->sc.msg.len)
		return ctl_failf("cp: %s: failed", what);
	return ctl_failf("cp: %s", s->sc.msg.buf);
}

/* The end of a copy: its tar reaped, and the other side's verdict. */
static int finish(ctl_stream *s, pid_t pid, int tar_fd, int rc, const char *path)
{
	if (pid) {
		close(tar_fd);
		rc = ctl_reap("cp: tar", pid, false) || rc ? EXIT_CTL : 0;
	}
	return !rc && s->sc.code != 0 ? stream_failed(path, s) : rc;
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

/* path in the container by CopyFrom's STAT frame: 0 with *st, or -1 when
 * it cannot be had (it is not there). */
static int ctr_stat(const char *id, const char *path, copy_stat *st)
{
	_cleanup_ctl_stream_ ctl_stream cs;
	if (copy_call(M("CopyFrom"), id, path, true, "statOnly", &cs))
		return -1;
	while (!cs.sc.stat.len && cs.sc.code < 0 && ctl_stream_take(&cs) == 0)
		;
	return cs.sc.stat.len && copy_stat_parse(cs.sc.stat.buf, st) == 0 ? 0 : -1;
}

/* Where a container path that is a link leads (*followed, left NULL for
 * what is no link), as docker cp follows it; true when what it comes to is
 * a directory. */
static bool ctr_follow(const char *id, const char *path, char **followed)
{
	copy_stat st;
	if (ctr_stat(id, path, &st) < 0)
		return false;
	if (S_ISLNK(st.mode) && st.link[0]) {
		*followed = TAKE_PTR(st.link);
		if (ctr_stat(id, *followed, &st) < 0)
			return false;
	}
	bool dir = S_ISDIR(st.mode);
	copy_stat_release(&st);
	return dir;
}

/* s escaped for one side of tar's --transform; its delimiter is \001,
 * which no name holds (refused if one does). */
static int sed_escape(strbuf *out, const char *s, const char *special)
{
	int r = 0;
	for (; *s && !r; s++)
		r = (strchr(special, *s) ? sb_add(out, "\\", 1) : 0) || sb_add(out, s, 1);
	return r;
}

/* tar's --transform that names from's entries to's instead: 0, or EXIT_CTL */
static int rename_transform(strbuf *t, const char *from, const char *to, const char *what)
{
	if (strchr(from, '\001') || strchr(to, '\001'))
		return ctl_failf("cp: %s: a name with a \\001 byte cannot be renamed", what);
	if (sb_adds(t, "--transform=s\001^") || sed_escape(t, from, "\\^$.*[]") || sb_adds(t, "\001") ||
	    sed_escape(t, to, "\\&") || sb_adds(t, "\001S"))
		return ctl_fail("cp", "out of memory");
	return 0;
}

/* CONTAINER:PATH to a host path (a directory to copy into, a new name, or
 * "-" for the tar itself on stdout); with follow, a link is copied as what
 * it leads to, named as the link (but in a tar on stdout), as docker cp -L. */
static int copy_from(const char *id, const char *path, const char *dst, bool follow)
{
	struct stat st;
	bool into = streq(dst, "-") || (stat(dst, &st) == 0 && S_ISDIR(st.st_mode));
	_cleanup_free_ char *tmp = NULL, *parent = NULL, *name = NULL, *followed = NULL;
	_cleanup_free_ char *link_dir = NULL, *link_name = NULL, *target_dir = NULL, *target_name = NULL;
	_cleanup_strbuf_ strbuf transform = STRBUF_INIT;
	if (follow)
		ctr_follow(id, path, &followed);
	if (followed && into && !streq(dst, "-") &&
	    (split_path(path, &link_dir, &link_name) || split_path(followed, &target_dir, &target_name) ||
	     rename_transform(&transform, target_name, link_name, path)))
		return EXIT_CTL;
	if (!into) {
		/* a new name: unpacked beside it, then renamed */
		if (split_path(dst, &parent, &name))
			return EXIT_CTL;
		if (asprintf(&tmp, "%s/.corralctl-cp-XXXXXX", parent) < 0)
			return ctl_fail("cp", "out of memory");
		if (!mkdtemp(tmp))
			return ctl_failf("cp: %s: %s", dst, strerror(errno));
	}
	_cleanup_ctl_stream_ ctl_stream cs;
	int tar_in = -1, rc;
	pid_t pid = 0;
	char *argv[] = { "tar", "-x", "-f", "-", "--no-same-owner", "-C", (char *)(tmp ? tmp : dst), transform.buf, NULL };
	/* tar starts with the first bytes: a copy that fails at once runs none */
	rc = copy_call(M("CopyFrom"), id, followed ? followed : path, false, NULL, &cs);
	if (!rc)
		rc = ctl_stream_pump(&cs, 1);
	bool data = cs.sc.head.len || cs.sc.code < 0;
	if (!rc && data && !streq(dst, "-"))
		rc = ctl_spawn_piped("cp (it needs tar(1) on the host)", argv, true, &tar_in, &pid);
	if (!rc && data)
		rc = ctl_stream_output(&cs, pid ? tar_in : STDOUT_FILENO);
	if (!rc && data)
		rc = ctl_stream_pump(&cs, SIZE_MAX);
	rc = finish(&cs, pid, tar_in, rc, path);
	if (!rc && tmp)
		rc = move_single(tmp, dst);
	if (tmp)
		rm_rf(tmp);
	return rc;
}

/* A host path ("-": a tar on stdin) to CONTAINER:PATH, owned as the tar
 * has them, or with to_user by the container's user. */
static int copy_to(const char *src, const char *id, const char *path, bool follow, bool to_user)
{
	_cleanup_free_ char *dir = NULL, *base = NULL, *into = NULL, *new_name = NULL;
	_cleanup_free_ char *real = NULL, *link_dir = NULL, *link_name = NULL;
	_cleanup_strbuf_ strbuf transform = STRBUF_INIT;
	size_t pl = strlen(path);
	struct stat st;
	bool from_stdin = streq(src, "-");
	if (!from_stdin && lstat(src, &st) < 0)
		return ctl_failf("cp: %s: %s", src, strerror(errno));
	/* -L: a link is packed as what it leads to, named as the link */
	if (follow && !from_stdin && S_ISLNK(st.st_mode) && !(real = realpath(src, NULL)))
		return ctl_failf("cp: %s: %s", src, strerror(errno));
	if (!from_stdin && (split_path(real ? real : src, &dir, &base) || (real && split_path(src, &link_dir, &link_name))))
		return EXIT_CTL;
	/* docker's rule: into PATH when it is a directory, else PATH is the new name */
	_cleanup_free_ char *followed = NULL;
	bool into_dir = from_stdin || (pl && path[pl - 1] == '/') || ctr_follow(id, path, &followed);
	if (followed)
		path = followed;
	if (into_dir && !(into = strdup(path)))
		return ctl_fail("cp", "out of memory");
	if (!into_dir && split_path(path, &into, &new_name))
		return EXIT_CTL;
	const char *name = new_name ? new_name : link_name;
	if (name && rename_transform(&transform, base, name, src))
		return EXIT_CTL;
	_cleanup_ctl_stream_ ctl_stream cs;
	int from = STDIN_FILENO, rc;
	pid_t pid = 0;
	char *argv[9] = { "tar", "-c", "-f", "-", "-C", dir };
	size_t n = 6;
	if (transform.buf)
		argv[n++] = transform.buf;
	argv[n++] = base;
	rc = copy_call(M("CopyTo"), id, into, false, to_user ? "toUser" : "owners", &cs);
	if (!rc && !from_stdin)
		rc = ctl_spawn_piped("cp (it needs tar(1) on the host)", argv, false, &from, &pid);
	if (!rc)
		rc = ctl_stream_send(&cs, from);
	return finish(&cs, pid, from, rc, path);
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
	bool follow = opt_on(a, "follow-link");
	return sc ? copy_from(sc, sp, dp, follow) : copy_to(sp, dc, dp, follow, opt_on(a, "archive"));
}

static const ctl_opt cp_opts[] = {
	{ "follow-link", 'L', OPT_FLAG, "", "a SRC that is a symlink: copy what it leads to, under its name" },
	{ "archive", 'a', OPT_FLAG, "", "into a container: files owned by its user, not as on the host" },
	{ NULL },
};

const ctl_cmd ctl_cp_cmds[] = {
	{ "cp", "SRC DST",
	  "Copy files between a container and the host; CONTAINER:PATH on one side, - for a tar on stdin or stdout",
	  cp_opts, 2, 2, 0, COMPLETE_FILES, v_cp },
	{ NULL },
};
