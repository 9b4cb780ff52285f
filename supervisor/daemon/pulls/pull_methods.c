/* ImagePull, Login and Logout of io.corral.Supervisor. */
#include "supervisor/daemon/pulls/pull_methods.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/pulls/pull.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/images/images.h"
#include "supervisor/daemon/policy/policy.h"
#include "supervisor/daemon/secrets/secrets.h"
#include "supervisor/loop/child.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "common/base64.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"
#include "images/import.h"
#include "images/registry/reference.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int pull_failed(vl_call *call, const char *ref, const char *reason)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "reference", ref) || jg_key_str(g, "reason", reason) ||
	    yajl_gen_map_close(g))
		return sv_internal(call, "out of memory");
	_cleanup_free_ char *p = jg_finish(g, NULL);
	return p ? vl_call_error(call, SV_ERR("ImagePullFailed"), p) : sv_internal(call, "out of memory");
}

/* A layer's progress, streamed to a caller that asked for more. */
static void on_progress(vl_call *call, const char *layer, unsigned long long done, unsigned long long total)
{
	if (!call || !vl_call_wants_more(call))
		return;
	char p[200];
	snprintf(p, sizeof(p), "{\"progress\":{\"layer\":\"%s\",\"done\":%llu,\"total\":%llu}}", layer, done, total);
	vl_call_notify(call, p);
}

static void add_source(yajl_gen g, void *ctx)
{
	const pull_outcome *o = ctx;
	jg_key_str(g, "reference", o->ref);
	jg_key_str(g, "repoDigest", o->repo_digest);
}

static void pulled(corrald *d, vl_call *call, const pull_outcome *o, void *ctx)
{
	peer_cred *peer = ctx;
	if (call && !o->ok)
		o->host_fault ? sv_internal(call, o->error) : pull_failed(call, o->ref, o->error);
	else if (call)
		img_reply_images(d, call, peer, o->manifest, add_source, (void *)o);
	free(peer);
}

int sv_image_pull(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	const char *ref, *platform;
	bool detach;
	json_fault f = { 0 };
	if (sp_dispatch(params,
			SP_PARAMS(SP_REF("reference", true, &ref), SP_NAME("platform", false, &platform),
				  SP_BOOL("detach", false, &detach), SP_KEY("credentials")),
			&f) < 0)
		return sv_invalid_fault(call, &f);
	_cleanup_cerr_ cerr err = { 0 };
	int r = pull_check_ref(d, ref, &err);
	if (r == -EINVAL)
		return sv_invalid_err(call, "reference", &err);
	/* nowhere to look a short name up: not in the store is all there is */
	if (r < 0)
		return sv_no_such_image(call, ref);
	if (platform && (strlen(platform) > 64 || !strchr(platform, '/') || strpbrk(platform, " \t\n")))
		return sv_invalid(call, "platform", "must be OS/ARCH[/VARIANT]");
	policy_violation v;
	if (policy_admit_pull(d, vl_call_peer(call), ref, &v) == POLICY_REFUSED)
		return sv_reply_fault(call, policy_fault(d, vl_call_peer(call), "ImagePull", &v, &(sv_fault){ 0 }));
	if (quota_admit(d, vl_call_peer(call), QUOTA_PULLS, pull_running(d, vl_call_peer(call)->uid), 1, "reference",
			&v) == POLICY_REFUSED)
		return sv_reply_fault(call, policy_fault(d, vl_call_peer(call), "ImagePull", &v, &(sv_fault){ 0 }));
	_cleanup_wipe_ char *auth = NULL;
	if (pull_call_auth(d, params, ref, &auth, &f) < 0)
		return f.code == ENOMEM ? sv_internal(call, "out of memory") : sv_invalid_fault(call, &f);
	peer_cred *peer = malloc(sizeof(*peer));
	if (!peer)
		return sv_internal(call, "out of memory");
	*peer = *vl_call_peer(call);
	pull_req q = { .ref = ref, .platform = platform, .auth_json = auth, .call = call,
		       .progress = on_progress, .detach = detach };
	if (pull_start(d, peer, &q, pulled, peer, &err) < 0) {
		free(peer);
		return sv_internal_err(call, &err);
	}
	return 0; /* the helper run answers */
}

/* Login: the credentials are tried against the registry (by corral-images,
 * as a pull would use them) before they are kept; with keep false (Docker's
 * POST /auth, whose client keeps them and logs out on its own side) they
 * are only tried. */
typedef struct login_ctx {
	uid_t owner;
	char registry[256];
	char *userpass;
	bool keep;
} login_ctx;

