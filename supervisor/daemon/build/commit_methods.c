/* ContainerCommit and ImageCommit: a new image from a container's changes
 * (its overlay upper directory) or from an image and its config alone, by
 * `corral-images image commit` as a child, owned by the peer. A build's
 * steps are these calls, with the step's cache key. */
#include "supervisor/daemon/build/commit_methods.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/varlink/handover.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/store/build_cache.h"
#include "supervisor/daemon/build/commit_changes.h"
#include "supervisor/daemon/containers/methods/ctr_reply.h"
#include "supervisor/daemon/containers/engine/ctr_freeze.h"
#include "supervisor/daemon/containers/engine/ctr_spawn.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/core/events.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/images/images.h"
#include "supervisor/daemon/store/img_lookup.h"
#include "supervisor/varlink/params.h"
#include "supervisor/loop/child.h"
#include "supervisor/daemon/policy/policy.h"
#include "supervisor/api/sv_errors.h"
#include "supervisor/daemon/containers/record/ctr_ids.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/log.h"
#include "common/spawn.h"
#include "common/strv.h"
#include "images/import.h"
#include "images/refs.h"
#include "images/refs_name.h"

#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Arguments for corral-images, copied; a failure leaves *v NULL-ended
 * and marks it, for run() to answer. */
typedef struct arg_list {
	char **v;
	bool failed;
} arg_list;

static void args_add(arg_list *a, ...)
{
	va_list ap;
	va_start(ap, a);
	for (const char *s; (s = va_arg(ap, const char *));) {
		char *dup = strdup(s);
		if (!dup || strv_push(&a->v, dup) < 0) {
			free(dup);
			a->failed = true;
		}
	}
	va_end(ap);
}

static void args_release(arg_list *a) { strv_free(a->v); }

/* A member's commits and imports at once, each a corral-images of its own. */
#define COMMITS_PER_MEMBER 4

typedef struct commit_run {
	struct commit_run *next; /* corrald's running ones */
	corrald *d;
	peer_cred peer;
	char *cache_key; /* or NULL */
	char *name;      /* or NULL */
	char *paused;    /* the container frozen for the commit, to thaw, or NULL */
	char *patch;     /* the config's patch, corral-images' stdin */
} commit_run;

static void job_free(commit_run *j)
{
	for (commit_run **p = &j->d->commits; *p; p = &(*p)->next)
		if (*p == j) {
			*p = j->next;
			break;
		}
	free(j->cache_key);
	free(j->name);
	free(j->paused);
	free(j->patch);
	free(j);
}

