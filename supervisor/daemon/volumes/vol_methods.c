/* VolumeCreate, VolumeList, VolumeInspect, VolumeRemove, VolumePrune. A
 * member's volumes are its own: another member's are not there for it. */
#include "supervisor/daemon/volumes/volumes.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/volumes/vol_int.h"
#include "supervisor/daemon/volumes/vol_create.h"
#include "supervisor/daemon/volumes/vol_methods.h"
#include "supervisor/daemon/volumes/vol_owners.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/core/dir_sizes.h"
#include "supervisor/daemon/containers/record/trash.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/policy/policy.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "supervisor/api/sv_reply.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/timefmt.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ctr *vol_user(corrald *d, uid_t owner, const char *name)
{
	return vol_user_other(d, owner, name, NULL);
}

ctr *vol_user_other(corrald *d, uid_t owner, const char *name, const ctr *but)
{
	for (ctr *c = d->ctrs; c; c = c->next)
		for (size_t i = 0; c != but && i < c->spec.n_volumes; i++)
			if (c->spec.volumes[i].name && c->spec.volumes[i].owner == owner &&
			    streq(c->spec.volumes[i].name, name))
				return c;
	return NULL;
}

static void gen_strmap(yajl_gen g, const char *key, yajl_val o)
{
	jg_key(g, key);
	yajl_gen_map_open(g);
	for (size_t i = 0; o && i < o->u.object.len; i++)
		if (YAJL_IS_STRING(o->u.object.values[i]))
			jg_key_str(g, o->u.object.keys[i], o->u.object.values[i]->u.string);
	yajl_gen_map_close(g);
}

/* size: its _data's disk bytes, or NULL for none */
static void gen_volume(yajl_gen g, corrald *d, const peer_cred *peer, const vol_info *v, const uint64_t *size)
{
	char dir[PATH_MAX], mp[PATH_MAX], created[64], shown[VOL_NAME_MAX + 16];
	vol_dir(d, v->owner, dir, sizeof(dir));
	snprintf(mp, sizeof(mp), "%s/%s/%s", dir, v->name, VOL_DATA);
	rfc3339_ns(v->created_ns, created, sizeof(created));
	yajl_gen_map_open(g);
	jg_key_str(g, "name", vol_shown_name(peer, v, shown, sizeof(shown)));
	jg_key_str(g, "driver", "local");
	jg_key_str(g, "mountpoint", mp);
	jg_key_str(g, "created", created);
	gen_strmap(g, "labels", v->labels);
	gen_strmap(g, "options", v->options);
	jg_key_int(g, "owner", v->owner);
	jg_key_bool(g, "anonymous", v->anonymous);
	ctr *c = vol_user(d, v->owner, v->name);
	jg_key_bool(g, "inUse", c != NULL);
	if (size)
		jg_key_int(g, "size", (long long)*size);
	yajl_gen_map_close(g);
}

/* {"volume": v}, for sv_reply_close (NULL: out of memory) */
static yajl_gen gen_reply(corrald *d, const peer_cred *peer, const vol_info *v, const uint64_t *size)
{
	yajl_gen g = sv_reply_open();
	if (g) {
		jg_key(g, "volume");
		gen_volume(g, d, peer, v, size);
	}
	return g;
}

/* An object of at most 64 strings, keys 1-256 bytes, values up to 4096. */
static const char *strmap_check(yajl_val o)
{
	if (!o || YAJL_IS_NULL(o))
		return NULL;
	if (!YAJL_IS_OBJECT(o))
		return "must be an object of strings";
	if (o->u.object.len > 64)
		return "at most 64 entries";
	for (size_t i = 0; i < o->u.object.len; i++) {
		size_t k = strlen(o->u.object.keys[i]);
		if (k == 0 || k > 256 || !YAJL_IS_STRING(o->u.object.values[i]) ||
		    strlen(o->u.object.values[i]->u.string) > 4096)
			return "must be an object of strings (keys 1-256 bytes, values at most 4096)";
	}
	return NULL;
}

