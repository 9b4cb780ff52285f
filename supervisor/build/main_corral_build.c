/* corral-build (bld.h): corrald starts it for a Build call,
 *   corral-build --socket PATH --dir DIR --uid UID --gid GID [--group GID]
 *                [--max-context BYTES]  < PARAMS
 * with fd 3 the caller's upgraded connection. It takes the caller's ids
 * first, unpacks the context into DIR/context (which corrald made the
 * caller's and removes once this ends), and builds with corrald's methods
 * as the caller. */
#include "supervisor/build/bld.h"
#include "supervisor/build/bld_stage.h"
#include "supervisor/build/bld_stream.h"
#include "images/df_ignore.h"
#include "supervisor/varlink/streams.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/pdeath.h"
#include "common/safepath.h"
#include "common/strv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <unistd.h>

#define STREAM_FD 3
#define CONTEXT_MAX_DEFAULT (8ull << 30)
#define STREAM_TIMEOUT_SEC 300

static void finish(int sock, int code, const char *why)
{
	stream_end(sock, code, why);
	shutdown(sock, SHUT_WR);
}

/* The caller's ids, and the group that lets it reach corrald's socket. */
static int become(uid_t uid, gid_t gid, gid_t group, pid_t parent, cerr *err)
{
	if (uid == 0)
		return 0;
	gid_t groups[1] = { group };
	if (setgroups(group != (gid_t)-1 ? 1 : 0, groups) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
		return cerr_sys(err, errno, "take the caller's ids");
	return die_with_parent(parent) < 0 ? cerr_sys(err, errno, "die with corrald") : 0;
}

static int read_all_fd(int fd, size_t max, strbuf *out, const char *what, cerr *err)
{
	char buf[65536];
	for (ssize_t n; (n = read(fd, buf, sizeof(buf))) != 0;) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cerr_sys(err, errno, "%s", what);
		if (out->len + (size_t)n > max)
			return cerr_set(err, EFBIG, "%s: larger than %zu bytes", what, max);
		sb_add(out, buf, (size_t)n);
	}
	return 0;
}

