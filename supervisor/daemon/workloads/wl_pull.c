/* A replica's images, before its session is made: each container's image
 * found in the store, or pulled first, as its imagePullPolicy says
 * (wl_plan.h), as the workload's owner sees the store and pulls: with its
 * own logins and imagePullSecrets, through the policy's images.registries
 * and images.allow. A pull that fails is the replica's ErrImagePull, a
 * missing image under Never its ErrImageNeverPull, and the loop's backoff
 * follows (ImagePullBackOff while it waits). One pull of an owner's image
 * runs at a time: the replicas that need it meanwhile wait for it. */
/* A pair with wl_act.c: the op wl_prepare takes goes back to wl_act.c once
 * its images are ready. */
#include "supervisor/daemon/workloads/wl_loop.h"
#include "supervisor/daemon/workloads/wl_pull.h"
#include "supervisor/daemon/workloads/wl_act.h"
#include "supervisor/daemon/pulls/pull.h"
#include "supervisor/daemon/policy/policy.h"
#include "supervisor/daemon/secrets/secrets.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERR_PULL "ErrImagePull: failed to pull image "
#define BACKOFF_PULL "ImagePullBackOff: back-off pulling image "
#define ERR_PULL_SHOWN_USEC (5 * 1000000ull) /* at most; half the backoff when it is shorter */

static const char *image_of(const workload *w, size_t i)
{
	return wl_str(json_get(w->containers->u.array.values[i], "spec"), "image");
}

static yajl_val pull_secrets(const workload *w)
{
	yajl_val v = json_get(json_get(w->tree, "template"), "pullSecrets");
	return YAJL_IS_ARRAY(v) ? v : NULL;
}

/* The names of w's imagePullSecrets, ',' joined ("" when none). */
static char *secret_names(const workload *w)
{
	yajl_val v = pull_secrets(w);
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; v && i < v->u.array.len; i++)
		if (YAJL_IS_STRING(v->u.array.values[i]) &&
		    sb_addf(&sb, "%s%s", i ? "," : "", v->u.array.values[i]->u.string) < 0) {
			sb_release(&sb);
			return NULL;
		}
	return sb.buf ? sb_detach(&sb) : strdup("");
}

/* w's imagePullSecrets, each a secret of its owner's holding a
 * dockerconfigjson, as one document for pull_start (*out: wipe and free
 * it; NULL when none is there). The names that are no secret of the owner
 * go to missing: the pull goes on without them, as the kubelet's does. */
static int pull_auth(corrald *d, const workload *w, char **out, strbuf *missing, cerr *err)
{
	*out = NULL;
	yajl_val names = pull_secrets(w);
	size_t n = 0, max = names ? names->u.array.len : 0;
	if (!max)
		return 0;
	yajl_val *docs = calloc(max, sizeof(*docs));
	if (!docs)
		return cerr_set(err, ENOMEM, "out of memory");
	int r = 0;
	for (size_t i = 0; r >= 0 && i < max; i++) {
		const char *name = YAJL_GET_STRING(names->u.array.values[i]);
		_cleanup_(secbuf_release) secbuf v = { 0 };
		if (!name)
			continue;
		if ((r = secrets_value_of(d, w->peer.uid, name, &v, err)) < 0 && cerr_forgive(err, ENOENT)) {
			r = sb_addf(missing, "%s%s", missing->len ? ", " : "", name) < 0 ? cerr_set(err, ENOMEM, "out of memory") : 0;
			continue;
		}
		if (r < 0)
			break;
		/* json_parse's message may quote the value: never shown */
		_cleanup_cerr_ cerr perr = { 0 };
		if (json_parse((const char *)v.p, NULL, &docs[n], &perr) == 0)
			n++;
		if (perr.code || !YAJL_IS_OBJECT(json_get(docs[n - 1], "auths")))
			r = cerr_set(err, EINVAL, "imagePullSecrets: %s: not a dockerconfigjson ({\"auths\": {HOST: {\"auth\": ...}}})",
				     name);
	}
	if (r >= 0)
		r = pull_merge_auths(docs, n, out, err);
	pull_free_auths(docs, n);
	return r;
}

static void pull_free(wl_pull *p)
{
	if (!p)
		return;
	free(p->image);
	free(p->secrets);
	free(p->missing);
	free(p);
}

