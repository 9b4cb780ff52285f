/* POST /images/create?fromImage=&tag=: a pull through corrald's
 * ImagePull, its progress as Docker's JSON lines (what `docker pull` draws).
 * The first reply is awaited before the answer starts, so that a refusal
 * is an HTTP error (a 404 tells `docker run` there is no such image). */
#include "supervisor/docker/dk.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdio.h>
#include <string.h>

typedef struct pull_ctx {
	char ref[1024];
	vl_reply first; /* the reply awaited before the answer began */
} pull_ctx;

static void put_progress(dk_pump *p, yajl_val prog)
{
	long long done = dk_int(prog, "done", 0), total = dk_int(prog, "total", 0);
	dk_put_progress(p, total && done >= total ? "Download complete" : "Downloading", dk_str(prog, "layer"), done,
			total);
}

/* One reply of the pull, as lines; the last one says what was pulled. */
static void put_reply(dk_pump *p, pull_ctx *c, vl_reply *rep)
{
	if (rep->error) {
		const char *reason = dk_str(rep->params, "reason");
		char msg[1200];
		snprintf(msg, sizeof(msg), "pull %s: %s", c->ref, *reason ? reason : rep->error);
		dk_put_error(p, msg);
		p->done = true;
		return;
	}
	if (json_get(rep->params, "progress"))
		put_progress(p, json_get(rep->params, "progress"));
	if (rep->continues)
		return;
	char line[1200];
	const char *digest = dk_str(rep->params, "repoDigest"), *at = strchr(digest, '@');
	if (*digest) {
		snprintf(line, sizeof(line), "Digest: %s", at ? at + 1 : digest);
		dk_put_status(p, line, NULL);
	}
	const char *pulled = dk_str(rep->params, "reference");
	snprintf(line, sizeof(line), "Status: Downloaded newer image for %s", dk_familiar(*pulled ? pulled : c->ref));
	dk_put_status(p, line, NULL);
	p->done = true;
}

static int pull_fill(dk_pump *p)
{
	pull_ctx *c = p->ctx;
	if (!p->started) {
		p->started = true;
		put_reply(p, c, &c->first);
		vl_reply_release(&c->first);
		return 0;
	}
	vl_reply rep = { 0 };
	_cleanup_cerr_ cerr e = { 0 };
	if (dk_pump_await(p) < 0)
		return -1; /* the client hung up: so does the pull */
	if (vl_client_recv(p->vl, &rep, &e) < 0) {
		dk_put_error(p, cerr_msg(&e));
		p->done = true;
		return 0;
	}
	put_reply(p, c, &rep);
	vl_reply_release(&rep);
	return 0;
}

static void pull_release(dk_pump *p)
{
	pull_ctx *c = p->ctx;
	vl_reply_release(&c->first);
}

void dk_img_pull(dk_req *r, const char *arg)
{
	const char *from = dk_query(r, "fromImage"), *tag = dk_query(r, "tag");
	if (!from || !*from) {
		dk_error(r, 501, "corral imports images with POST /images/load or corralctl image import: only "
				 "fromImage is supported here");
		return;
	}
	dk_pump *p = dk_pump_new(r, pull_fill, sizeof(pull_ctx));
	if (!p) {
		dk_error(r, 500, "out of memory");
		return;
	}
	pull_ctx *c = p->ctx;
	p->release = pull_release;
	const char *last = strrchr(from, '/');
	bool tagged = strchr(last ? last : from, ':') || strchr(from, '@');
	if (tag && *tag && !tagged)
		snprintf(c->ref, sizeof(c->ref), "%s%s%s", from, strncmp(tag, "sha256:", 7) ? ":" : "@", tag);
	else
		snprintf(c->ref, sizeof(c->ref), "%s%s", from, tagged ? "" : ":latest");
	_cleanup_json_gen_ yajl_gen g = dk_params_id(NULL);
	jg_key_str(g, "reference", c->ref);
	const char *platform = dk_query(r, "platform");
	if (platform && *platform)
		jg_key_str(g, "platform", platform);
	_cleanup_free_ char *params = dk_params_end(g);
	_cleanup_cerr_ cerr e = { 0 };
	if (!params || vl_client_send(r->vl, "io.corral.Supervisor.ImagePull", params, true, false, &e) < 0 ||
	    vl_client_recv(r->vl, &c->first, &e) < 0) {
		dk_error(r, 500, "corrald: ImagePull: %s", cerr_msg(&e));
		pull_release(p);
		sb_release(&p->out);
		free(p);
		return;
	}
	if (c->first.error) {
		dk_fail(r, &c->first, c->ref);
		free(p);
		return;
	}
	/* the first line Docker's client shows, before any progress:
	 * "TAG: Pulling from REPOSITORY" */
	char line[1200], repo[1024];
	const char *name = dk_familiar(c->ref), *slash = strrchr(name, '/');
	size_t n = strcspn(slash ? slash : name, ":@") + (size_t)(slash ? slash - name : 0);
	snprintf(repo, sizeof(repo), "%.*s", (int)n, name);
	snprintf(line, sizeof(line), "Pulling from %s", repo);
	dk_put_status(p, line, name[n] ? name + n + 1 : "latest");
	dk_pump_answer(r, p, "application/json");
}
