#include "supervisor/daemon/pulls/pull.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/images/images.h"
#include "supervisor/daemon/policy/policy.h"
#include "supervisor/daemon/secrets/secrets.h"
#include "supervisor/loop/child.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strv.h"
#include "images/import.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pull_run {
	struct pull_run *next; /* corrald's pulls running */
	peer_cred peer;
	char *ref;
	pull_done_fn done;
	pull_progress_fn progress;
	void *ctx;
	unsigned long long bytes;
} pull_run;

/* "layer DIGEST DONE TOTAL", the progress; "fetched BYTES N". */
static bool on_line(vl_call *call, const char *line, size_t n, void *data)
{
	pull_run *j = data;
	char dg[DIGEST_STR_LEN + 1];
	unsigned long long done, total;
	unsigned reqs;
	char buf[256];
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, line, n);
	buf[n] = '\0';
	if (sscanf(buf, "fetched %llu %u", &j->bytes, &reqs) == 2)
		return true;
	if (sscanf(buf, "layer %72s %llu %llu", dg, &done, &total) != 3 || !digest_valid(dg))
		return false;
	if (j->progress)
		j->progress(call, dg, done, total);
	return true;
}

size_t pull_running(corrald *d, uid_t uid)
{
	size_t n = push_running(d, uid);
	for (pull_run *j = d->pulls; j; j = j->next)
		n += j->peer.uid == uid;
	return n;
}

static void job_done(corrald *d, vl_call *call, int rc, const strbuf *out, const strbuf *errout, void *data)
{
	pull_run *j = data;
	for (pull_run **p = &d->pulls; *p; p = &(*p)->next)
		if (*p == j) {
			*p = j->next;
			break;
		}
	pull_outcome o = { .ok = rc == 0 };
	_cleanup_free_ char *msg = NULL;
	if (rc == 0 && (!out->buf || sscanf(out->buf, "%71s %71s %71s %599s", o.id, o.manifest, o.repo_digest, o.ref) != 4 ||
			!digest_valid(o.id) || !digest_valid(o.manifest))) {
		o.ok = false;
		rc = -EBADMSG;
	}
	if (!o.ok) {
		msg = rc < 0 ? strdup("corral-images: unexpected output") : img_helper_error(errout, "pull", j->ref);
		o.error = msg ? msg : "pull failed";
		o.host_fault = rc < 0 || rc == IMPORT_EXIT_HOST;
		snprintf(o.ref, sizeof(o.ref), "%s", j->ref);
	}
	metrics_add_pull(d->metrics, o.ok, j->bytes);
	if (o.ok) {
		events_publish(d->events, EV_SHARED(j->peer.uid), "image", "pull", o.id, o.ref,
			       (const char *const[]){ "manifest", o.manifest, "repoDigest", o.repo_digest, NULL }, 0);
		corrald_update_image_gauges(d, NULL);
	}
	j->done(d, call, &o, j->ctx);
	free(j->ref);
	free(j);
}

void pulls_shutdown(corrald *d)
{
	while (d->pulls) {
		pull_run *j = d->pulls;
		d->pulls = j->next;
		pull_outcome o = { .error = "corrald is shutting down" };
		snprintf(o.ref, sizeof(o.ref), "%s", j->ref);
		j->done(d, NULL, &o, j->ctx);
		free(j->ref);
		free(j);
	}
}

int pull_start(corrald *d, const peer_cred *peer, const pull_req *q, pull_done_fn done, void *ctx, cerr *err)
{
	const corrald_config *c = d->cfg;
	const reg_conf *rc = &c->registries;
	char uid[16], whole[16], par[16];
	snprintf(uid, sizeof(uid), "%u", (unsigned)peer->uid);
	snprintf(whole, sizeof(whole), "%zu", c->pull_timeout);
	snprintf(par, sizeof(par), "%zu", c->pull_parallel);
	_cleanup_strv_ char **args = NULL;
	int bad = pull_arg(&args, "image", NULL) || pull_arg(&args, "pull", NULL) ||
		  pull_arg(&args, "--store", c->state_dir) || pull_arg(&args, "--owner", uid) ||
		  pull_registry_args(d, &args) || pull_arg(&args, "--pull-timeout", whole) ||
		  pull_arg(&args, "--parallel", par) || pull_arg(&args, "--progress", "lines") ||
		  pull_arg(&args, "--auth-fd", "0") || pull_arg(&args, "--die-with-parent", NULL) || (q->platform && pull_arg(&args, "--platform", q->platform));
	/* images.require_signature: the registry's cosign signature, before a layer */
	const policy_tier *t = policy_tier_of(d->policy, peer->uid);
	char ingest[24];
	snprintf(ingest, sizeof(ingest), "%lld", (long long)t->max_ingest);
	if (!bad && t->max_ingest > 0)
		bad = pull_arg(&args, "--max-ingest", ingest);
	if (!bad && t->require_signature)
		bad = pull_arg(&args, "--require-signature", t->trusted_keys);
	for (char **s = rc->search; !bad && s && *s; s++)
		bad = pull_arg(&args, "--search-registry", *s);
	for (size_t i = 0; !bad && i < rc->n_mirrors; i++) {
		_cleanup_free_ char *m = NULL;
		bad = asprintf(&m, "%s=%s", rc->mirrors[i].prefix, rc->mirrors[i].location) < 0 ||
		      pull_arg(&args, "--mirror", m);
	}
	/* "--" so that a reference is never an option */
	if (bad || pull_arg(&args, "--", NULL) || pull_arg(&args, q->ref, NULL))
		return cerr_set(err, ENOMEM, "out of memory");
	_cleanup_free_ char *auth = NULL;
	int r = pull_auth_of(d, peer, q->auth_json, &auth, err);
	if (r < 0)
		return r;
	pull_run *j = calloc(1, sizeof(*j));
	if (!j || !(j->ref = strdup(q->ref))) {
		free(j);
		explicit_bzero(auth, strlen(auth));
		return cerr_set(err, ENOMEM, "out of memory");
	}
	*j = (pull_run){ .peer = *peer, .ref = j->ref, .done = done, .progress = q->progress, .ctx = ctx };
	/* a pull is its caller's: one that hangs up ends it, unless it asked
	 * for it to go on */
	imghelper_io io = { .input = auth, .input_len = strlen(auth), .on_line = on_line, .bounded_apart = true,
			 .ends_with_caller = q->call && !q->detach };
	r = imghelper_run(d, q->call, args, SPAWN_NULL, &io, job_done, j, err);
	explicit_bzero(auth, strlen(auth));
	if (r < 0) {
		free(j->ref);
		free(j);
		return r;
	}
	j->next = d->pulls;
	d->pulls = j;
	return 0;
}

/* Hourly, and once soon after start: what pulls left in ingest more than a
 * day ago goes, without a gc (corral-images does the disk work). */
#define INGEST_SWEEP_USEC (3600ull * 1000000)

static void on_sweep(el_source *s, void *data)
{
	img_sweep_staging(data);
	el_timer_set(s, INGEST_SWEEP_USEC, false);
}

int pull_sweep_start(corrald *d, el_source **out, cerr *err)
{
	return el_add_timer(d->loop, 1000000, false, on_sweep, d, out, err);
}