static int __attribute__((format(printf, 2, 3))) failedf(wl_op *o, const char *fmt, ...)
{
	char why[WL_REASON_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	wl_op_fail(o, why);
	return -1;
}

static wl_op *waiter(wl_table *t, const wl_pull *p)
{
	for (wl_op *o = t->ops; o; o = o->next)
		if (o->waiting == p)
			return o;
	return NULL;
}

static void pulled(corrald *d, vl_call *call, const pull_outcome *out, void *ctx)
{
	wl_pull *p = ctx;
	wl_table *t = p->t;
	(void)d;
	(void)call;
	for (wl_pull **q = t ? &t->pulls : NULL; q && *q; q = &(*q)->next)
		if (*q == p) {
			*q = p->next;
			break;
		}
	/* by digest, the image's ID: a pull by digest names nothing */
	const char *name = strchr(out->ref, '@') ? out->id : out->ref;
	for (wl_op *o; t && (o = waiter(t, p));) {
		o->waiting = NULL;
		if (!out->ok) {
			failedf(o, ERR_PULL "\"%s\": %s%s%s%s", p->image, out->error, p->missing ? " (imagePullSecrets: " : "",
				p->missing ? p->missing : "", p->missing ? ": no such secret)" : "");
		} else if (!(o->images[o->prep] = strdup(name))) {
			wl_op_fail(o, "out of memory");
		} else {
			o->prep++;
			wl_prepare(o);
		}
	}
	pull_free(p);
}

/* o waits for a pull of image as w's owner: the one under way, or a new one. */
static int pull(wl_op *o, const workload *w, const char *image)
{
	wl_table *t = o->t;
	wl_pull *p = calloc(1, sizeof(*p));
	if (!p || !(p->secrets = secret_names(w)) || !(p->image = strdup(image))) {
		pull_free(p);
		return failedf(o, "out of memory");
	}
	for (wl_pull *q = t->pulls; q; q = q->next)
		if (q->uid == o->peer.uid && streq(q->image, image) && streq(q->secrets, p->secrets)) {
			pull_free(p);
			o->waiting = q;
			return 1;
		}
	policy_violation v;
	if (policy_admit_pull(t->d, &o->peer, image, &v) == POLICY_REFUSED) {
		pull_free(p);
		policy_audit_refusal(t->d, &o->peer, "ImagePull", &v);
		return failedf(o, ERR_PULL "\"%s\": PolicyViolation: %s (%s)", image, v.reason, v.limit);
	}
	_cleanup_strbuf_ strbuf missing = STRBUF_INIT;
	_cleanup_cerr_ cerr err = { 0 };
	char *auth = NULL;
	int r = pull_auth(t->d, w, &auth, &missing, &err);
	if (r >= 0) {
		if (missing.len)
			log_warn("workload %s: imagePullSecrets %s: no such secret of uid %u; pulling %s without", w->name,
				 missing.buf, (unsigned)o->peer.uid, image);
		pull_req q = { .ref = image, .auth_json = auth };
		r = pull_start(t->d, &o->peer, &q, pulled, p, &err);
	}
	if (auth) {
		explicit_bzero(auth, strlen(auth));
		free(auth);
	}
	if (r < 0) {
		pull_free(p);
		return failedf(o, ERR_PULL "\"%s\": %s", image, cerr_msg(&err));
	}
	*p = (wl_pull){ .t = t, .uid = o->peer.uid, .image = p->image, .secrets = p->secrets,
			.missing = missing.len ? sb_detach(&missing) : NULL, .next = t->pulls };
	t->pulls = p;
	o->waiting = p;
	return 1;
}

/* Container i's image: 0 ready (o->images[i] set, or NULL for the
 * template's), 1 waiting for a pull, -1 failed (o is gone). */
static int ready_one(wl_op *o, const workload *w, size_t i)
{
	corrald *d = o->t->d;
	const char *image = image_of(w, i);
	if (!image || image[0] == '/') /* a directory: nothing to pull */
		return 0;
	for (size_t j = 0; j < i; j++) /* as the pod's container before it found or pulled it */
		if (o->images[j] && streq(image_of(w, j), image))
			return (o->images[i] = strdup(o->images[j])) ? 0 : failedf(o, "out of memory");
	enum wl_pull_policy pp = wl_pull_policy_of(wl_str(w->containers->u.array.values[i], "pull"), image);
	char name[600];
	_cleanup_cerr_ cerr err = { 0 };
	int have = pull_find_image(d, &o->peer, image, name, sizeof(name), &err);
	if (have < 0)
		return failedf(o, "%s", cerr_msg(&err));
	if (have && pp != WP_ALWAYS)
		return (o->images[i] = strdup(name)) ? 0 : failedf(o, "out of memory");
	if (pp == WP_NEVER)
		return failedf(o, "ErrImageNeverPull: container image \"%s\" is not present with pull policy of Never", image);
	int r = pull_check_ref(d, image, &err);
	if (r == -ENOENT && have) /* no registry to ask: the store's serves, Always or not */
		return (o->images[i] = strdup(name)) ? 0 : failedf(o, "out of memory");
	if (r == -ENOENT)
		return failedf(o, ERR_PULL "\"%s\": NoSuchImage: not in the store, and %s", image, cerr_msg(&err));
	if (r < 0)
		return failedf(o, ERR_PULL "\"%s\": %s", image, cerr_msg(&err));
	return pull(o, w, image);
}

void wl_prepare(wl_op *o)
{
	workload *w = wl_find(o->t, o->peer.uid, o->workload);
	if (!w || w->deleting || strcmp(w->hash, o->hash)) {
		o->superseded = true; /* no failure of the workload's: nothing to back off from */
		return wl_op_fail(o, "its workload changed meanwhile");
	}
	size_t n = w->containers->u.array.len;
	if (!o->images) {
		if (!(o->images = calloc(n, sizeof(*o->images))))
			return wl_op_fail(o, "out of memory");
		o->n_images = n;
	}
	for (; o->prep < n; o->prep++)
		if (ready_one(o, w, o->prep) != 0)
			return; /* waiting, or over */
	wl_op_prepared(o, w);
}

void wl_pulls_abandon(wl_table *t)
{
	while (t->pulls) {
		wl_pull *p = t->pulls;
		t->pulls = p->next;
		p->t = NULL;
		p->next = NULL;
	}
}

const char *wl_reason_shown(const workload *w, uint64_t now, char *buf, size_t n)
{
	uint64_t backoff = w->loop.backoff_until > w->loop.failed_at ? w->loop.backoff_until - w->loop.failed_at : 0;
	uint64_t shown = backoff / 2 < ERR_PULL_SHOWN_USEC ? backoff / 2 : ERR_PULL_SHOWN_USEC;
	if (strncmp(w->loop.reason, ERR_PULL, strlen(ERR_PULL)) || now < w->loop.failed_at + shown)
		return w->loop.reason;
	snprintf(buf, n, BACKOFF_PULL "%s", w->loop.reason + strlen(ERR_PULL));
	return buf;
}
