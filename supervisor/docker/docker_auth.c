/* POST /auth (docker login): corrald's Login, which tries the credentials
 * against the registry and keeps them sealed for the caller's pulls. */
#include "supervisor/docker/dk.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdio.h>
#include <string.h>

/* "https://index.docker.io/v1/" is docker.io; else HOST[:PORT] of the URL. */
static void registry_of(const char *addr, char *out, size_t n)
{
	const char *s = strstr(addr, "://");
	s = s ? s + 3 : addr;
	snprintf(out, n, "%.*s", (int)strcspn(s, "/"), s);
	if (!*out || streq(out, "index.docker.io") || streq(out, "registry-1.docker.io"))
		snprintf(out, n, "docker.io");
}

void dk_auth(dk_req *r, const char *arg)
{
	_cleanup_json_ yajl_val body = dk_body_json(r);
	if (!body)
		return;
	const char *user = dk_str(body, "username"), *pass = dk_str(body, "password");
	if (!*user || !*pass) {
		dk_error(r, 400, "username and password are required (corral keeps no identity tokens)");
		return;
	}
	char registry[512];
	registry_of(dk_str(body, "serveraddress"), registry, sizeof(registry));
	_cleanup_json_gen_ yajl_gen p = dk_params_id(NULL);
	jg_key_str(p, "registry", registry);
	jg_key_str(p, "username", user);
	jg_key_str(p, "password", pass);
	_cleanup_free_ char *params = dk_params_end(p);
	vl_reply rep;
	int rc = dk_call(r, "Login", params, &rep);
	if (params) /* the password is in it */
		explicit_bzero(params, strlen(params));
	if (rc < 0 && rep.error && strstr(rep.error, ".ImagePullFailed")) {
		/* the registry's refusal, or no registry: its reason, not a pull's */
		dk_error(r, 500, "%s", dk_str(rep.params, "reason"));
		vl_reply_release(&rep);
		return;
	}
	if (rc < 0) {
		dk_fail(r, &rep, registry);
		return;
	}
	vl_reply_release(&rep);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	jg_key_str(g, "Status", "Login Succeeded");
	jg_key_str(g, "IdentityToken", "");
	yajl_gen_map_close(g);
	dk_json(r, 200, g);
}
