/* POST /images/create?fromImage=&tag=: a pull through corrald's
 * ImagePull, its progress as Docker's JSON lines (what `docker pull` draws).
 * The first reply is awaited before the answer starts, so that a refusal
 * is an HTTP error (a 404 tells `docker run` there is no such image). */
#include "supervisor/docker/dk.h"
#include "supervisor/shape/words.h"
#include "supervisor/docker/docker_img_pull.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_auth.h"
#include "supervisor/docker/docker_progress.h"
#include "supervisor/docker/docker_pump.h"
#include "supervisor/docker/docker_answer.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdio.h>
#include <string.h>

static void put_progress(dk_pump *p, yajl_val prog)
{
	long long done = dk_int(prog, "done", 0), total = dk_int(prog, "total", 0);
	dk_put_progress(p, total && done >= total ? "Download complete" : "Downloading", dk_str(prog, "layer"), done,
			total);
}

/* The last reply: what was pulled. */
static void put_done(dk_pump *p, dk_relay *j, yajl_val params)
{
	char line[1200];
	const char *digest = dk_str(params, "repoDigest"), *at = strchr(digest, '@');
	if (*digest) {
		snprintf(line, sizeof(line), "Digest: %s", at ? at + 1 : digest);
		dk_put_status(p, line, NULL);
	}
	const char *pulled = dk_str(params, "reference");
	snprintf(line, sizeof(line), "Status: Downloaded newer image for %s", dk_familiar(*pulled ? pulled : j->ref));
	dk_put_status(p, line, NULL);
}

void dk_img_pull(dk_req *r, const char *arg)
{
	const char *from = dk_query(r, "fromImage"), *tag = dk_query(r, "tag");
	if (!from || !*from) {
		dk_error(r, 400, "fromImage (a pull) or fromSrc (an import) is required");
		return;
	}
	dk_pump *p = dk_relay_new(r);
	if (!p)
		return;
	dk_relay *c = p->ctx;
	c->verb = "pull";
	c->progress = put_progress;
	c->done = put_done;
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
	if (dk_registry_auth(r, g) < 0) {
		dk_relay_free(p);
		return;
	}
	_cleanup_wipe_ char *params = dk_params_end(g);
	if (dk_relay_call(r, p, "ImagePull", params, c->ref) < 0)
		return;
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