static int take_params(bld *b, yajl_val *params, cerr *err)
{
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	if (read_all_fd(STDIN_FILENO, 1u << 20, &sb, "the parameters", err) < 0 ||
	    json_parse(sb.buf ? sb.buf : "{}", "the parameters", params, err) < 0)
		return -1;
	yajl_val p = *params;
	yajl_val v;
	b->dockerfile_path = (v = json_get(p, "dockerfile")) && YAJL_IS_STRING(v) && *v->u.string ? v->u.string : "Dockerfile";
	b->target = (v = json_get(p, "target")) && YAJL_IS_STRING(v) ? v->u.string : NULL;
	b->network = (v = json_get(p, "network")) && YAJL_IS_STRING(v) && *v->u.string ? v->u.string : NULL;
	b->no_cache = YAJL_IS_TRUE(json_get(p, "noCache"));
	b->pull = YAJL_IS_TRUE(json_get(p, "pull"));
	b->quiet = YAJL_IS_TRUE(json_get(p, "quiet"));
	b->build_args = YAJL_IS_OBJECT(json_get(p, "buildArgs")) ? json_get(p, "buildArgs") : NULL;
	b->labels = YAJL_IS_OBJECT(json_get(p, "labels")) ? json_get(p, "labels") : NULL;
	v = json_get(p, "tags");
	for (size_t i = 0; YAJL_IS_ARRAY(v) && i < v->u.array.len; i++)
		if (YAJL_IS_STRING(v->u.array.values[i]) && strv_push(&b->tags, strdup(v->u.array.values[i]->u.string)) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
	return 0;
}

/* A file of the context (never outside it), at most max bytes; 0 and an
 * empty out when it is not there and may be missing. */
static int context_file(bld *b, const char *path, size_t max, bool optional, strbuf *out, cerr *err)
{
	_cleanup_close_ int fd = open_in_root(b->ctx_fd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
	if (fd < 0)
		return optional && fd == -ENOENT ? 0 : cerr_sys(err, -fd, "%s in the build context", path);
	return read_all_fd(fd, max, out, path, err);
}

static int prepare(bld *b, cerr *err)
{
	_cleanup_strbuf_ strbuf text = STRBUF_INIT, ignore = STRBUF_INIT;
	char clean[4096];
	if (strlen(b->dockerfile_path) >= sizeof(clean))
		return cerr_set(err, ENAMETOOLONG, "the Dockerfile's path is too long");
	if (context_file(b, b->dockerfile_path, DF_MAX_TEXT, false, &text, err) < 0 ||
	    context_file(b, ".dockerignore", DF_IGNORE_MAX, true, &ignore, err) < 0)
		return -1;
	if (df_ignore_parse(ignore.buf ? ignore.buf : "", ignore.len, &b->ignore, err) < 0)
		return cerr_wrap(err, ".dockerignore");
	const char *slash = strrchr(b->dockerfile_path, '/');
	if (dockerfile_parse(text.buf ? text.buf : "", text.len, slash ? slash + 1 : b->dockerfile_path, &b->df, err) < 0)
		return -1;
	if (b->df.syntax)
		bld_say(b, "corral builds with its own builder: # syntax=%s is not used\n", b->df.syntax);
	return 0;
}

static void bld_release(bld *b)
{
	for (size_t i = 0; i < b->n_stages; i++) {
		bld_stage *s = &b->stages[i];
		cfg_edit_release(&s->cfg);
		strv_free(s->args);
		strv_free(s->triggers);
		strv_free(s->steps);
		free(s->name);
	}
	free(b->stages);
	dockerfile_release(&b->df);
	df_ignore_release(&b->ignore);
	strv_free(b->tags);
	strv_free(b->meta_args);
	if (b->vl)
		vl_client_free(b->vl);
	if (b->ctx_fd >= 0)
		close(b->ctx_fd);
}

int main(int argc, char **argv)
{
	pid_t parent = getppid();
	if (die_with_parent(parent) < 0)
		return 1;
	log_set_prog("corral-build");
	signal(SIGPIPE, SIG_IGN);
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' }, { "dir", required_argument, NULL, 'd' },
		{ "uid", required_argument, NULL, 'u' },    { "gid", required_argument, NULL, 'g' },
		{ "group", required_argument, NULL, 'G' },  { "max-context", required_argument, NULL, 'm' },
		{ 0 },
	};
	bld b = { .sock = STREAM_FD, .ctx_fd = -1 };
	const char *dir = NULL;
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1, group = (gid_t)-1;
	unsigned long long max = CONTEXT_MAX_DEFAULT;
	for (int o; (o = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
		switch (o) {
		case 's': b.socket_path = optarg; break;
		case 'd': dir = optarg; break;
		case 'u': uid = (uid_t)strtoul(optarg, NULL, 10); break;
		case 'g': gid = (gid_t)strtoul(optarg, NULL, 10); break;
		case 'G': group = (gid_t)strtoul(optarg, NULL, 10); break;
		case 'm': max = strtoull(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	if (optind != argc || !b.socket_path || !dir || uid == (uid_t)-1 || gid == (gid_t)-1) {
		fputs("usage: corral-build --socket PATH --dir DIR --uid UID --gid GID [--group GID] [--max-context BYTES]\n",
		      stderr);
		return 2;
	}
	struct timeval tv = { .tv_sec = STREAM_TIMEOUT_SEC };
	setsockopt(STREAM_FD, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(STREAM_FD, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_json_ yajl_val params = NULL;
	/* the context's directory, the caller's, made while we are root: the
	 * caller may not reach corrald's state directory, and needs not */
	char ctx[4096];
	snprintf(ctx, sizeof(ctx), "%s/context", dir);
	int r = 0;
	if (mkdir(ctx, 0700) < 0 || chown(ctx, uid, gid) < 0 ||
	    (b.ctx_fd = open(ctx, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		r = cerr_sys(&err, errno, "the context: %s", ctx);
	if (r == 0)
		r = become(uid, gid, group, parent, &err);
	if (r == 0)
		r = take_params(&b, &params, &err);
	b.max_context = max;
	if (r == 0 && (r = bld_take_context(&b, max, &err)) < 0)
		cerr_wrap(&err, "the build context");
	if (r == 0)
		r = prepare(&b, &err);
	if (r == 0 && (r = vl_client_connect(b.socket_path, &b.vl, &err)) < 0)
		cerr_wrap(&err, "corrald");
	if (r == 0)
		r = bld_run_all(&b, &err);
	if (r < 0) {
		log_error("%s", cerr_msg(&err));
		finish(b.sock, 1, cerr_msg(&err));
	} else {
		finish(b.sock, 0, NULL);
	}
	bld_release(&b);
	return r < 0 ? 1 : 0;
}
