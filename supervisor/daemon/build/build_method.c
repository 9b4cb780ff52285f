/* Build: the call is answered with the upgrade, and its connection goes to
 * corral-build (supervisor/build/bld.h), which runs as the caller: the
 * context streams in, the progress out, and each step is a call of the
 * caller's. corrald keeps a directory for the context, the caller's, under
 * <state-dir>/builds, removed when the build ends (and at start, what a
 * crash left) in the background, through the trash: it holds whatever the
 * caller sent. A member runs at most BUILDS_PER_MEMBER at once.
 *
 * corral-build removes each step's container; one it could not (it was
 * killed, or corrald died under it) goes when the build ends, or at
 * corrald's next start: the step containers carry BUILD_LABEL, set here at
 * their Create, which corral-build's own process makes. The label is
 * corrald's alone: one that a spec or an image's config brings is dropped,
 * so that no image marks a container for removal. */
#include "supervisor/daemon/build/commit_methods.h"
#include "supervisor/varlink/handover.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/build/build_method.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/containers/record/trash.h"
#include "supervisor/daemon/containers/engine/ctr_lifecycle.h"
#include "supervisor/daemon/core/labels.h"
#include "supervisor/daemon/policy/policy.h"
#include "supervisor/loop/child.h"
#include "supervisor/varlink/params.h"
#include "supervisor/varlink/streams.h"
#include "supervisor/api/sv_errors.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strv.h"
#include "images/refs.h"
#include "images/refs_name.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUILDS_PER_MEMBER 4

typedef struct build_run {
	struct build_run *next;
	corrald *d;
	uid_t uid;
	pid_t pid; /* its corral-build's, once it runs */
	char dir[PATH_MAX];
} build_run;

static const char *id_of(const build_run *b)
{
	return strrchr(b->dir, '/') + 1;
}

/* The step containers of build (NULL: of every build) go, running or not. */
static void remove_steps(corrald *d, const char *build)
{
	for (ctr *c = d->ctrs, *next; c; c = next) {
		next = c->next; /* one not running is freed at once */
		const char *of = labels_get(c->spec.labels, BUILD_LABEL);
		if (!of || (build && strcmp(of, build)))
			continue;
		log_info("build %s: its step container %s is left: removed", of, c->name);
		_cleanup_cerr_ cerr err = { 0 };
		if (ctr_remove_forced(d, c, &err) < 0)
			log_cerr(LOG_LVL_WARN, &err, "build %s: its step container %s", of, c->name);
	}
}

