/* POST /build: the body (the context, a tar, gzip or not) streams into
 * corrald's Build, and its progress comes back as Docker's JSON lines:
 * {"stream"} as corrald says them, the image as {"aux": {"ID"}}, and a
 * failure as {"errorDetail", "error"} (a 200 answer, as Docker's builder
 * gives it once it has begun). With q=1, as Docker's: the image's id is the
 * one stream line, and the others are said only before a failure. */
#include "supervisor/docker/tar_stream.h"
#include "supervisor/shape/words.h"
#include "supervisor/docker/docker_tar_stream.h"
#include "supervisor/docker/docker_build.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_answer.h"
#include "supervisor/docker/docker_prune.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"

#include <microhttpd.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HELD_MAX (1u << 20)

typedef struct build_sink {
	dk_sink sink;
	tar_stream *s;
	int client;  /* the client's socket, watched for its hangup */
	strbuf out;  /* Docker's lines, not yet sent */
	bool quiet;  /* q=1: the image's id is the only stream line */
	strbuf held; /* q=1: corrald's lines, said only should the build fail */
	bool ended;
} build_sink;

static int build_feed(dk_sink *sk, const char *data, size_t n)
{
	return tar_stream_feed(((build_sink *)sk)->s, data, n);
}

static void build_free(void *cls)
{
	build_sink *t = cls;
	tar_stream_free(t->s);
	sb_release(&t->out);
	sb_release(&t->held);
	free(t);
}

/* One line of Docker's: the object g holds. */
static void put_line(build_sink *t, yajl_gen g)
{
	_cleanup_free_ char *line = g ? jg_finish(g, NULL) : NULL;
	if (line)
		sb_addf(&t->out, "%s\n", line);
}

/* A line of corrald's, sent; with q=1 held (its last HELD_MAX bytes), as
 * Docker's builder holds what it does not say unless the build fails */
static void hold_or_add(build_sink *t, const char *line, size_t n)
{
	strbuf *to = t->quiet ? &t->held : &t->out;
	sb_add(to, line, n);
	sb_adds(to, "\n");
	if (to != &t->held || to->len <= HELD_MAX)
		return;
	const char *cut = memchr(to->buf + to->len - HELD_MAX, '\n', HELD_MAX);
	size_t drop = cut ? (size_t)(cut + 1 - to->buf) : to->len;
	memmove(to->buf, to->buf + drop, to->len - drop);
	to->len -= drop;
}

/* One of corrald's lines in Docker's words. */
static void convert(build_sink *t, const char *line, size_t n)
{
	_cleanup_json_ yajl_val v = json_parse_line(line, n);
	if (!v)
		return;
	const char *id = dk_str(v, "image");
	if (!*id) {
		hold_or_add(t, line, n);
		return;
	}
	_cleanup_json_gen_ yajl_gen aux = json_gen_new(false);
	if (aux && !jg_object(aux, JG_OBJECT("aux"), JG_STR("ID", id), JG_CLOSE, JG_END))
		put_line(t, aux);
	/* q=1: the id is the stream, which docker build -q prints and its
	 * --iidfile writes, as Docker's builder says it */
	_cleanup_free_ char *id_line = NULL;
	_cleanup_json_gen_ yajl_gen quiet = t->quiet ? json_gen_new(false) : NULL;
	if (quiet && asprintf(&id_line, "%s\n", id) >= 0 && !jg_object(quiet, JG_STR("stream", id_line), JG_END))
		put_line(t, quiet);
}

static void take_lines(build_sink *t, bool all)
{
	strbuf *h = &t->s->sc.head;
	size_t at = 0;
	for (char *nl; h->buf && (nl = memchr(h->buf + at, '\n', h->len - at));) {
		convert(t, h->buf + at, (size_t)(nl - (h->buf + at)));
		at = (size_t)(nl - h->buf) + 1;
	}
	if (all && at < h->len)
		convert(t, h->buf + at, h->len - at), at = h->len;
	if (at) {
		memmove(h->buf, h->buf + at, h->len - at);
		h->len -= at;
	}
}

static void put_error(build_sink *t)
{
	if (t->held.len)
		sb_add(&t->out, t->held.buf, t->held.len);
	int n;
	const char *why = tar_stream_why(t->s, "the build failed", &n);
	_cleanup_free_ char *msg = strndup(why, (size_t)n);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (g && !jg_object(g, JG_OBJECT("errorDetail"), JG_STR("message", msg ? msg : "the build failed"), JG_CLOSE,
			   JG_STR("error", msg ? msg : "the build failed"), JG_END))
		put_line(t, g);
}

