/* /containers/{id}/archive, what docker cp speaks: GET (and HEAD) a tar of
 * a path with its stat in X-Docker-Container-Path-Stat, PUT a tar into a
 * directory; through corrald's CopyFrom and CopyTo (tar_stream.h). */
#include "supervisor/docker/tar_stream.h"
#include "supervisor/shape/copy_stat.h"
#include "supervisor/docker/docker_tar_stream.h"
#include "supervisor/docker/docker_archive.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_answer.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/strbuf.h"
#include "common/timefmt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The call, upgraded, with the boolean parameters flags names set (NULL-ended);
 * NULL with r answered when corrald refused it. */
static tar_stream *copy_open(dk_req *r, const char *method, const char *id, const char *path, const char *const *flags)
{
	_cleanup_json_gen_ yajl_gen g = dk_params_id(id);
	bool bad = g && jg_key_str(g, "path", path);
	for (; g && !bad && *flags; flags++)
		bad = jg_key_bool(g, *flags, true);
	if (bad) {
		yajl_gen_free(g);
		g = NULL;
	}
	_cleanup_free_ char *params = dk_params_end(g);
	return tar_stream_open(r, method, params, id);
}

/* corral's reason as Docker's status: a missing path is a 404. */
static void copy_failed(dk_req *r, tar_stream *s, const char *id, const char *path)
{
	int n;
	const char *msg = tar_stream_why(s, "the copy failed", &n);
	if (strstr(msg, "No such file") || strstr(msg, "not found"))
		dk_error(r, 404, "Could not find the file %s in container %s", path, id);
	else
		dk_error(r, s->sc.code > 0 ? 400 : 500, "%.*s", n, msg);
}

/* Standard base64: common/base64 goes through a libcrypto it loads when
 * first asked, which this sandbox cannot open. */
static char *b64(const char *in, size_t n)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
	for (size_t i = 0; out && i < n; i += 3) {
		unsigned v = (unsigned char)in[i] << 16 | (i + 1 < n ? (unsigned char)in[i + 1] << 8 : 0) |
			     (i + 2 < n ? (unsigned char)in[i + 2] : 0);
		*o++ = abc[v >> 18 & 63];
		*o++ = abc[v >> 12 & 63];
		*o++ = i + 1 < n ? abc[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? abc[v & 63] : '=';
	}
	if (out)
		*o = '\0';
	return out;
}

/* Go's os.FileMode of a st_mode: permissions, set-id bits and its type */
static unsigned long long go_file_mode(unsigned mode)
{
	unsigned long long m = (mode & 0777) | (mode & S_ISUID ? 1ULL << 23 : 0) | (mode & S_ISGID ? 1ULL << 22 : 0) |
			       (mode & S_ISVTX ? 1ULL << 20 : 0);
	switch (mode & S_IFMT) {
	case S_IFDIR: return m | 1ULL << 31;              /* ModeDir */
	case S_IFLNK: return m | 1ULL << 27;              /* ModeSymlink */
	case S_IFCHR: return m | 1ULL << 26 | 1ULL << 21; /* ModeDevice | ModeCharDevice */
	case S_IFBLK: return m | 1ULL << 26;              /* ModeDevice */
	case S_IFIFO: return m | 1ULL << 25;              /* ModeNamedPipe */
	case S_IFSOCK: return m | 1ULL << 24;             /* ModeSocket */
	default: return m;
	}
}

/* Docker's stat of path (X-Docker-Container-Path-Stat, base64 of its JSON)
 * from corral-copy's STAT frame; NULL when it is not one. */
static char *path_stat(const strbuf *frame, const char *path)
{
	copy_stat st;
	if (!frame->len || copy_stat_parse(frame->buf, &st) < 0)
		return NULL;
	char mtime[RFC3339_LEN], name[4096];
	rfc3339_ns(st.mtime_ns, mtime, sizeof(mtime));
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	const char *base = memrchr(path, '/', n);
	snprintf(name, sizeof(name), "%.*s", base && n > 1 ? (int)(path + n - base - 1) : (int)n,
		 base && n > 1 ? base + 1 : path);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	jg_object(g, JG_STR("name", name), JG_INT("size", st.size), JG_INT("mode", (long long)go_file_mode(st.mode)),
		     JG_STR("mtime", mtime), JG_STR("linkTarget", st.link), JG_END);
	copy_stat_release(&st);
	size_t len;
	_cleanup_free_ char *json = jg_finish(g, &len);
	return json ? b64(json, len) : NULL;
}

void dk_ctr_archive_get(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg), *path = dk_query(r, "path");
	if (!path || !*path) {
		dk_error(r, 400, "path is required");
		return;
	}
	/* HEAD wants the stat alone: corral-copy walks no tree for it */
	bool head = streq(r->method, "HEAD");
	tar_stream *s = copy_open(r, "CopyFrom", id, path, (const char *const[]){ head ? "statOnly" : "stat", NULL });
	if (!s)
		return;
	/* the STAT frame comes before the tar, or the end does */
	while (!s->sc.stat.len && s->sc.code < 0 && tar_stream_take(s) == 0)
		;
	_cleanup_free_ char *stat = path_stat(&s->sc.stat, path);
	if (!stat) {
		copy_failed(r, s, id, path);
		tar_stream_free(s);
	} else if (head) {
		tar_stream_free(s);
		dk_empty(r, 200);
	} else
		tar_stream_answer(r, s, "application/x-tar");
	if (r->resp) {
		if (stat)
			MHD_add_response_header(r->resp, "X-Docker-Container-Path-Stat", stat);
		MHD_add_response_header(r->resp, MHD_HTTP_HEADER_CONNECTION, "close");
	}
}

typedef struct tar_sink {
	dk_sink sink;
	tar_stream *s;
	char id[256], path[4096];
} tar_sink;

static int tar_feed(dk_sink *sk, const char *data, size_t n)
{
	return tar_stream_feed(((tar_sink *)sk)->s, data, n);
}

static void tar_finish(dk_sink *sk, dk_req *r)
{
	tar_sink *t = (tar_sink *)sk;
	if (r) {
		if (tar_stream_end(t->s) == 0)
			dk_empty(r, 200);
		else
			copy_failed(r, t->s, t->id, t->path);
		if (r->resp)
			MHD_add_response_header(r->resp, MHD_HTTP_HEADER_CONNECTION, "close");
	}
	tar_stream_free(t->s);
	free(t);
}
dk_sink *dk_ctr_archive_put(dk_req *r, const char *arg)
{
	const char *id = dk_ctr_name(arg), *path = dk_query(r, "path");
	if (!path || !*path) {
		dk_error(r, 400, "path is required");
		return NULL;
	}
	tar_sink *t = calloc(1, sizeof(*t));
	if (!t) {
		dk_error(r, 500, "out of memory");
		return NULL;
	}
	/* the files' owners are the tar's, as dockerd has them; copyUIDGID (cp
	 * -a) makes them the container's user's. The docker CLI always asks
	 * that no directory be replaced by a file, nor the reverse; the API's
	 * default is to replace them. */
	const char *flags[] = { dk_query_bool(r, "copyUIDGID", false) ? "toUser" : "owners",
				dk_query_bool(r, "noOverwriteDirNonDir", false) ? NULL : "overwriteDirs", NULL };
	if (!(t->s = copy_open(r, "CopyTo", id, path, flags))) {
		free(t);
		return NULL;
	}
	t->sink = (dk_sink){ .feed = tar_feed, .finish = tar_finish };
	snprintf(t->id, sizeof(t->id), "%s", id);
	snprintf(t->path, sizeof(t->path), "%s", path);
	return &t->sink;
}