static void thaw(corrald *d, commit_run *j)
{
	ctr *c = j->paused ? ctr_find_for(d, j->paused, &j->peer) : NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (c && ctr_set_frozen(d, c, false, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "container %s: thaw after commit", c->name);
}

void commits_shutdown(corrald *d)
{
	while (d->commits) {
		commit_run *j = d->commits;
		thaw(d, j); /* no one asked it paused past the commit, which ends here */
		job_free(j);
	}
}

static void commit_done(corrald *d, vl_call *call, int rc, const strbuf *out, const strbuf *errout, void *data)
{
	commit_run *j = data;
	thaw(d, j);
	char id[DIGEST_STR_LEN] = "", manifest[DIGEST_STR_LEN] = "";
	if (rc == 0 && (!out->buf || sscanf(out->buf, "%71s %71s", id, manifest) != 2))
		rc = -EBADMSG;
	if (rc != 0) {
		if (!call)
			img_sweep_staging(d);
		_cleanup_free_ char *msg = rc < 0 ? strdup("corral-images: unexpected output")
						  : imghelper_last_line(errout, "corral: image commit: ");
		if (call && (rc < 0 || rc == IMPORT_EXIT_HOST))
			sv_internal(call, msg ? msg : "commit failed");
		else if (call)
			sv_invalid(call, "config", msg ? msg : "commit failed");
		job_free(j);
		return;
	}
	_cleanup_cerr_ cerr err = { 0 };
	if (j->cache_key && build_cache_put(d, &j->peer, j->cache_key, manifest, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "build cache");
	_cleanup_free_ char *shown = j->name ? ref_qualified(j->peer.uid, j->name) : NULL;
	events_publish(d->events, EV_SHARED(j->peer.uid), "image", "commit", id, shown ? shown : "",
		       (const char *const[]){ "manifest", manifest, NULL }, 0);
	corrald_update_image_gauges(d, NULL);
	if (call) {
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		jg_object(g, JG_STR("id", id), JG_STR("manifestDigest", manifest), JG_END);
		vl_call_reply_gen(call, g);
	}
	job_free(j);
}

/* The parameters both take: the strings read with the target, into m;
 * config and changes read here */
typedef struct commit_meta {
	const char *name, *key, *by, *comment, *author;
} commit_meta;
#define COMMIT_PARAMS(m)                                                                                    \
	SP_REF("name", false, &(m)->name), SP_STR("cacheKey", false, &(m)->key),                            \
		SP_STR("createdBy", false, &(m)->by), SP_STR("comment", false, &(m)->comment),              \
		SP_STR("author", false, &(m)->author), SP_KEY("config"), SP_KEY("changes"), SP_KEY("emptySteps")

/* emptySteps: a build's steps before this one that changed no file, each
 * an --empty-step of the helper's, bounded as the changes are */
static int empty_step_args(yajl_val params, arg_list *args, json_fault *f)
{
	yajl_val steps = NULL;
	int r = json_get_array(params, "", "emptySteps", 0, 256, &steps, f);
	size_t total = 0;
	for (size_t i = 0; r == 0 && steps && i < steps->u.array.len; i++) {
		yajl_val v = steps->u.array.values[i];
		char at[32];
		snprintf(at, sizeof(at), "emptySteps[%zu]", i);
		if (!YAJL_IS_STRING(v))
			return json_want(v, yajl_t_string, at, f);
		if ((total += strlen(v->u.string)) > COMMIT_CHANGES_MAX)
			return json_fault_set(f, E2BIG, at, "the steps pass %u bytes in all", COMMIT_CHANGES_MAX);
		args_add(args, "--empty-step", v->u.string, NULL);
	}
	return r;
}

/* j filled from the parameters both take. */
static int common_params(corrald *d, const peer_cred *peer, yajl_val params, const commit_meta *m, const char *parent,
			 commit_run *j, arg_list *args, json_fault *f)
{
	const char *name = m->name, *key = m->key, *by = m->by, *comment = m->comment, *author = m->author;
	yajl_val patch = NULL, changes = NULL;
	int r;
	if ((r = json_get_object(params, "", "config", 0, &patch, f)) < 0 ||
	    (r = json_get_array(params, "", "changes", 0, 256, &changes, f)) < 0)
		return r;
	if (key && !digest_valid(key))
		return json_fault_set(f, EINVAL, "cacheKey", "must be sha256:<64 hex digits>");
	if (name && !(j->name = ref_normalize(name)))
		return json_fault_set(f, EINVAL, "name", "must be NAME[:TAG]");
	if (key && !(j->cache_key = strdup(key)))
		return -ENOMEM;
	_cleanup_cerr_ cerr err = { 0 };
	if ((r = commit_patch(d, peer, parent, patch, changes, &j->patch, &err)) < 0)
		return json_fault_set(f, -r, changes ? "changes" : "config", "%s", cerr_msg(&err));
	char uid[16];
	snprintf(uid, sizeof(uid), "%u", (unsigned)j->peer.uid);
	args_add(args, "image", "commit", "--die-with-parent", "--store", d->cfg->state_dir, "--owner", uid, NULL);
	if (parent)
		args_add(args, "--parent", parent, NULL);
	if (j->name)
		args_add(args, "--name", j->name, NULL);
	if ((r = empty_step_args(params, args, f)) < 0)
		return r;
	if (by)
		args_add(args, "--created-by", by, NULL);
	if (comment)
		args_add(args, "--comment", comment, NULL);
	if (author)
		args_add(args, "--author", author, NULL);
	return 0;
}

/* A new run for peer, if it may start one more: else NULL, with f saying
 * why. */
static commit_run *new_run(corrald *d, const peer_cred *peer, sv_fault *f)
{
	commit_run *j = calloc(1, sizeof(*j));
	if (!j) {
		sv_fault_internal(f, "out of memory");
		return NULL;
	}
	j->d = d;
	j->peer = *peer;
	size_t n = 0;
	for (commit_run *o = d->commits; o; o = o->next)
		n += o->peer.uid == j->peer.uid;
	if (!owner_is_member(&j->peer) || n < COMMITS_PER_MEMBER)
		return j;
	sv_fault_policy(f, "commit", "commits", "a member runs at most 4 commits and imports at once");
	job_free(j);
	return NULL;
}

static void keep_running(corrald *d, commit_run *j)
{
	j->next = d->commits;
	d->commits = j;
}

static int start_commit(corrald *d, vl_call *call, commit_run *j, arg_list *args)
{
	if (args->failed) {
		job_free(j);
		return sv_internal(call, "out of memory");
	}
	imghelper_io io = { .input = j->patch, .input_len = j->patch ? strlen(j->patch) : 0, .ends_with_caller = true,
			    .bounded_apart = true };
	_cleanup_cerr_ cerr err = { 0 };
	if (imghelper_run(d, call, args->v, SPAWN_NULL, &io, commit_done, j, &err) < 0) {
		thaw(d, j);
		job_free(j);
		return sv_internal_err(call, &err);
	}
	keep_running(d, j);
	return 0;
}

static void on_imported(const el_child_result *r, void *data)
{
	commit_run *j = data;
	char id[DIGEST_STR_LEN] = "", manifest[DIGEST_STR_LEN] = "";
	if (r->code == 0 && r->out[0].buf && sscanf(r->out[0].buf, "%71s %71s", id, manifest) == 2) {
		_cleanup_free_ char *shown = j->name ? ref_qualified(j->peer.uid, j->name) : NULL;
		events_publish(j->d->events, EV_SHARED(j->peer.uid), "image", "import", id, shown ? shown : "",
			       (const char *const[]){ "manifest", manifest, NULL }, 0);
		corrald_update_image_gauges(j->d, NULL);
	} else if (r->code != 0) {
		img_sweep_staging(j->d);
	}
	job_free(j);
}

/* With "upgrade": the layer is a tar in STDIN frames (docker import),
 * spooled by corral-copy into the store's staging, unnamed, at most the
 * peer's max_ingest, and given to corral-images as its fd 3; the stream's
 * STDOUT says "ID MANIFEST", its EXIT how it ended. */
static int start_stream_import(corrald *d, vl_call *call, commit_run *j, arg_list *tail)
{
	const policy_tier *t = policy_tier_of(d->policy, j->peer.uid);
	char spool[PATH_MAX], max[24];
	snprintf(spool, sizeof(spool), "%s/images/staging", d->cfg->state_dir);
	snprintf(max, sizeof(max), "%lld", (long long)(t->max_ingest > 0 ? t->max_ingest : 16ll << 30));
	arg_list args = { 0 };
	args_add(&args, d->copy_bin, "image-load", "--spool", spool, "--max-bytes", max, "--", d->images_bin, NULL);
	for (char **p = tail->v; p && *p; p++)
		args_add(&args, *p, NULL);
	args_add(&args, "--tar-fd", "3", "--created-by", "import", NULL);
	if (j->patch)
		args_add(&args, "--config", j->patch, NULL);
	_cleanup_close_ int fd = -1;
	if (args.failed || vl_call_upgrade(call, NULL, &fd) < 0) {
		bool failed = args.failed;
		args_release(&args);
		job_free(j);
		return failed ? sv_internal(call, "out of memory") : 0;
	}
	j->d = d;
	el_child_opts o = { .path = d->copy_bin, .argv = args.v, .fd3 = fd, .max_output = 64u << 10 };
	el_child *ch;
	_cleanup_cerr_ cerr err = { 0 };
	if (el_child_run(d->loop, &o, on_imported, j, &ch, &err) < 0) {
		log_cerr(LOG_LVL_ERROR, &err, "import: corral-copy");
		job_free(j);
	} else {
		keep_running(d, j);
	}
	args_release(&args);
	return 0; /* answered by the upgrade; corral-copy has the stream */
}

/* The host ids of the container's user namespace, as corral-images takes them. */
static int add_id_maps(corrald *d, const ctr *c, arg_list *args, cerr *err)
{
	ctr_ids ids;
	int r = ctr_userns_of(d, c, &ids, err);
	for (int i = 0; r > 0 && i < 2; i++) {
		char u[64], g[64];
		snprintf(u, sizeof(u), "%u:%u:%u", ids.uid[i].container_id, ids.uid[i].host_id, ids.uid[i].size);
		snprintf(g, sizeof(g), "%u:%u:%u", ids.gid[i].container_id, ids.gid[i].host_id, ids.gid[i].size);
		args_add(args, "--uid-map", u, "--gid-map", g, NULL);
	}
	return r < 0 ? r : 0;
}

/* A commit that waits for its container's freeze (off the loop: a task
 * that will not stop holds up no one else) */
typedef struct commit_freeze {
	vl_call *call; /* NULL once the caller hung up */
	commit_run *j;
	arg_list args;
	char id[CTR_ID_LEN + 1];
} commit_freeze;

static void commit_freeze_cancelled(vl_call *call, void *data) { ((commit_freeze *)data)->call = NULL; }

/* frozen, or not (the commit goes on unpaused, as before) */
static void commit_frozen(corrald *d, ctr *c, int r, cerr *err, void *data)
{
	commit_freeze *x = data;
	if (r < 0)
		log_cerr(LOG_LVL_WARN, err, "container %s: pause for commit", x->id);
	else
		x->j->paused = strdup(x->id);
	if (x->call) {
		vl_call_set_cancel(x->call, NULL, NULL);
		start_commit(d, x->call, x->j, &x->args);
	} else {
		thaw(d, x->j);
		job_free(x->j);
	}
	args_release(&x->args);
	free(x);
}

static int freeze_then_commit(corrald *d, vl_call *call, ctr *c, commit_run *j, arg_list *args)
{
	commit_freeze *x = calloc(1, sizeof(*x));
	_cleanup_cerr_ cerr err = { 0 };
	if (!x) {
		job_free(j);
		return sv_internal(call, "out of memory");
	}
	*x = (commit_freeze){ .call = call, .j = j, .args = *args };
	*args = (arg_list){ 0 };
	snprintf(x->id, sizeof(x->id), "%s", c->id);
	if (ctr_freeze_async(d, c, j->peer.uid, commit_frozen, x, &err) < 0) {
		log_cerr(LOG_LVL_WARN, &err, "container %s: pause for commit", c->name);
		int r = start_commit(d, call, j, &x->args);
		args_release(&x->args);
		free(x);
		return r;
	}
	vl_call_set_cancel(call, commit_freeze_cancelled, x);
	return 0;
}

int sv_container_commit(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	commit_meta m;
	bool pause;
	CTR_METHOD_TARGET(c, d, call, params, f, COMMIT_PARAMS(&m), SP_BOOL("pause", true, &pause));
	if (c->status == CS_REMOVING || ctr_is_starting(c))
		return reply_bad_state(call, c, c->status == CS_REMOVING ? "it is being removed" : "it is starting");
	char upper[PATH_MAX + 8];
	const char *why = ctr_upper_dir(d, c, upper, sizeof(upper));
	if (why)
		return reply_bad_state(call, c, why);
	_cleanup_sv_fault_ sv_fault fault = { 0 };
	commit_run *j = new_run(d, vl_call_peer(call), &fault);
	if (!j)
		return sv_reply_fault(call, &fault);
	_cleanup_(args_release) arg_list args = { 0 };
	_cleanup_cerr_ cerr err = { 0 };
	if (common_params(d, vl_call_peer(call), params, &m, c->image_manifest, j, &args, &f) < 0) {
		job_free(j);
		return f.field[0] ? sv_invalid_fault(call, &f) : sv_internal(call, "out of memory");
	}
	args_add(&args, "--upper", upper, NULL);
	if (add_id_maps(d, c, &args, &err) < 0) {
		job_free(j);
		return sv_internal_err(call, &err);
	}
	if (pause && c->status == CS_RUNNING && !c->pausing)
		return freeze_then_commit(d, call, c, j, &args);
	return start_commit(d, call, j, &args);
}

int sv_image_commit(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	const char *ref;
	commit_meta m;
	if (sp_dispatch(params, SP_PARAMS(SP_REF("image", false, &ref), COMMIT_PARAMS(&m)), &f) < 0)
		return sv_invalid_fault(call, &f);
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	_cleanup_cerr_ cerr err = { 0 };
	/* no image: nothing to find, but the store opens all the same */
	bool opened = false;
	int i = ref ? img_find_ref(d, vl_call_peer(call), ref, &s, &db, NULL, NULL, &opened, &err) : img_open_refs(d, &s, &db, &err);
	if (i < 0)
		return img_find_failed(call, ref, opened, &err);
	_cleanup_sv_fault_ sv_fault fault = { 0 };
	commit_run *j = new_run(d, vl_call_peer(call), &fault);
	if (!j)
		return sv_reply_fault(call, &fault);
	_cleanup_(args_release) arg_list args = { 0 };
	if (common_params(d, vl_call_peer(call), params, &m, ref ? db.images[i].manifest : NULL, j, &args, &f) < 0) {
		job_free(j);
		return f.field[0] ? sv_invalid_fault(call, &f) : sv_internal(call, "out of memory");
	}
	if (vl_call_wants_upgrade(call))
		return start_stream_import(d, call, j, &args);
	args_add(&args, "--empty-layer", NULL);
	return start_commit(d, call, j, &args);
}
