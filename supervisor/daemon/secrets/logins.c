/* Registry logins, sealed as secrets are (secret_store.h), in a store of their
 * own, <state-dir>/logins, under its own host key: a login is never a
 * secret that SecretList shows or a container gets. One file per owner
 * and registry, "<uid>-<registry>" (':' written '_', which no host name
 * has); the value is "user:password". */
#include "supervisor/daemon/secrets/secrets.h"
#include "supervisor/daemon/secrets/secret_store.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/base64.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void logins_dir(const corrald *d, char *buf, size_t n)
{
	snprintf(buf, n, "%s/logins", d->cfg->state_dir);
}

/* owner's login to registry: the store's directory, and its name there */
static int login_of(const corrald *d, uid_t owner, const char *registry, char dir[PATH_MAX], secret_ref *out,
		    cerr *err)
{
	logins_dir(d, dir, PATH_MAX);
	out->owner = (uint32_t)owner;
	int w = snprintf(out->name, sizeof(out->name), "%u-%s", (unsigned)owner, registry);
	if (w < 0 || (size_t)w >= sizeof(out->name) || strchr(registry, '_'))
		return cerr_set(err, EINVAL, "registry %.100s: not a HOST[:PORT]", registry);
	for (char *p = out->name; *p; p++)
		if (*p == ':')
			*p = '_';
	return 0;
}

int secrets_login_put(corrald *d, uid_t owner, const char *registry, const char *userpass, cerr *err)
{
	char dir[PATH_MAX];
	secret_ref name;
	int r = login_of(d, owner, registry, dir, &name, err);
	if (r < 0)
		return r;
	r = secret_store_remove(dir, &name, err);
	if (r < 0 && !cerr_forgive(err, ENOENT))
		return r;
	return secret_store_put(dir, &name, (const unsigned char *)userpass, strlen(userpass), err);
}

int secrets_login_remove(corrald *d, uid_t owner, const char *registry, cerr *err)
{
	char dir[PATH_MAX];
	secret_ref name;
	int r = login_of(d, owner, registry, dir, &name, err);
	if (r == 0 && (r = secret_store_remove(dir, &name, err)) == -ENOENT)
		return cerr_set(err, ENOENT, "not logged in to %s", registry);
	return r;
}

int secrets_logins_migrate(corrald *d, cerr *err)
{
	char dir[PATH_MAX];
	logins_dir(d, dir, sizeof(dir));
	return secret_store_migrate(dir, err);
}

int secrets_login_auth_json(corrald *d, uid_t owner, char **out, cerr *err)
{
	*out = NULL;
	char dir[PATH_MAX], pre[16];
	logins_dir(d, dir, sizeof(dir));
	snprintf(pre, sizeof(pre), "%u-", (unsigned)owner);
	_cleanup_free_ secret_info *all = NULL;
	size_t n = 0;
	int r = secret_store_list(dir, &all, &n, err);
	if (r < 0 && cerr_forgive(err, ENOENT)) {
		n = 0;
	} else if (r < 0) {
		return r;
	}
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return cerr_set(err, ENOMEM, "out of memory");
	int bad = yajl_gen_map_open(g) || jg_key(g, "auths") || yajl_gen_map_open(g);
	for (size_t i = 0; !bad && i < n; i++) {
		/* the owner in the sealed header decides, not the file's name */
		if (all[i].owner != owner || strncmp(all[i].name, pre, strlen(pre)))
			continue;
		_cleanup_(secbuf_release) secbuf v = { 0 };
		secret_ref ref = { .owner = all[i].owner };
		memcpy(ref.name, all[i].name, sizeof(ref.name));
		if ((r = secret_store_get(dir, &ref, &v, NULL, err)) < 0)
			return r;
		char host[SECRET_NAME_MAX + 1];
		snprintf(host, sizeof(host), "%s", all[i].name + strlen(pre));
		for (char *p = host; *p; p++)
			if (*p == '_')
				*p = ':';
		char *b64 = base64_encode(v.p, v.len);
		bad = !b64 || jg_key(g, host) || yajl_gen_map_open(g) || jg_key_str(g, "auth", b64) || yajl_gen_map_close(g);
		if (b64) {
			explicit_bzero(b64, strlen(b64));
			free(b64);
		}
	}
	bad = bad || yajl_gen_map_close(g) || yajl_gen_map_close(g);
	size_t len = 0;
	const unsigned char *buf;
	if (bad || yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok || !(*out = strndup((const char *)buf, len)))
		r = cerr_set(err, ENOMEM, "out of memory");
	else
		r = 0;
	explicit_bzero((void *)buf, len);
	return r;
}
