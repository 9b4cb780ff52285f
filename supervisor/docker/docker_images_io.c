/* Images as archives: POST /images/load takes a docker-archive (or an
 * oci-archive) as its body, GET /images/{name}/get and /images/get?names=
 * answer one (of several images, as `docker save a b` writes it); through
 * corrald's ImageLoad and ImageSave without a path (tar_stream.h), so that
 * corrald's rules and corral-images' limits hold as for a file. */
#include "supervisor/docker/tar_stream.h"
#include "supervisor/shape/words.h"
#include "supervisor/docker/docker_tar_stream.h"
#include "supervisor/docker/docker_images_io.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_answer.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct load_sink {
	dk_sink sink;
	tar_stream *s;
} load_sink;

static int load_feed(dk_sink *sk, const char *data, size_t n)
{
	return tar_stream_feed(((load_sink *)sk)->s, data, n);
}

/* corral's "Loaded image: NAME" lines as Docker's stream: its names as
 * Docker shows them, an image without one by ID. */
static void loaded_stream(dk_req *r, const strbuf *said)
{
	_cleanup_strbuf_ strbuf out = STRBUF_INIT;
	for (const char *l = said->buf; l && *l;) {
		size_t n = strcspn(l, "\n");
		_cleanup_free_ char *name = n > 14 && !strncmp(l, "Loaded image: ", 14) ? strndup(l + 14, n - 14) : NULL;
		l += n + (l[n] == '\n');
		if (!name)
			continue;
		bool id = !strncmp(name, "sha256:", 7);
		_cleanup_free_ char *line = NULL;
		if (asprintf(&line, "Loaded image%s: %s\n", id ? " ID" : "", id ? name : dk_familiar(name)) < 0)
			continue;
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		size_t len;
		if (!g || yajl_gen_map_open(g) || jg_key_str(g, "stream", line) || yajl_gen_map_close(g))
			continue;
		_cleanup_free_ char *json = jg_finish(g, &len);
		if (json)
			sb_add(&out, json, len), sb_add(&out, "\n", 1);
	}
	dk_text(r, 200, "application/json", out.buf ? out.buf : "", out.len);
}

static void load_finish(dk_sink *sk, dk_req *r)
{
	load_sink *t = (load_sink *)sk;
	if (r) {
		int code = tar_stream_end(t->s), n;
		const char *why = tar_stream_why(t->s, "the load failed", &n);
		if (code == 0)
			loaded_stream(r, &t->s->sc.head);
		else /* 1: the archive's fault, which the client sent */
			dk_error(r, code == 1 ? 400 : 500, "%.*s", n, why);
		if (r->resp)
			MHD_add_response_header(r->resp, MHD_HTTP_HEADER_CONNECTION, "close");
	}
	tar_stream_free(t->s);
	free(t);
}

/* quiet changes nothing: corral sends no progress to leave out. */
dk_sink *dk_img_load(dk_req *r, const char *arg)
{
	load_sink *t = calloc(1, sizeof(*t));
	if (!t) {
		dk_error(r, 500, "out of memory");
		return NULL;
	}
	if (!(t->s = tar_stream_open(r, "ImageLoad", "{}", "archive"))) {
		free(t);
		return NULL;
	}
	t->sink = (dk_sink){ .feed = load_feed, .finish = load_finish };
	return &t->sink;
}

/* names: one image, or several in one archive (as `docker save a b`);
 * corrald says which one it refused. */
static void save(dk_req *r, char *const *names)
{
	bool one = !names[1];
	_cleanup_json_gen_ yajl_gen g = dk_params_id(NULL);
	if (g)
		one ? jg_key_str(g, "image", names[0]) : jg_key_strv(g, "images", names);
	_cleanup_free_ char *params = dk_params_end(g);
	tar_stream *s = tar_stream_open(r, "ImageSave", params, one ? names[0] : NULL);
	if (!s)
		return;
	/* a failure before the first byte is the answer's status */
	while (!s->sc.head.len && s->sc.code < 0)
		if (tar_stream_take(s) < 0)
			break;
	if (s->sc.head.len || s->sc.code == 0) {
		tar_stream_answer(r, s, "application/x-tar");
		return;
	}
	int n;
	const char *why = tar_stream_why(s, "the save failed", &n);
	dk_error(r, 500, "%.*s", n, why);
	if (r->resp)
		MHD_add_response_header(r->resp, MHD_HTTP_HEADER_CONNECTION, "close");
	tar_stream_free(s);
}

void dk_img_save(dk_req *r, const char *arg)
{
	save(r, (char *const[]){ (char *)arg, NULL });
}

static enum MHD_Result each_name(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	char ***names = cls;
	char *dup = NULL;
	if (!strcmp(key, "names") && value && *value && (!(dup = strdup(value)) || strv_push(names, dup) < 0)) {
		free(dup);
		return MHD_NO;
	}
	return MHD_YES;
}

/* GET /images/get?names=a&names=b: one archive of them all. */
void dk_img_save_many(dk_req *r, const char *arg)
{
	_cleanup_strv_ char **names = NULL;
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, each_name, &names);
	if (!names)
		dk_error(r, 400, "names is required");
	else
		save(r, names);
}
