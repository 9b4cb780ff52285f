/* POST /auth (docker login): corrald's Login with keep false, which only
 * tries the credentials against the registry, as dockerd does: the client
 * keeps them and sends them with each pull or push (X-Registry-Auth, read
 * here too), so that its logout, made on its own side, ends their use. */
#include "supervisor/docker/dk.h"
#include "supervisor/shape/words.h"
#include "supervisor/docker/docker_call.h"
#include "supervisor/docker/docker_auth.h"
#include "supervisor/docker/docker_answer.h"
#include "supervisor/api/sv_credentials.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"

#include <resolv.h>
#include <stdlib.h>

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
	jg_key_bool(p, "keep", false);
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
	jg_object(g, JG_STR("Status", "Login Succeeded"), JG_STR("IdentityToken", ""), JG_END);
	dk_json(r, 200, g);
}

#define AUTH_HEADER_MAX 8192

/* base64url (Go's URLEncoding, Python's urlsafe_b64encode), padded or not,
 * as standard base64 into out (room for n), for glibc's b64_pton (common's
 * base64 opens libcrypto, which the sandbox cannot). */
static bool from_base64url(const char *in, char *out, size_t n)
{
	size_t len = strlen(in);
	if (len + 3 >= n)
		return false;
	for (size_t i = 0; i < len; i++)
		out[i] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
	while (len % 4)
		out[len++] = '=';
	out[len] = '\0';
	return true;
}

int dk_registry_auth(dk_req *r, yajl_gen g)
{
	const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Registry-Auth");
	if (!h || !*h)
		return 0;
	char b64[AUTH_HEADER_MAX + 4];
	unsigned char json[AUTH_HEADER_MAX + 2], pair[AUTH_HEADER_MAX + 2];
	long n = from_base64url(h, b64, sizeof(b64)) ? b64_pton(b64, json, AUTH_HEADER_MAX) : -1;
	_cleanup_json_ yajl_val v = NULL;
	int rc = 0;
	if (n >= 0) {
		json[n] = '\0';
		_cleanup_cerr_ cerr err = { 0 }; /* never shown: it may quote the password */
		if (json_parse((const char *)json, NULL, &v, &err) < 0 || !YAJL_IS_OBJECT(v))
			n = -1;
	}
	const char *user = dk_str(v, "username"), *pass = dk_str(v, "password"), *auth = dk_str(v, "auth");
	/* "auth" alone: base64 of user:pass, as in a config.json */
	if (n >= 0 && (!*user || !*pass) && *auth && !sv_auth_split(auth, pair, AUTH_HEADER_MAX, &user, &pass))
		n = -1;
	if (n < 0) {
		dk_error(r, 400, "X-Registry-Auth: not base64url of a JSON object");
		rc = -1;
	} else if (*user && *pass) {
		sv_gen_credentials(g, user, pass);
	}
	explicit_bzero(b64, sizeof(b64));
	explicit_bzero(json, sizeof(json));
	explicit_bzero(pair, sizeof(pair));
	if (v)
		json_wipe(v);
	return rc;
}
