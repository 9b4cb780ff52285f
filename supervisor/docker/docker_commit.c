/* POST /commit: a container's changes as a new image, through corrald's
 * ContainerCommit: ?container=&repo=&tag=&comment=&author=&pause=, each
 * ?changes= a Dockerfile instruction, and the body (optional) a config
 * whose keys replace the image's. POST /images/create?fromSrc=- (docker
 * import): the body, a tar, as the one layer of a new image, through
 * ImageCommit's stream; ?fromImage= is a pull (docker_img_pull.c). */
#include "supervisor/docker/tar_stream.h"
#include "supervisor/shape/words.h"
#include "supervisor/docker/docker_tar_stream.h"
#include "supervisor/docker/docker_img_pull.h"
#include "supervisor/docker/docker_commit.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_answer.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum MHD_Result add_change(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	if (key && value && streq(key, "changes") && *value)
		jg_str(cls, value);
	return MHD_YES;
}

/* repo[:tag] as Docker's clients send it: the tag in repo ("web:1") or apart. */
static void name_of(const char *repo, const char *tag, char *buf, size_t n)
{
	const char *last = strrchr(repo, '/');
	bool tagged = strchr(last ? last : repo, ':') != NULL;
	snprintf(buf, n, "%s%s%s", repo, tagged ? "" : ":", tagged ? "" : tag && *tag ? tag : "latest");
}

/* The body's keys that are the image's run defaults. */
static void gen_config(yajl_gen g, yajl_val body)
{
	static const char *const keys[] = { "Env", "Cmd", "Entrypoint", "WorkingDir", "User", "ExposedPorts",
					    "Volumes", "Labels", "StopSignal", "Healthcheck", "OnBuild", "Shell", NULL };
	jg_key(g, "config");
	yajl_gen_map_open(g);
	for (size_t i = 0; keys[i]; i++) {
		yajl_val v = json_get(body, keys[i]);
		if (v && !YAJL_IS_NULL(v))
			jg_key(g, keys[i]), jg_value(g, v);
	}
	yajl_gen_map_close(g);
}

void dk_commit(dk_req *r, const char *arg)
{
	const char *id = dk_query(r, "container"), *repo = dk_query(r, "repo"), *tag = dk_query(r, "tag");
	const char *comment = dk_query(r, "comment"), *author = dk_query(r, "author");
	if (!id || !*id) {
		dk_error(r, 400, "container is required");
		return;
	}
	/* the docker CLI sends "null" when it has no config to give */
	_cleanup_json_ yajl_val body = NULL;
	cerr err = { 0 };
	if (r->body_len && json_parse(r->body, "the body", &body, &err) < 0) {
		dk_error(r, 400, "%s", cerr_msg(&err));
		cerr_clear(&err);
		return;
	}
	if (body && !YAJL_IS_OBJECT(body) && !YAJL_IS_NULL(body)) {
		dk_error(r, 400, "the body must be a container config (a JSON object)");
		return;
	}
	_cleanup_json_gen_ yajl_gen p = dk_params_id(dk_ctr_name(id));
	char name[1024];
	if (repo && *repo) {
		name_of(repo, tag, name, sizeof(name));
		jg_key_str(p, "name", name);
	}
	if (comment && *comment)
		jg_key_str(p, "comment", comment);
	if (author && *author)
		jg_key_str(p, "author", author);
	jg_key_bool(p, "pause", dk_query_bool(r, "pause", true));
	if (body)
		gen_config(p, body);
	jg_key(p, "changes");
	yajl_gen_array_open(p);
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_change, p);
	yajl_gen_array_close(p);
	vl_reply rep;
	if (dk_call_with(r, "ContainerCommit", p, id, &rep) < 0)
		return;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	jg_object(g, JG_STR("Id", dk_str(rep.params, "id")), JG_END);
	vl_reply_release(&rep);
	dk_json(r, 201, g);
}

typedef struct import_sink {
	dk_sink sink;
	tar_stream *s;
} import_sink;

static int import_feed(dk_sink *sk, const char *data, size_t n)
{
	return tar_stream_feed(((import_sink *)sk)->s, data, n);
}

static void import_finish(dk_sink *sk, dk_req *r)
{
	import_sink *t = (import_sink *)sk;
	int code = r ? tar_stream_end(t->s) : -1;
	char id[80] = "";
	if (r && code == 0 && t->s->sc.head.buf && sscanf(t->s->sc.head.buf, "%79s", id) == 1) {
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		jg_object(g, JG_STR("status", id), JG_END);
		dk_json(r, 200, g);
	} else if (r) {
		int n;
		const char *why = tar_stream_why(t->s, "the import failed", &n);
		dk_error(r, code > 0 ? 400 : 500, "%.*s", n, why);
	}
	tar_stream_free(t->s);
	free(t);
}

dk_sink *dk_img_create(dk_req *r, const char *arg)
{
	const char *src = dk_query(r, "fromSrc"), *repo = dk_query(r, "repo"), *tag = dk_query(r, "tag");
	const char *message = dk_query(r, "message");
	if (!src || !*src) {
		dk_img_pull(r, arg);
		return NULL;
	}
	if (strcmp(src, "-")) {
		dk_error(r, 400, "corral imports the request's body (fromSrc=-), not %s", src);
		return NULL;
	}
	_cleanup_json_gen_ yajl_gen p = json_gen_new(false);
	yajl_gen_map_open(p);
	char name[1024];
	if (repo && *repo) {
		name_of(repo, tag, name, sizeof(name));
		jg_key_str(p, "name", name);
	}
	if (message && *message)
		jg_key_str(p, "comment", message);
	jg_key(p, "changes");
	yajl_gen_array_open(p);
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_change, p);
	yajl_gen_array_close(p);
	_cleanup_free_ char *params = dk_params_end(p);
	import_sink *t = calloc(1, sizeof(*t));
	if (!t) {
		dk_error(r, 500, "out of memory");
		return NULL;
	}
	if (!(t->s = tar_stream_open(r, "ImageCommit", params, repo ? repo : ""))) {
		free(t);
		return NULL;
	}
	t->sink = (dk_sink){ .feed = import_feed, .finish = import_finish };
	return &t->sink;
}
