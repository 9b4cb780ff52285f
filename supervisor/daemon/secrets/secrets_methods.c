#include "supervisor/daemon/core/owner.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/secrets/methods.h"
#include "supervisor/daemon/secrets/secrets_methods.h"
#include "supervisor/daemon/secrets/secrets.h"
#include "supervisor/daemon/secrets/crypto.h"
#include "supervisor/daemon/secrets/secret_store.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/policy/policy.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "supervisor/api/sv_reply.h"
#include "supervisor/api/owned_name.h"
#include "common/log.h"
#include "common/base64.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/timefmt.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* base64 of SECRET_MAX_SIZE bytes */
#define DATA_MAX (4 * ((SECRET_MAX_SIZE + 2) / 3))

void secrets_dir(const corrald *d, char *buf, size_t n)
{
	snprintf(buf, n, "%s/secrets", d->cfg->state_dir);
}

void secrets_start(corrald *d)
{
	char dir[PATH_MAX];
	secrets_dir(d, dir, sizeof(dir));
	_cleanup_cerr_ cerr err = { 0 };
	if (secret_store_migrate(dir, &err) < 0 || secrets_logins_migrate(d, &err) < 0)
		log_warn("secrets: %s", cerr_msg(&err));
}

bool secrets_ref_for(const char *ref, const peer_cred *peer, secret_ref *out)
{
	return secret_ref_parse(ref, peer ? peer->uid : 0, out) && owner_may(peer, (uid_t)out->owner);
}

int secrets_check_refs(const corrald *d, const peer_cred *peer, ctr_spec *s, const char **missing, json_fault *f)
{
	char dir[PATH_MAX];
	secrets_dir(d, dir, sizeof(dir));
	for (size_t i = 0; i < s->n_secrets; i++) {
		secret_info info;
		secret_ref ref;
		_cleanup_cerr_ cerr err = { 0 };
		char p[JSON_PATH_MAX], field[JSON_PATH_MAX];
		json_path(field, json_path_idx(p, "spec.secrets", i), "name");
		int r = secrets_ref_for(s->secrets[i].name, peer, &ref) ? secret_store_info(dir, &ref, &info, &err) : -ENOENT;
		if (r < 0 && r != -ENOENT)
			return json_fault_set(f, err.code, field, "%s", cerr_msg(&err));
		if (r < 0) {
			*missing = s->secrets[i].name;
			return 1;
		}
		char id[SECRET_ID_MAX];
		secret_id(&info, id, sizeof(id));
		free(s->secrets[i].id);
		if (!(s->secrets[i].id = strdup(id)))
			return json_fault_oom(f);
	}
	return 0;
}

int secrets_value_of(corrald *d, uid_t owner, const char *name, secbuf *out, cerr *err)
{
	char dir[PATH_MAX];
	secrets_dir(d, dir, sizeof(dir));
	secret_ref ref;
	if (!secrets_ref_for(name, &(peer_cred){ .uid = owner }, &ref))
		return cerr_set(err, ENOENT, "no such secret: %s", name);
	return secret_store_get(dir, &ref, out, NULL, err);
}

/* s as viewer is shown it: its name (a member's NAME@UID to root), its
 * owner */
static void gen_secret(yajl_gen g, const secret_info *s, const peer_cred *viewer)
{
	char created[64], name[SECRET_NAME_MAX + 16];
	rfc3339_ns(s->created_ns, created, sizeof(created));
	owned_name_shown(s->name, s->owner, viewer->uid, name, sizeof(name));
	jg_object(g, JG_STR("name", name), JG_INT("owner", (long long)s->owner), JG_INT("size", (long long)s->size),
		  JG_STR("created", created), JG_END);
}

/* The value, out of its base64 text, which is wiped at once: before any
 * reply, since a reply frees the parameters. Its length, -ENODATA when
 * there is no text, -EFBIG when over the bound, -EINVAL when no base64. */
static long take_value(yajl_val data, secbuf *v)
{
	if (!YAJL_IS_STRING(data))
		return -ENODATA;
	size_t len = strlen(data->u.string);
	long n = -EFBIG;
	if (len <= DATA_MAX)
		n = secbuf_alloc(v, len / 4 * 3 + 3) < 0 ? -ENOMEM
							 : base64_decode(data->u.string, len, v->p, SECRET_MAX_SIZE);
	secret_wipe(data->u.string, len);
	return n;
}

