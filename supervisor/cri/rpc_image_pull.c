/* PullImage: corrald's ImagePull, as the caller (a member's pull is its
 * own image), with the request's registry credentials for that pull only
 * (ImagePull's credentials: never kept, sent to the reference's registry
 * alone). image_ref is the pulled image's id, "sha256:" and its config
 * digest, as containerd answers. */
#include "supervisor/cri/cri_rpcs.h"
#include "supervisor/cri/rpc_image_pull.h"
#include "supervisor/cri/rpc_images.h"
#include "supervisor/cri/corrald_errors.h"
#include "supervisor/cri/links.h"
#include "supervisor/cri/grpc_call.h"
#include "supervisor/cri/cri_meta.h"
#include "supervisor/cri/runtime_v1.pb-c.h"
#include "supervisor/api/sv_credentials.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <string.h>

/* the most base64 of "user:password" is taken: corrald's bounds (256 and
 * 4096 bytes) with room */
#define AUTH_B64_MAX 8192

/* AuthConfig as ImagePull's credentials, into g: username and password;
 * else auth (a docker config.json's), as containerd reads it. A registry
 * or identity token goes as the password of a username given with it,
 * which is how registries that take tokens over Basic want one (GCR, ACR,
 * GitLab, GHCR): corral-images sends no bearer token of a caller's. 0, or
 * -1 with c answered. */
static int put_credentials(cri_call *c, yajl_gen g, const Runtime__V1__AuthConfig *a)
{
	if (!a)
		return 0;
	bool registry_token = *a->registry_token;
	const char *token = registry_token ? a->registry_token : a->identity_token;
	const char *user = a->username, *pass = *a->password ? a->password : token;
	unsigned char pair[AUTH_B64_MAX + 2];
	int rc = 0;
	if (!*user && *a->auth &&
	    (strlen(a->auth) > AUTH_B64_MAX || !sv_auth_split(a->auth, pair, AUTH_B64_MAX, &user, &pass))) {
		rc = -1;
		cri_fail(c, GRPC_INVALID_ARGUMENT, "auth.auth: not base64 of user:password");
	} else if (!*user && *token) {
		rc = -1;
		cri_fail(c, GRPC_INVALID_ARGUMENT,
			 "auth.%s: a token is sent as the password of a username, and auth.username is empty",
			 registry_token ? "registry_token" : "identity_token");
	} else if (*user) {
		sv_gen_credentials(g, user, pass);
	}
	explicit_bzero(pair, sizeof(pair));
	return rc;
}

static void pulled(cri_call *c, vl_reply *rep, void *data)
{
	const Runtime__V1__PullImageRequest *req = data;
	if (rep->error)
		return cri_fail_corrald(c, rep, req->image->image);
	yajl_val images = json_get(rep->params, "images");
	const char *id = YAJL_IS_ARRAY(images) && images->u.array.len ? json_str(images->u.array.values[0], "id")
								       : NULL;
	if (!id)
		return cri_fail(c, GRPC_INTERNAL, "%s: corrald's pull named no image", req->image->image);
	Runtime__V1__PullImageResponse r = RUNTIME__V1__PULL_IMAGE_RESPONSE__INIT;
	r.image_ref = (char *)id;
	cri_reply(c, &r.base);
}

/* the generator's text, then its buffer wiped: it holds a password */
static char *take_wiped(yajl_gen g)
{
	char *text = jg_finish(g, NULL);
	const unsigned char *buf;
	size_t len;
	if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
		explicit_bzero((void *)buf, len);
	return text;
}

void rpc_pull_image(cri_call *c, const ProtobufCMessage *msg)
{
	const Runtime__V1__PullImageRequest *req = (const void *)msg;
	if (!cri_image_named(c, req->image))
		return;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "reference", req->image->image))
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "PullImage: out of memory");
	if (put_credentials(c, g, req->auth) < 0)
		return;
	yajl_gen_map_close(g);
	_cleanup_wipe_ char *params = take_wiped(g);
	if (!params)
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "PullImage: out of memory");
	cri_corrald(c, "ImagePull", params, 0, pulled, (void *)req);
}