int sv_volume_create(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	const char *name;
	if (sp_dispatch(params, SP_PARAMS(SP_NAME("name", false, &name), SP_KEY("labels"), SP_KEY("driverOpts")), &f) < 0)
		return sv_invalid_fault(call, &f);
	if (name && !vol_name_valid(name))
		return sv_invalid(call, "name", "must be [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 128 bytes");
	yajl_val labels = json_key(params, "labels"), opts = json_key(params, "driverOpts");
	const char *why;
	if ((why = strmap_check(labels)))
		return sv_invalid(call, "labels", why);
	if ((why = strmap_check(opts)) || (why = vol_opts_check(opts)))
		return sv_invalid(call, "driverOpts", why);
	char made[VOL_NAME_MAX + 1];
	_cleanup_cerr_ cerr err = { 0 };
	policy_violation pv;
	int r = vol_create(d, vl_call_peer(call), name, labels, opts, false, made, &pv, &err);
	if (r == POLICY_REFUSED)
		return sv_reply_fault(call, policy_fault(d, vl_call_peer(call), "VolumeCreate", &pv, &(sv_fault){ 0 }));
	if (r == -EEXIST)
		return sv_volume_exists(call, made);
	vol_info v;
	char dir[PATH_MAX];
	vol_dir(d, vl_call_peer(call)->uid, dir, sizeof(dir));
	if (r < 0 || vol_load(dir, made, &v, &err) < 0)
		return sv_internal_err(call, &err);
	uint64_t size = vol_size(dir, made); /* made just now: nothing to walk */
	_cleanup_json_gen_ yajl_gen g = gen_reply(d, vl_call_peer(call), &v, &size);
	vol_info_release(&v);
	return sv_reply_close(call, g);
}

/* "name=SUBSTRING", "label=KEY[=VALUE]", "dangling=true|false", "driver=local" */
static const char *filter_check(char **filters)
{
	for (char **p = filters; p && *p; p++) {
		const char *eq = strchr(*p, '=');
		if (!eq)
			return "each must be KEY=VALUE: name, label, dangling or driver";
		size_t k = (size_t)(eq - *p);
		if (!(k == 4 && !strncmp(*p, "name", 4)) && !(k == 5 && !strncmp(*p, "label", 5)) &&
		    !(k == 6 && !strncmp(*p, "driver", 6)) &&
		    !(k == 8 && !strncmp(*p, "dangling", 8) &&
		      (streq(eq + 1, "true") || streq(eq + 1, "false") || streq(eq + 1, "1") || streq(eq + 1, "0"))))
			return "each must be name=, label=KEY[=VALUE], dangling=true|false or driver=local";
	}
	return NULL;
}

static bool label_match(const vol_info *v, const char *want)
{
	const char *eq = strchr(want, '=');
	size_t k = eq ? (size_t)(eq - want) : strlen(want);
	for (size_t i = 0; v->labels && i < v->labels->u.object.len; i++) {
		const char *key = v->labels->u.object.keys[i];
		yajl_val val = v->labels->u.object.values[i];
		if (strlen(key) == k && !strncmp(key, want, k) && (!eq || (YAJL_IS_STRING(val) && streq(val->u.string, eq + 1))))
			return true;
	}
	return false;
}

/* Filters of one key are or-ed, of different keys and-ed, as docker's. */
static bool matches(corrald *d, const vol_info *v, char **filters)
{
	static const char *const keys[] = { "name=", "label=", "dangling=", "driver=" };
	for (size_t k = 0; k < 4; k++) {
		bool any = false, hit = false;
		size_t kl = strlen(keys[k]);
		for (char **p = filters; p && *p; p++) {
			if (strncmp(*p, keys[k], kl))
				continue;
			any = true;
			const char *val = *p + kl;
			if (k == 0)
				hit |= strstr(v->name, val) != NULL;
			else if (k == 1)
				hit |= label_match(v, val);
			else if (k == 2)
				hit |= (vol_user(d, v->owner, v->name) == NULL) == (streq(val, "true") || streq(val, "1"));
			else
				hit |= streq(val, "local");
		}
		if (any && !hit)
			return false;
	}
	return true;
}

/* Every volume the peer sees, and the answer begun as {key: [ */
typedef struct vol_answer {
	vol_info *v;
	size_t n;
	yajl_gen g;
} vol_answer;

static void vol_answer_release(vol_answer *a)
{
	vol_list_free(a->v, a->n);
	if (a->g)
		yajl_gen_free(a->g);
}