static void login_ctx_free(login_ctx *x)
{
	explicit_bzero(x->userpass, strlen(x->userpass));
	free(x->userpass);
	free(x);
}

static void login_done(corrald *d, vl_call *call, int rc, const strbuf *out, const strbuf *errout, void *data)
{
	login_ctx *x = data;
	_cleanup_cerr_ cerr err = { 0 };
	if (rc != 0) {
		_cleanup_free_ char *msg = img_helper_error(errout, "login", x->registry);
		if (call)
			(rc < 0 || rc == IMPORT_EXIT_HOST) ? sv_internal(call, msg) : pull_failed(call, x->registry, msg);
	} else if (x->keep && secrets_login_put(d, x->owner, x->registry, x->userpass, &err) < 0) {
		if (call)
			sv_internal_err(call, &err);
	} else if (call) {
		vl_call_reply(call, "{}");
	}
	login_ctx_free(x);
}

static int registry_param(yajl_val params, char *out, size_t n, json_fault *f)
{
	const char *reg;
	if (sp_name(params, "registry", true, &reg, f) < 0)
		return -EINVAL;
	reg_auth_key(reg, out, n);
	if (!*out || !reg_is_domain(out, strlen(out)) || strchr(out, '_'))
		return json_fault_set(f, EINVAL, "registry", "must be a registry, HOST[:PORT] (docker.io, 127.0.0.1:5000)");
	return 0;
}

int sv_login(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	const char *user, *pass;
	bool keep;
	json_fault f = { 0 };
	char reg[256];
	const sp_param *table = SP_PARAMS(SP_KEY("registry"), SP_NAME("username", true, &user),
					  SP_STR("password", true, &pass), SP_BOOL("keep", true, &keep));
	if (sp_known(params, table, &f) < 0 || registry_param(params, reg, sizeof(reg), &f) < 0 ||
	    sp_read(params, table, &f) < 0)
		return sv_invalid_fault(call, &f);
	if (pull_userpass_check("", user, pass, &f) < 0)
		return sv_invalid_fault(call, &f);
	/* a login reaches the registry: only one the policy lets the peer reach */
	policy_violation v;
	if (policy_admit_registry(d, vl_call_peer(call), reg, &v) == POLICY_REFUSED)
		return sv_reply_fault(call, policy_fault(d, vl_call_peer(call), "Login", &v, &(sv_fault){ 0 }));
	login_ctx *x = calloc(1, sizeof(*x));
	if (!x || asprintf(&x->userpass, "%s:%s", user, pass) < 0) {
		free(x);
		return sv_internal(call, "out of memory");
	}
	x->owner = vl_call_peer(call)->uid;
	x->keep = keep;
	snprintf(x->registry, sizeof(x->registry), "%s", reg);
	_cleanup_free_ char *b64 = base64_encode(x->userpass, strlen(x->userpass));
	_cleanup_free_ char *auth = NULL;
	if (!b64 || asprintf(&auth, "{\"auths\":{\"%s\":{\"auth\":\"%s\"}}}", reg, b64) < 0) {
		login_ctx_free(x);
		return sv_internal(call, "out of memory");
	}
	_cleanup_strv_ char **args = NULL;
	/* "--" so that a registry is never an option */
	if (pull_arg(&args, "image", "login") || pull_registry_args(d, &args) || pull_arg(&args, "--auth-fd", "0") ||
	    pull_arg(&args, "--", reg)) {
		explicit_bzero(auth, strlen(auth));
		explicit_bzero(b64, strlen(b64));
		login_ctx_free(x);
		return sv_internal(call, "out of memory");
	}
	imghelper_io io = { .input = auth, .input_len = strlen(auth) };
	_cleanup_cerr_ cerr err = { 0 };
	int r = imghelper_run(d, call, args, SPAWN_NULL, &io, login_done, x, &err);
	explicit_bzero(auth, strlen(auth));
	explicit_bzero(b64, strlen(b64));
	if (r < 0) {
		login_ctx_free(x);
		return sv_internal_err(call, &err);
	}
	return 0;
}

int sv_logout(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	json_fault f = { 0 };
	char reg[256];
	if (sp_known(params, SP_PARAMS(SP_KEY("registry")), &f) < 0 || registry_param(params, reg, sizeof(reg), &f) < 0)
		return sv_invalid_fault(call, &f);
	_cleanup_cerr_ cerr err = { 0 };
	int r = secrets_login_remove(d, vl_call_peer(call)->uid, reg, &err);
	if (r == -ENOENT)
		return sv_invalid_err(call, "registry", &err);
	if (r < 0)
		return sv_internal_err(call, &err);
	return vl_call_reply(call, "{}");
}
