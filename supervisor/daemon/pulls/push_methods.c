/* ImagePush of io.corral.Supervisor: an image the peer sees (its own or
 * root's shared ones, as ImageSave reads them) sent to a registry the
 * policy lets it pull from, with its logins. */
#include "supervisor/daemon/pulls/pull_methods.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/pulls/push_methods.h"
#include "supervisor/daemon/pulls/pull.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/images/images.h"
#include "supervisor/daemon/store/img_lookup.h"
#include "supervisor/daemon/policy/policy.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "images/registry/reference.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int push_failed(vl_call *call, const char *ref, const char *reason)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "reference", ref) || jg_key_str(g, "reason", reason) ||
	    yajl_gen_map_close(g))
		return sv_internal(call, "out of memory");
	_cleanup_free_ char *p = jg_finish(g, NULL);
	return p ? vl_call_error(call, SV_ERR("ImagePushFailed"), p) : sv_internal(call, "out of memory");
}

/* A blob's progress, streamed to a caller that asked for more. */
static void on_progress(vl_call *call, const char *blob, unsigned long long done, unsigned long long total,
			const char *state, const char *from)
{
	if (!call || !vl_call_wants_more(call))
		return;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key(g, "progress") || yajl_gen_map_open(g) || jg_key_str(g, "blob", blob) ||
	    jg_key_int(g, "done", (long long)done) || jg_key_int(g, "total", (long long)total) ||
	    jg_key_str(g, "state", state) || (from[0] && jg_key_str(g, "from", from)) || yajl_gen_map_close(g) ||
	    yajl_gen_map_close(g))
		return;
	_cleanup_free_ char *p = jg_finish(g, NULL);
	if (p)
		vl_call_notify(call, p);
}

typedef struct push_call {
	char dest[600];
} push_call;

static void pushed(corrald *d, vl_call *call, const push_outcome *o, void *ctx)
{
	push_call *x = ctx;
	if (call && !o->ok) {
		o->host_fault ? sv_internal(call, o->error) : push_failed(call, x->dest, o->error);
	} else if (call) {
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		if (!g || yajl_gen_map_open(g) || jg_key_str(g, "reference", o->ref) || jg_key_str(g, "digest", o->digest) ||
		    jg_key_int(g, "size", (long long)o->size) || yajl_gen_map_close(g))
			sv_internal(call, "out of memory");
		else
			vl_call_reply_gen(call, g);
	}
	free(x);
}

/* dest as a push takes it: a registry's, with a tag (or none: latest). */
static int check_dest(const char *dest, json_fault *f)
{
	reg_ref r;
	_cleanup_cerr_ cerr err = { 0 };
	if (reg_ref_parse(dest, &r, &err) < 0)
		return json_fault_set(f, EINVAL, "destination", "%s", cerr_msg(&err));
	if (reg_ref_is_short(&r))
		return json_fault_set(f, EINVAL, "destination", "%s: must name its registry: HOST[:PORT]/PATH[:TAG]", dest);
	if (r.digest[0])
		return json_fault_set(f, EINVAL, "destination", "%s: must be a tag, not a digest", dest);
	return 0;
}

int sv_image_push(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	const peer_cred *peer = vl_call_peer(call);
	const char *image, *dest;
	json_fault f = { 0 };
	if (sp_dispatch(params,
			SP_PARAMS(SP_REF("image", true, &image), SP_REF("destination", false, &dest), SP_KEY("credentials")),
			&f) < 0)
		return sv_invalid_fault(call, &f);
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	_cleanup_cerr_ cerr err = { 0 };
	bool opened;
	int ni, i = img_find_ref(d, peer, image, &s, &db, &ni, NULL, &opened, &err);
	if (i < 0)
		return img_find_failed(call, image, opened, &err);
	/* no destination: the name it was found by (a member's without its ~UID/) */
	if (!dest && ni < 0)
		return sv_invalid(call, "destination", "must be given when image is an ID or digest");
	push_call *x = calloc(1, sizeof(*x));
	if (!x)
		return sv_internal(call, "out of memory");
	snprintf(x->dest, sizeof(x->dest), "%s", dest ? dest : db.names[ni].name);
	policy_violation v;
	int r = check_dest(x->dest, &f);
	if (r < 0) {
		free(x);
		return sv_invalid_fault(call, &f);
	}
	/* the registries a peer may pull from are those it may push to */
	if (policy_admit_pull(d, peer, x->dest, &v) == POLICY_REFUSED ||
	    quota_admit(d, peer, QUOTA_PULLS, pull_running(d, peer->uid), 1, "image", &v) == POLICY_REFUSED) {
		free(x);
		return sv_reply_fault(call, policy_fault(d, vl_call_peer(call), "ImagePush", &v, &(sv_fault){ 0 }));
	}
	_cleanup_wipe_ char *auth = NULL;
	if (pull_call_auth(d, params, x->dest, &auth, &f) < 0) {
		free(x);
		return f.code == ENOMEM ? sv_internal(call, "out of memory") : sv_invalid_fault(call, &f);
	}
	push_req q = { .image = db.images[i].manifest, .id = db.images[i].config, .dest = x->dest, .auth_json = auth,
		       .call = call, .progress = on_progress };
	if (push_start(d, peer, &q, pushed, x, &err) < 0) {
		free(x);
		return sv_internal_err(call, &err);
	}
	return 0; /* the helper run answers */
}