static void forget(build_run *b)
{
	for (build_run **p = &b->d->builds; *p; p = &(*p)->next)
		if (*p == b) {
			*p = b->next;
			break;
		}
	/* the caller's files, which may be many: removed in the background */
	_cleanup_cerr_ cerr err = { 0 };
	if (trash_dir(b->d, b->dir, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "build directory %s", b->dir);
	free(b);
}

static void on_build_done(const el_child_result *r, void *data)
{
	build_run *b = data;
	if (r->code != 0) {
		const strbuf *e = &r->out[1];
		log_info("build by uid %u: corral-build exited with %d: %.*s", (unsigned)b->uid, r->code,
			 (int)strcspn(e->buf ? e->buf : "", "\n"), e->buf ? e->buf : "");
	}
	remove_steps(b->d, id_of(b));
	forget(b);
}

static size_t running(corrald *d, uid_t uid)
{
	size_t n = 0;
	for (build_run *b = d->builds; b; b = b->next)
		n += b->uid == uid;
	return n;
}

/* The parameters, checked before the upgrade so that a wrong one is an
 * error reply; corral-build takes them as they are. */
static int check(yajl_val params, json_fault *f)
{
	const char *s;
	bool v;
	_cleanup_strv_ char **tags = NULL;
	yajl_val o;
	int r;
	if ((r = sp_dispatch(params,
			     SP_PARAMS(SP_STR("dockerfile", false, &s), SP_STR("target", false, &s), SP_STR("network", false, &s),
				       SP_BOOL("noCache", false, &v), SP_BOOL("pull", false, &v), SP_BOOL("quiet", false, &v),
				       SP_KEY("tags"), SP_KEY("buildArgs"), SP_KEY("labels")),
			     f)) < 0 ||
	    (r = json_get_strv(params, "", "tags", JSON_REF, &tags, NULL, f)) < 0 ||
	    (r = json_get_object(params, "", "buildArgs", 0, &o, f)) < 0 ||
	    (r = json_get_object(params, "", "labels", 0, &o, f)) < 0)
		return r;
	for (size_t i = 0; tags && tags[i]; i++) {
		_cleanup_free_ char *norm = ref_normalize(tags[i]);
		if (!norm)
			return json_fault_set(f, EINVAL, "tags", "%s: not NAME[:TAG]", tags[i]);
	}
	return 0;
}


static int start(corrald *d, vl_call *call, build_run *b, const char *params_text)
{
	const peer_cred *peer = vl_call_peer(call);
	const policy_tier *t = policy_tier_of(d->policy, peer->uid);
	char uid[16], gid[16], group[16], max[24];
	snprintf(uid, sizeof(uid), "%u", (unsigned)peer->uid);
	snprintf(gid, sizeof(gid), "%u", (unsigned)peer->gid);
	snprintf(group, sizeof(group), "%u", (unsigned)d->group);
	snprintf(max, sizeof(max), "%lld", (long long)(t->max_ingest > 0 ? t->max_ingest : 8ll << 30));
	char *argv[] = { d->build_bin, "--socket", d->cfg->socket, "--dir", b->dir, "--uid", uid, "--gid", gid,
			 "--max-context", max, d->group != PEER_NO_GROUP ? "--group" : NULL, group, NULL };
	_cleanup_close_ int fd = -1;
	if (vl_call_upgrade(call, NULL, &fd) < 0) {
		forget(b);
		return 0; /* the connection went */
	}
	el_child_opts o = { .path = d->build_bin, .argv = argv, .fd3 = fd, .max_output = 64u << 10,
			    .input = params_text, .input_len = strlen(params_text) };
	el_child *ch;
	_cleanup_cerr_ cerr err = { 0 };
	if (el_child_run(d->loop, &o, on_build_done, b, &ch, &err) < 0) {
		log_cerr(LOG_LVL_ERROR, &err, "build: corral-build");
		stream_end(fd, 1, "corral-build could not start: see corrald's log");
		forget(b);
	} else
		b->pid = el_child_pid(ch);
	return 0; /* answered by the upgrade; corral-build has the stream */
}

int sv_build(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	if (check(params, &f) < 0)
		return sv_invalid_fault(call, &f);
	if (!vl_call_wants_upgrade(call))
		return sv_invalid(call, "upgrade", "the context streams after the reply: call with \"upgrade\": true");
	const peer_cred *peer = vl_call_peer(call);
	if (owner_is_member(peer) && running(d, peer->uid) >= BUILDS_PER_MEMBER)
		return sv_policy_violation(call, "build", "builds", "a member runs at most 4 builds at once");
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	_cleanup_free_ char *text = g && !jg_value(g, params) ? jg_finish(g, NULL) : NULL;
	build_run *b = calloc(1, sizeof(*b));
	char top[PATH_MAX];
	snprintf(top, sizeof(top), "%s/builds", d->cfg->state_dir);
	if (!text || !b) {
		free(b);
		return sv_internal(call, "out of memory");
	}
	*b = (build_run){ .d = d, .uid = peer->uid };
	snprintf(b->dir, sizeof(b->dir), "%s/XXXXXX", top);
	if ((mkdir(top, 0700) < 0 && errno != EEXIST) || !mkdtemp(b->dir)) {
		int e = errno;
		free(b);
		return sv_internal(call, strerror(e));
	}
	b->next = d->builds;
	d->builds = b;
	return start(d, call, b, text);
}

/* BUILD_LABEL's pairs out of kv */
static void unlabel(char **kv)
{
	size_t kept = 0;
	for (size_t i = 0; kv && kv[i] && kv[i + 1]; i += 2) {
		if (!strcmp(kv[i], BUILD_LABEL)) {
			free(kv[i]);
			free(kv[i + 1]);
			continue;
		}
		kv[kept++] = kv[i];
		kv[kept++] = kv[i + 1];
	}
	if (kv)
		kv[kept] = NULL;
}

static int label_step(ctr_spec *cspec, const char *build)
{
	size_t n = strv_length(cspec->labels);
	char *key = strdup(BUILD_LABEL), *value = strdup(build);
	if (key && value && strv_push(&cspec->labels, key) == 0) {
		if (strv_push(&cspec->labels, value) == 0)
			return 0;
		cspec->labels[n] = NULL; /* the key goes with its value */
	}
	free(key);
	free(value);
	return -ENOMEM;
}

/* The caller is a running build's corral-build: its process is the
 * build's (corrald's child, not reaped while the build is listed), and
 * it runs as the build's caller. */
static int mark_step(corrald *d, ctr_spec *cspec, const peer_cred *peer, ctr_missing *m, json_fault *f)
{
	(void)m;
	unlabel(cspec->labels);
	const build_run *b = d->builds;
	while (b && (!b->pid || b->pid != peer->pid || b->uid != peer->uid))
		b = b->next;
	if (b && label_step(cspec, id_of(b)) < 0)
		return json_fault_set(f, ENOMEM, "spec.labels", "out of memory");
	return 0;
}

/* The label is corrald's, not the caller's spec: the record keeps it, and
 * a load takes it from there alone (the spec may hold an image's) */
static void gen_record(yajl_gen g, const ctr *c)
{
	const char *build = labels_get(c->spec.labels, BUILD_LABEL);
	if (build)
		jg_key_str(g, "build", build);
}

static void load_record(ctr *c, yajl_val record)
{
	unlabel(c->spec.labels);
	yajl_val build = json_key(record, "build");
	if (YAJL_IS_STRING(build) && label_step(&c->spec, build->u.string) < 0)
		log_warn("container %s: out of memory for its build's label", c->name);
}

/* A step's Create that outlives its build (the build ended while a child
 * opened its sources or filled its volumes) fails: remove_steps has run,
 * and no step may be made after it. */
static int build_still_running(const corrald *d, const ctr *c, cerr *err)
{
	const char *of = labels_get(c->spec.labels, BUILD_LABEL);
	for (const build_run *b = d->builds; of && b; b = b->next)
		if (!strcmp(id_of(b), of))
			return 0;
	return of ? cerr_set(err, ECANCELED, "build %s has ended: its step is not made", of) : 0;
}

static int step_created(corrald *d, ctr *c, const char *dir, char *broker_dir, size_t n, cerr *err)
{
	(void)dir, (void)broker_dir, (void)n;
	return build_still_running(d, c, err);
}

static int step_filled(corrald *d, const ctr *c, cerr *err) { return build_still_running(d, c, err); }

const ctr_feature builds_container_hooks = {
	.name = "builds",
	.create = { .check = mark_step, .created = step_created, .filled = step_filled },
	.record = { .gen = gen_record, .load = load_record },
};

void builds_sweep(corrald *d)
{
	remove_steps(d, NULL); /* no build outlives a corrald */
	char top[PATH_MAX];
	snprintf(top, sizeof(top), "%s/builds", d->cfg->state_dir);
	_cleanup_cerr_ cerr err = { 0 };
	if (access(top, F_OK) == 0 && trash_dir(d, top, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "%s", top);
}
