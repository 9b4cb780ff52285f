/* POST /images/{name}/push?tag=: a push through corrald's ImagePush, its
 * progress as Docker's JSON lines (what `docker push` draws), with the
 * client's X-Registry-Auth and the caller's logins (docker login). The first reply is awaited before the answer starts,
 * so that a refusal is an HTTP error. */
#include "supervisor/docker/dk.h"
#include "supervisor/shape/words.h"
#include "supervisor/docker/docker_img_push.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_auth.h"
#include "supervisor/docker/docker_progress.h"
#include "supervisor/docker/docker_pump.h"
#include "supervisor/docker/docker_answer.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_progress(dk_pump *p, yajl_val prog)
{
	const char *state = dk_str(prog, "state"), *blob = dk_str(prog, "blob"), *hex = strchr(blob, ':');
	char id[16], status[400];
	snprintf(id, sizeof(id), "%.12s", hex ? hex + 1 : blob);
	if (streq(state, "pushing")) {
		dk_put_progress(p, "Pushing", blob, dk_int(prog, "done", 0), dk_int(prog, "total", 0));
		return;
	}
	if (streq(state, "mounted"))
		snprintf(status, sizeof(status), "Mounted from %s", dk_str(prog, "from"));
	dk_put_status(p, streq(state, "exists") ? "Layer already exists" : streq(state, "mounted") ? status : "Pushed", id);
}

/* The last reply: what was pushed, as the line and the aux record
 * `docker push` reads. */
static void put_done(dk_pump *p, dk_relay *c, yajl_val params)
{
	char line[400];
	const char *digest = dk_str(params, "digest");
	long long size = dk_int(params, "size", 0);
	snprintf(line, sizeof(line), "%s: digest: %s size: %lld", c->tag, digest, size);
	dk_put_status(p, line, NULL);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	jg_object(g, JG_OBJECT("progressDetail"), JG_CLOSE, JG_OBJECT("aux"), JG_STR("Tag", c->tag),
		     JG_STR("Digest", digest), JG_INT("Size", size), JG_CLOSE, JG_END);
	dk_put_line(p, g);
}

/* name as Docker means it: a name without a registry is docker.io's. */
static void qualify(const char *name, const char *tag, char *out, size_t n)
{
	size_t first = strcspn(name, "/");
	bool domain = name[first] == '/' && (memchr(name, '.', first) || memchr(name, ':', first) ||
					     (first == 9 && !strncmp(name, "localhost", 9)));
	snprintf(out, n, "%s%s%s:%s", domain ? "" : "docker.io/", domain || name[first] ? "" : "library/", name, tag);
}

void dk_img_push(dk_req *r, const char *arg)
{
	const char *tag = dk_query(r, "tag");
	dk_pump *p = dk_relay_new(r);
	if (!p)
		return;
	dk_relay *c = p->ctx;
	c->verb = "push";
	c->progress = put_progress;
	c->done = put_done;
	snprintf(c->tag, sizeof(c->tag), "%s", tag && *tag ? tag : "latest");
	qualify(arg, c->tag, c->ref, sizeof(c->ref));
	_cleanup_json_gen_ yajl_gen g = dk_params_id(NULL);
	char image[1200];
	snprintf(image, sizeof(image), "%s:%s", arg, c->tag);
	jg_key_str(g, "image", image);
	jg_key_str(g, "destination", c->ref);
	if (dk_registry_auth(r, g) < 0) {
		dk_relay_free(p);
		return;
	}
	_cleanup_wipe_ char *params = dk_params_end(g);
	if (dk_relay_call(r, p, "ImagePush", params, image) < 0)
		return;
	char line[1300];
	snprintf(line, sizeof(line), "The push refers to repository [%.*s]", (int)(strlen(c->ref) - strlen(c->tag) - 1),
		 c->ref);
	dk_put_status(p, line, NULL);
	dk_pump_answer(r, p, "application/json");
}