int sv_secret_create(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	const char *name;
	_cleanup_(secbuf_release) secbuf v = { 0 }; /* the clear value lives only here */
	long n = take_value(json_key(params, "data"), &v);
	if (sp_dispatch(params, SP_PARAMS(SP_NAME("name", true, &name), SP_KEY("data")), &f) < 0)
		return sv_invalid_fault(call, &f);
	if (!secret_name_valid(name))
		return sv_invalid(call, "name", "must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit");
	if (n == -ENODATA)
		return sv_invalid(call, "data", "required: the value in base64");
	if (n == -EFBIG)
		return sv_invalid(call, "data", "the secret is over the limit of 1 MiB");
	if (n == -EINVAL)
		return sv_invalid(call, "data", "must be base64 (RFC 4648, padded)");
	if (n < 0)
		return sv_internal(call, NULL);
	char dir[PATH_MAX];
	secrets_dir(d, dir, sizeof(dir));
	_cleanup_cerr_ cerr err = { 0 };
	uint32_t uid = (uint32_t)vl_call_peer(call)->uid;
	_cleanup_free_ secret_info *all = NULL;
	size_t n_all = 0, mine = 0;
	if (secret_store_list(dir, &all, &n_all, &err) < 0)
		return sv_internal_err(call, &err);
	for (size_t i = 0; i < n_all; i++)
		mine += all[i].owner == uid;
	policy_violation qv;
	if (quota_admit(d, vl_call_peer(call), QUOTA_SECRETS, mine, 1, "name", &qv) == POLICY_REFUSED)
		return sv_reply_fault(call, policy_fault(d, vl_call_peer(call), "SecretCreate", &qv, &(sv_fault){ 0 }));
	secret_ref ref = { .owner = uid };
	snprintf(ref.name, sizeof(ref.name), "%s", name);
	int r = secret_store_put(dir, &ref, v.p, (size_t)n, &err);
	if (r == -EEXIST)
		return sv_secret_exists(call, name);
	secret_info info;
	if (r < 0 || secret_store_info(dir, &ref, &info, &err) < 0)
		return sv_internal_err(call, &err);
	events_publish(d->events, EV_OWNER(vl_call_peer(call)->uid), "secret", "create", name, name, NULL, 0);
	_cleanup_json_gen_ yajl_gen g = sv_reply_open();
	if (!g)
		return sv_internal(call, NULL);
	jg_key(g, "secret");
	gen_secret(g, &info, vl_call_peer(call));
	return sv_reply_close(call, g);
}

int sv_secret_list(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	SV_NO_PARAMS(call, params);
	char dir[PATH_MAX];
	secrets_dir(d, dir, sizeof(dir));
	_cleanup_free_ secret_info *v = NULL;
	size_t n;
	cerr err = { 0 };
	if (secret_store_list(dir, &v, &n, &err) < 0)
		return sv_internal_err(call, &err);
	_cleanup_json_gen_ yajl_gen g = sv_reply_open();
	if (!g)
		return sv_internal(call, NULL);
	jg_key(g, "secrets");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++)
		if (owner_may(vl_call_peer(call), (uid_t)v[i].owner))
			gen_secret(g, &v[i], vl_call_peer(call));
	yajl_gen_array_close(g);
	return sv_reply_close(call, g);
}

/* A container that may still start with it: any that has not exited, and
 * is bound to this secret (not to one of the same name removed before). */
static ctr *user_of(corrald *d, const secret_info *info)
{
	char id[SECRET_ID_MAX];
	secret_id(info, id, sizeof(id));
	for (ctr *c = d->ctrs; c; c = c->next)
		if (c->status != CS_EXITED)
			for (size_t i = 0; i < c->spec.n_secrets; i++) {
				const ctr_secret *s = &c->spec.secrets[i];
				secret_ref ref;
				if (secret_ref_parse(s->name, c->owner, &ref) && ref.owner == info->owner &&
				    streq(ref.name, info->name) && (!s->id || streq(s->id, id)))
					return c;
			}
	return NULL;
}

int sv_secret_remove(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	const char *name;
	bool force;
	if (sp_dispatch(params, SP_PARAMS(SP_NAME("name", true, &name), SP_BOOL("force", false, &force)), &f) < 0)
		return sv_invalid_fault(call, &f);
	char dir[PATH_MAX];
	secrets_dir(d, dir, sizeof(dir));
	_cleanup_cerr_ cerr err = { 0 };
	secret_info info;
	secret_ref ref;
	if (!secrets_ref_for(name, vl_call_peer(call), &ref) || secret_store_info(dir, &ref, &info, &err) < 0)
		return sv_no_such_secret(call, name);
	ctr *c = user_of(d, &info);
	if (c && !force) { /* the container is named only to a peer that may see it */
		bool shown = ctr_visible_to(c, vl_call_peer(call));
		char why[256];
		char cname[256];
		if (shown)
			snprintf(why, sizeof(why), "secret %s is used by container %s (%s): remove that first, or force",
				 name, ctr_shown_name(c, vl_call_peer(call), cname, sizeof(cname)), ctr_status_str[c->status]);
		else
			snprintf(why, sizeof(why), "secret %s is used by another user's container: remove it with force",
				 name);
		return sv_invalid_state(call, shown ? c->id : name, "in-use", why);
	}
	int r = secret_store_remove(dir, &ref, &err);
	if (r == -ENOENT)
		return sv_no_such_secret(call, name);
	if (r < 0)
		return sv_internal_err(call, &err);
	events_publish(d->events, EV_OWNER(info.owner), "secret", "remove", ref.name, ref.name, NULL, 0);
	return vl_call_reply(call, NULL);
}