/* 1 with a filled, or what the call was answered with */
static int list_for_answer(vl_call *call, corrald *d, const char *key, vol_answer *a)
{
	_cleanup_cerr_ cerr err = { 0 };
	if (vol_list_seen(d, vl_call_peer(call), &a->v, &a->n, &err) < 0)
		return sv_internal_err(call, &err);
	if (!(a->g = sv_reply_open()))
		return sv_internal(call, NULL);
	jg_key(a->g, key);
	yajl_gen_array_open(a->g);
	return 1;
}

int sv_volume_list(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	_cleanup_strv_ char **filters = NULL;
	if (sp_known(params, SP_PARAMS(SP_KEY("filters")), &f) < 0 ||
	    json_get_strv(params, "", "filters", 0, &filters, NULL, &f) < 0)
		return sv_invalid_fault(call, &f);
	const char *why = filter_check(filters);
	if (why)
		return sv_invalid(call, "filters", why);
	_cleanup_(vol_answer_release) vol_answer a = { 0 };
	int r = list_for_answer(call, d, "volumes", &a);
	if (r <= 0)
		return r;
	for (size_t i = 0; i < a.n; i++)
		if (matches(d, &a.v[i], filters))
			gen_volume(a.g, d, vl_call_peer(call), &a.v[i], NULL);
	yajl_gen_array_close(a.g);
	return sv_reply_close(call, a.g);
}

/* name among peer's volumes (root: NAME@UID a member's): 0 with v;
 * -ENOENT or -errno with err */
static int lookup(corrald *d, const peer_cred *peer, const char *name, vol_info *v, cerr *err)
{
	vol_ref ref;
	if (!vol_ref_parse(peer, name, &ref))
		return cerr_set(err, ENOENT, "no such volume: %s", name);
	char dir[PATH_MAX];
	vol_dir(d, ref.owner, dir, sizeof(dir));
	return vol_load(dir, ref.name, v, err);
}

/* The peer's volume name in *v: 1, or what the call was answered with */
static int find(vl_call *call, corrald *d, const char *name, vol_info *v)
{
	_cleanup_cerr_ cerr err = { 0 };
	int r = lookup(d, vl_call_peer(call), name, v, &err);
	if (r == -ENOENT)
		return sv_no_such_volume(call, name);
	return r < 0 ? sv_internal_err(call, &err) : 1;
}

/* A call whose answer waits for a walk of volumes' trees (dir_sizes.h) */
typedef struct sized_call {
	vl_call *call; /* NULL once the caller hung up */
	corrald *d;
	peer_cred peer;
	vol_info v;         /* Inspect's */
	yajl_gen g;         /* Prune's answer so far */
	char **gone;        /* Prune's: the removed volumes' directories, out of their names */
	size_t n;
} sized_call;

static void sized_cancelled(vl_call *call, void *data) { ((sized_call *)data)->call = NULL; }

static void sized_free(sized_call *x)
{
	vol_info_release(&x->v);
	if (x->g)
		yajl_gen_free(x->g);
	strv_free(x->gone);
	free(x);
}

/* paths walked off the loop, then done; 0, or what the call was answered
 * with (x is freed either way) */
static int walk_then(sized_call *x, char *const *paths, size_t n, dir_sizes_fn done)
{
	_cleanup_cerr_ cerr err = { 0 };
	if (dir_sizes(x->d->loop, x->peer.uid, paths, n, done, x, &err) < 0) {
		done(NULL, n, x);
		return 0;
	}
	vl_call_set_cancel(x->call, sized_cancelled, x);
	return 0;
}

static void inspected(const dir_size *sizes, size_t n, void *data)
{
	sized_call *x = data;
	if (x->call) {
		vl_call_set_cancel(x->call, NULL, NULL);
		_cleanup_json_gen_ yajl_gen g = gen_reply(x->d, &x->peer, &x->v, sizes ? &sizes[0].disk : NULL);
		sv_reply_close(x->call, g);
	}
	sized_free(x);
}

/* its size walked in a child: a member's volume may hold millions of files */
int sv_volume_inspect(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	const char *name;
	if (sp_dispatch(params, SP_PARAMS(SP_NAME("name", true, &name)), &f) < 0)
		return sv_invalid_fault(call, &f);
	sized_call *x = calloc(1, sizeof(*x));
	if (!x)
		return sv_internal(call, "out of memory");
	*x = (sized_call){ .call = call, .d = d, .peer = *vl_call_peer(call) };
	int r = find(call, d, name, &x->v);
	if (r <= 0) {
		free(x);
		return r;
	}
	char dir[PATH_MAX], data[PATH_MAX];
	vol_dir(d, x->v.owner, dir, sizeof(dir));
	snprintf(data, sizeof(data), "%s/%s/" VOL_DATA, dir, x->v.name);
	return walk_then(x, (char *const[]){ data }, 1, inspected);
}

