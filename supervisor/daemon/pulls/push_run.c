/* A push running in corral-images (`image push`), as a pull runs: the
 * peer's logins on its stdin, its progress lines told to its caller's
 * progress function. */
#include "supervisor/daemon/pulls/pull.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/core/events.h"
#include "supervisor/daemon/images/images.h"
#include "supervisor/loop/child.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"
#include "images/import.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct push_run {
	struct push_run *next; /* corrald's pushes running */
	peer_cred peer;
	char *image, *id;
	push_done_fn done;
	push_progress_fn progress;
	void *ctx;
} push_run;

size_t push_running(corrald *d, uid_t uid)
{
	size_t n = 0;
	for (push_run *j = d->pushes; j; j = j->next)
		n += j->peer.uid == uid;
	return n;
}

/* "blob DIGEST DONE TOTAL STATE [FROM]", the progress. */
static bool on_line(vl_call *call, const char *line, size_t n, void *data)
{
	push_run *j = data;
	char buf[600], dg[DIGEST_STR_LEN + 1], state[16], from[300] = "";
	unsigned long long done, total;
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, line, n);
	buf[n] = '\0';
	if (sscanf(buf, "blob %72s %llu %llu %15s %299s", dg, &done, &total, state, from) < 4 || !digest_valid(dg))
		return false;
	if (j->progress)
		j->progress(call, dg, done, total, state, from);
	return true;
}

static void job_done(corrald *d, vl_call *call, int rc, const strbuf *out, const strbuf *errout, void *data)
{
	push_run *j = data;
	for (push_run **p = &d->pushes; *p; p = &(*p)->next)
		if (*p == j) {
			*p = j->next;
			break;
		}
	push_outcome o = { .ok = rc == 0 };
	_cleanup_free_ char *msg = NULL;
	/* on_line took the progress: what is left is "DIGEST SIZE REF" */
	if (rc == 0 && (!out->buf || sscanf(out->buf, "%71s %llu %599s", o.digest, &o.size, o.ref) != 3 ||
			!digest_valid(o.digest))) {
		o.ok = false;
		rc = -EBADMSG;
	}
	if (!o.ok) {
		msg = rc < 0 ? strdup("corral-images: unexpected output") : img_helper_error(errout, "push", j->image);
		o.error = msg ? msg : "push failed";
		o.host_fault = rc < 0 || rc == IMPORT_EXIT_HOST;
	} else {
		events_publish(d->events, EV_SHARED(j->peer.uid), "image", "push", j->id, o.ref,
			       (const char *const[]){ "manifest", o.digest, NULL }, 0);
	}
	j->done(d, call, &o, j->ctx);
	free(j->image);
	free(j->id);
	free(j);
}

int push_start(corrald *d, const peer_cred *peer, const push_req *q, push_done_fn done, void *ctx, cerr *err)
{
	const char *image = q->image, *dest = q->dest;
	char whole[16];
	snprintf(whole, sizeof(whole), "%zu", d->cfg->pull_timeout);
	_cleanup_strv_ char **args = NULL;
	/* "--" so that neither name is ever an option */
	if (pull_arg(&args, "image", "push") || pull_arg(&args, "--store", d->cfg->state_dir) ||
	    pull_registry_args(d, &args) || pull_arg(&args, "--pull-timeout", whole) ||
	    pull_arg(&args, "--progress", "lines") || pull_arg(&args, "--auth-fd", "0") ||
	    pull_arg(&args, "--die-with-parent", NULL) || pull_arg(&args, "--", NULL) || pull_arg(&args, image, dest))
		return cerr_set(err, ENOMEM, "out of memory");
	_cleanup_free_ char *auth = NULL;
	int r = pull_auth_of(d, peer, q->auth_json, &auth, err);
	if (r < 0)
		return r;
	push_run *j = calloc(1, sizeof(*j));
	if (j)
		*j = (push_run){ .peer = *peer, .image = strdup(image), .id = strdup(q->id), .done = done,
				     .progress = q->progress, .ctx = ctx };
	if (!j || !j->image || !j->id) {
		if (j)
			free(j->image), free(j->id);
		free(j);
		explicit_bzero(auth, strlen(auth));
		return cerr_set(err, ENOMEM, "out of memory");
	}
	/* a push is its caller's: one that hangs up ends it */
	imghelper_io io = { .input = auth, .input_len = strlen(auth), .on_line = on_line, .ends_with_caller = q->call != NULL,
			    .bounded_apart = true };
	r = imghelper_run(d, q->call, args, SPAWN_NULL, &io, job_done, j, err);
	explicit_bzero(auth, strlen(auth));
	if (r < 0) {
		free(j->image);
		free(j->id);
		free(j);
		return r;
	}
	j->next = d->pushes;
	d->pushes = j;
	return 0;
}
