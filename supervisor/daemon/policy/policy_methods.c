/* PolicyShow, ImageSign and ImageVerify (io.corral.Supervisor). */
#include "supervisor/daemon/policy/policy_methods.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/policy/policy.h"
#include "supervisor/daemon/policy/policy_check.h"
#include "supervisor/daemon/policy/policy_sig.h"
#include "supervisor/daemon/store/img_lookup.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "images/refs.h"
#include "images/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int sv_policy_show(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	SV_NO_PARAMS(call, params);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key(g, "policy") || policy_gen(g, d->policy) < 0 || jg_key(g, "source") ||
	    (d->policy->path ? jg_str(g, d->policy->path) : (int)yajl_gen_null(g)) || yajl_gen_map_close(g))
		return sv_internal(call, "out of memory");
	return vl_call_reply_gen(call, g);
}

/* The manifest digest of an image of the store in peer's view: 0, or -1
 * with f saying why (NoSuchImage, or the store's trouble). */
static int manifest_of(corrald *d, const peer_cred *peer, const char *ref, char out[DIGEST_STR_LEN], sv_fault *f)
{
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	_cleanup_cerr_ cerr err = { 0 };
	bool opened;
	int i = img_find_ref(d, peer, ref, &s, &db, NULL, NULL, &opened, &err);
	if (i < 0)
		return opened ? sv_fault_no_such(f, SV_IMAGE, ref) : sv_fault_internal_err(f, &err);
	snprintf(out, DIGEST_STR_LEN, "%s", db.images[i].manifest);
	return 0;
}

static int reply_digest(vl_call *call, const char *manifest, const char *key)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "manifestDigest", manifest) ||
	    (key && jg_key_str(g, "key", key)) || yajl_gen_map_close(g))
		return sv_internal(call, "out of memory");
	return vl_call_reply_gen(call, g);
}

int sv_image_sign(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	const char *ref, *text;
	json_fault f = { 0 };
	if (sp_dispatch(params, SP_PARAMS(SP_REF("image", true, &ref), SP_STR("signature", true, &text)), &f) < 0)
		return sv_invalid_fault(call, &f);
	if (vl_call_peer(call)->uid != 0)
		return sv_permission_denied(call, "ImageSign: only root may store a signature");
	_cleanup_sv_fault_ sv_fault fault = { 0 };
	char manifest[DIGEST_STR_LEN];
	if (manifest_of(d, vl_call_peer(call), ref, manifest, &fault) < 0)
		return sv_reply_fault(call, &fault);
	_cleanup_cerr_ cerr err = { 0 };
	sig_doc s;
	if (sig_parse(text, strlen(text), &s, &err) < 0)
		return err.code == ENOMEM ? sv_internal_err(call, &err) : sv_invalid_err(call, "signature", &err);
	bool ours = streq(s.digest, manifest);
	char why[256];
	snprintf(why, sizeof(why), "it signs %s, not %s (%s)", s.digest, ref, manifest);
	sig_doc_release(&s);
	if (!ours)
		return sv_invalid(call, "signature", why);
	char dir[PATH_MAX], path[PATH_MAX];
	sig_dir(dir, sizeof(dir), d->cfg->state_dir);
	sig_path(path, sizeof(path), d->cfg->state_dir, manifest);
	int r = mkdir_p(dir, 0700);
	if (r < 0) {
		cerr_sys(&err, -r, "%s", dir);
		return sv_internal_err(call, &err);
	}
	if (write_file_atomic(path, text, strlen(text), 0600, &err) < 0)
		return sv_internal_err(call, &err);
	return reply_digest(call, manifest, NULL);
}

int sv_image_verify(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	const char *ref;
	json_fault f = { 0 };
	if (sp_dispatch(params, SP_PARAMS(SP_REF("image", true, &ref)), &f) < 0)
		return sv_invalid_fault(call, &f);
	_cleanup_sv_fault_ sv_fault fault = { 0 };
	char manifest[DIGEST_STR_LEN];
	if (manifest_of(d, vl_call_peer(call), ref, manifest, &fault) < 0)
		return sv_reply_fault(call, &fault);
	_cleanup_cerr_ cerr err = { 0 };
	const policy_tier *t = policy_tier_of(d->policy, vl_call_peer(call)->uid);
	char key[NAME_MAX + 1];
	if (sig_check_image(d->cfg->state_dir, manifest, NULL, t->trusted_keys, key, &err) < 0) {
		policy_violation v = { .field = "image" };
		snprintf(v.limit, sizeof(v.limit), "images.trusted_keys=%s", t->trusted_keys);
		snprintf(v.reason, sizeof(v.reason), "%s: %s", ref, cerr_msg(&err));
		return sv_reply_fault(call, policy_fault(d, vl_call_peer(call), "ImageVerify", &v, &(sv_fault){ 0 }));
	}
	return reply_digest(call, manifest, key);
}