int sv_volume_remove(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	bool force;
	const char *pname;
	if (sp_dispatch(params, SP_PARAMS(SP_NAME("name", true, &pname), SP_BOOL("force", false, &force)), &f) < 0)
		return sv_invalid_fault(call, &f);
	vol_info v;
	int lr = find(call, d, pname, &v);
	if (lr <= 0)
		return lr;
	_cleanup_cerr_ cerr err = { 0 };
	ctr *c = vol_user(d, v.owner, v.name);
	if (c && !force) {
		bool shown = ctr_visible_to(c, vl_call_peer(call));
		char why[512];
		if (shown)
			snprintf(why, sizeof(why), "volume %s is in use by container %s (%s): remove that first, or force",
				 v.name, c->name, ctr_status_str[c->status]);
		else
			snprintf(why, sizeof(why), "volume %s is in use by another user's container: remove it with force",
				 v.name);
		int r = sv_invalid_state(call, shown ? c->id : v.name, "in-use", why);
		vol_info_release(&v);
		return r;
	}
	int r = vol_discard(d, v.owner, v.name, &err);
	uid_t owner = v.owner;
	char name[VOL_NAME_MAX + 1];
	snprintf(name, sizeof(name), "%s", v.name);
	vol_info_release(&v);
	if (r == -ENOENT)
		return sv_no_such_volume(call, name);
	if (r < 0)
		return sv_internal_err(call, &err);
	vol_publish(d, owner, "remove", name);
	return vl_call_reply(call, NULL);
}

static void pruned(const dir_size *sizes, size_t n, void *data)
{
	sized_call *x = data;
	long long reclaimed = 0;
	for (size_t i = 0; i < x->n; i++) {
		_cleanup_cerr_ cerr err = { 0 };
		reclaimed += sizes ? (long long)sizes[i].disk : 0;
		if (trash_dir(x->d, x->gone[i], &err) < 0)
			log_cerr(LOG_LVL_WARN, &err, "volume prune");
	}
	if (x->call) {
		vl_call_set_cancel(x->call, NULL, NULL);
		yajl_gen_array_close(x->g);
		jg_key_int(x->g, "reclaimedBytes", reclaimed);
		sv_reply_close(x->call, x->g);
	}
	sized_free(x);
}

int sv_volume_prune(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	SV_NO_PARAMS(call, params);
	_cleanup_(vol_answer_release) vol_answer a = { 0 };
	int r = list_for_answer(call, d, "removed", &a);
	if (r <= 0)
		return r;
	sized_call *x = calloc(1, sizeof(*x));
	_cleanup_strv_ char **data = NULL;
	if (!x)
		return sv_internal(call, "out of memory");
	*x = (sized_call){ .call = call, .d = d, .g = TAKE_PTR(a.g) };
	vol_info *v = a.v;
	/* out of their names now; their trees walked (what they held) and
	 * removed off the loop */
	for (size_t i = 0; i < a.n; i++) {
		char dir[PATH_MAX], gone[PATH_MAX], shown[VOL_NAME_MAX + 16];
		_cleanup_cerr_ cerr e2 = { 0 };
		if (vol_user(d, v[i].owner, v[i].name))
			continue;
		vol_dir(d, v[i].owner, dir, sizeof(dir));
		if (vol_unname(dir, v[i].name, gone, sizeof(gone), &e2) < 0)
			continue;
		char *copy = strdup(gone), *inside = NULL;
		if (!copy || strv_push(&x->gone, copy) < 0 || asprintf(&inside, "%s/" VOL_DATA, gone) < 0 ||
		    strv_push(&data, inside) < 0) {
			free(inside);
			log_warn("volume prune: out of memory: %s is left", gone);
			continue;
		}
		x->n++;
		jg_str(x->g, vol_shown_name(vl_call_peer(call), &v[i], shown, sizeof(shown)));
		vol_publish(d, v[i].owner, "remove", v[i].name);
	}
	return walk_then(x, data ? data : (char *const[]){ NULL }, x->n, pruned);
}