static ssize_t build_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	build_sink *t = cls;
	while (!t->out.len) {
		if (t->ended)
			return MHD_CONTENT_READER_END_OF_STREAM;
		/* a client that hangs up (docker build's Ctrl-C) closes the
		 * stream, and corral-build stops the build */
		struct pollfd pf[2] = { { .fd = t->s->sc.fd, .events = POLLIN }, { .fd = t->client, .events = POLLRDHUP } };
		if (t->s->sc.code < 0 && poll(pf, t->client >= 0 ? 2 : 1, -1) > 0 && t->client >= 0 && pf[1].revents)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		if (t->s->sc.code < 0 && tar_stream_take(t->s) < 0 && t->s->sc.code < 0) {
			t->ended = true;
			put_error(t);
			continue;
		}
		take_lines(t, t->s->sc.code >= 0);
		if (t->s->sc.code >= 0) {
			t->ended = true;
			if (t->s->sc.code != 0)
				put_error(t);
		}
	}
	size_t n = t->out.len < max ? t->out.len : max;
	memcpy(buf, t->out.buf, n);
	memmove(t->out.buf, t->out.buf + n, t->out.len - n);
	t->out.len -= n;
	return (ssize_t)n;
}

static void build_finish(dk_sink *sk, dk_req *r)
{
	build_sink *t = (build_sink *)sk;
	if (!r) {
		build_free(t);
		return;
	}
	if (!t->s->broken)
		stream_send(t->s->sc.fd, STREAM_CLOSE_STDIN, NULL, 0);
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	t->client = ci ? ci->connect_fd : -1;
	dk_stream(r, 200, "application/json", build_read, t, build_free);
	if (r->resp)
		MHD_add_response_header(r->resp, MHD_HTTP_HEADER_CONNECTION, "close");
}

static enum MHD_Result add_tag(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	if (key && value && !strcmp(key, "t") && *value)
		jg_str(cls, value);
	return MHD_YES;
}

/* A query argument that is a JSON object of strings (buildargs, labels). */
static int json_arg(dk_req *r, yajl_gen g, const char *query, const char *key)
{
	const char *text = dk_query(r, query);
	if (!text || !*text)
		return 0;
	_cleanup_json_ yajl_val v = NULL;
	cerr err = { 0 };
	if (json_parse(text, query, &v, &err) < 0 || !YAJL_IS_OBJECT(v)) {
		cerr_clear(&err);
		dk_error(r, 400, "%s: not a JSON object", query);
		return -1;
	}
	jg_key(g, key);
	yajl_gen_map_open(g);
	for (size_t i = 0; i < v->u.object.len; i++)
		if (YAJL_IS_STRING(v->u.object.values[i])) /* a null build arg is one not given */
			jg_key_str(g, v->u.object.keys[i], v->u.object.values[i]->u.string);
	yajl_gen_map_close(g);
	return 0;
}

dk_sink *dk_build(dk_req *r, const char *arg)
{
	const char *remote = dk_query(r, "remote"), *net = dk_query(r, "networkmode");
	if (remote && *remote) {
		dk_error(r, 400, "corral builds from the context in the request's body, not from a remote URL");
		return NULL;
	}
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	const char *df = dk_query(r, "dockerfile"), *target = dk_query(r, "target");
	if (df && *df)
		jg_key_str(g, "dockerfile", df);
	if (target && *target)
		jg_key_str(g, "target", target);
	if (net && *net && strcmp(net, "default"))
		jg_key_str(g, "network", net);
	jg_key_bool(g, "noCache", dk_query_bool(r, "nocache", false));
	jg_key_bool(g, "pull", dk_query_bool(r, "pull", false));
	jg_key(g, "tags");
	yajl_gen_array_open(g);
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_tag, g);
	yajl_gen_array_close(g);
	if (json_arg(r, g, "buildargs", "buildArgs") < 0 || json_arg(r, g, "labels", "labels") < 0)
		return NULL;
	yajl_gen_map_close(g);
	_cleanup_free_ char *params = jg_finish(g, NULL);
	build_sink *t = calloc(1, sizeof(*t));
	if (!t) {
		dk_error(r, 500, "out of memory");
		return NULL;
	}
	if (!(t->s = tar_stream_open(r, "Build", params, ""))) {
		free(t);
		return NULL;
	}
	t->sink = (dk_sink){ .feed = build_feed, .finish = build_finish };
	t->quiet = dk_query_bool(r, "q", false);
	return &t->sink;
}

/* POST /build/prune (docker builder prune): the caller's build cache
 * forgotten, and the steps' images it kept then pruned as unnamed ones. */
void dk_build_prune(dk_req *r, const char *arg)
{
	vl_reply rep;
	if (dk_call_or_fail(r, "BuildCachePrune", "{}", "", &rep) < 0)
		return;
	vl_reply_release(&rep);
	if (dk_call_or_fail(r, "ImagePrune", "{}", "", &rep) < 0)
		return;
	dk_reply_removed(r, "CachesDeleted", &rep, NULL);
	vl_reply_release(&rep);
}
