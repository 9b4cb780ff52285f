#include "images/registry/conf.h"
#include "images/registry/reference.h"
#include "common/cleanup.h"
#include "common/strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool reg_prefix_of(const char *prefix, const char *repo)
{
	size_t n = strlen(prefix);
	return !strncmp(prefix, repo, n) && (repo[n] == '\0' || repo[n] == '/');
}

/* A registry, or a repository prefix under one: DOMAIN[/PATH]. */
static int check_prefix(const char *key, const char *v, cerr *err)
{
	const char *slash = strchr(v, '/');
	size_t dl = slash ? (size_t)(slash - v) : strlen(v);
	reg_ref r;
	_cleanup_cerr_ cerr e = { 0 };
	if (!dl || !reg_is_domain(v, dl) || reg_ref_parse(slash ? v : "x", &r, &e) < 0)
		return cerr_set(err, EINVAL, "registry %s %s: expected a registry (HOST[:PORT]) or a repository under one",
				key, v);
	return 0;
}

static int push_copy(char ***v, const char *s, cerr *err)
{
	char *d = strdup(s);
	if (!d || strv_push(v, d) < 0) {
		free(d);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

int reg_conf_add(reg_conf *c, const char *key, const char *value, cerr *err)
{
	int r;
	if (!strcmp(key, "mirror")) {
		const char *eq = strchr(value, '=');
		if (!eq || eq == value || !eq[1])
			return cerr_set(err, EINVAL, "registry mirror %s: expected PREFIX=HOST[:PORT]", value);
		_cleanup_free_ char *prefix = strndup(value, (size_t)(eq - value));
		if (!prefix)
			return cerr_set(err, ENOMEM, "out of memory");
		if ((r = check_prefix("mirror", prefix, err)) < 0 || (r = check_prefix("mirror", eq + 1, err)) < 0)
			return r;
		reg_mirror *m = realloc(c->mirrors, (c->n_mirrors + 1) * sizeof(*m));
		if (!m)
			return cerr_set(err, ENOMEM, "out of memory");
		c->mirrors = m;
		m[c->n_mirrors] = (reg_mirror){ TAKE_PTR(prefix), strdup(eq + 1) };
		if (!m[c->n_mirrors++].location)
			return cerr_set(err, ENOMEM, "out of memory");
		return 0;
	}
	char ***list = !strcmp(key, "search") ? &c->search : !strcmp(key, "insecure") ? &c->insecure
		       : !strcmp(key, "blocked") ? &c->blocked : NULL;
	if (!list)
		return cerr_set(err, EINVAL, "registry setting %s: expected search, mirror, insecure or blocked", key);
	if ((r = check_prefix(key, value, err)) < 0)
		return r;
	if (list != &c->blocked && strchr(value, '/'))
		return cerr_set(err, EINVAL, "registry %s %s: expected a registry (HOST[:PORT]), not a repository", key,
				value);
	return push_copy(list, value, err);
}

void reg_conf_free(reg_conf *c)
{
	strv_free(c->search);
	strv_free(c->insecure);
	strv_free(c->blocked);
	for (size_t i = 0; i < c->n_mirrors; i++) {
		free(c->mirrors[i].prefix);
		free(c->mirrors[i].location);
	}
	free(c->mirrors);
	free(c->certs_dir);
	*c = (reg_conf){ 0 };
}

bool reg_conf_blocked(const reg_conf *c, const char *repo)
{
	for (char **b = c->blocked; b && *b; b++)
		if (reg_prefix_of(*b, repo))
			return true;
	return false;
}

bool reg_conf_insecure(const reg_conf *c, const char *host)
{
	for (char **h = c->insecure; h && *h; h++)
		if (!strcmp(*h, host))
			return true;
	return false;
}
