/* A call's own credentials (ImagePull's and ImagePush's "credentials", a
 * Docker client's X-Registry-Auth): used for that call's registry only,
 * never kept, and checked by the rules Login's are. */
#include "supervisor/daemon/pulls/pull.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/base64.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "images/registry/reference.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PASSWORD_MAX 4096

int pull_userpass_check(const char *parent, const char *user, const char *pass, json_fault *f)
{
	char p[JSON_PATH_MAX];
	if (!user || !*user || strchr(user, ':') || strlen(user) > 256)
		return json_fault_set(f, EINVAL, json_path(p, parent, "username"), "must be 1-256 characters without ':'");
	if (!pass || !*pass || strlen(pass) > PASSWORD_MAX)
		return json_fault_set(f, EINVAL, json_path(p, parent, "password"), "must be 1-4096 characters");
	return 0;
}

/* The registry ref's pull or push goes to; a short name's is the first of
 * registry-search, where it is tried first (never the others: credentials
 * go to one registry). */
static int registry_of(corrald *d, const char *ref, char *out, size_t n, json_fault *f)
{
	reg_ref r;
	_cleanup_cerr_ cerr err = { 0 };
	if (reg_ref_parse(ref, &r, &err) < 0)
		return json_fault_set(f, EINVAL, "reference", "%s", cerr_msg(&err));
	char **search = d->cfg->registries.search;
	const char *reg = reg_ref_is_short(&r) ? (search ? search[0] : NULL) : r.domain;
	if (!reg)
		return json_fault_set(f, EINVAL, "credentials", "need a reference with its registry (no registry-search)");
	reg_auth_key(reg, out, n);
	return 0;
}

int pull_call_auth(corrald *d, yajl_val params, const char *ref, char **out, json_fault *f)
{
	*out = NULL;
	yajl_val c;
	const char *user = NULL, *pass = NULL;
	char reg[256];
	int r = json_get_object(params, "", "credentials", 0, &c, f);
	if (r < 0 || !c)
		return r;
	if ((r = json_check_keys(c, "credentials", (const char *const[]){ "username", "password", NULL },
				 "unknown field", f)) < 0 ||
	    (r = json_get_str(c, "credentials", "username", JSON_REQUIRED, &user, f)) < 0 ||
	    (r = json_get_str(c, "credentials", "password", JSON_REQUIRED, &pass, f)) < 0 ||
	    (r = pull_userpass_check("credentials", user, pass, f)) < 0 || (r = registry_of(d, ref, reg, sizeof(reg), f)) < 0)
		return r;
	_cleanup_free_ char *userpass = NULL;
	if (asprintf(&userpass, "%s:%s", user, pass) < 0)
		return json_fault_oom(f);
	char *b64 = base64_encode(userpass, strlen(userpass));
	explicit_bzero(userpass, strlen(userpass));
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	bool bad = !b64 || !g || yajl_gen_map_open(g) || jg_key(g, "auths") || yajl_gen_map_open(g) || jg_key(g, reg) ||
		   yajl_gen_map_open(g) || jg_key_str(g, "auth", b64) || yajl_gen_map_close(g) || yajl_gen_map_close(g) ||
		   yajl_gen_map_close(g);
	if (b64) {
		explicit_bzero(b64, strlen(b64));
		free(b64);
	}
	const unsigned char *buf = NULL;
	size_t len = 0;
	if (bad || yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok || !(*out = strndup((const char *)buf, len)))
		r = json_fault_oom(f);
	if (buf)
		explicit_bzero((void *)buf, len);
	return r;
}
