/* Typed reads of a manifest's fields, with the path and line of each error. */
#include "supervisor/daemon/workloads/kube_fields.h"
#include "supervisor/daemon/workloads/kube.h"
#include "common/cleanup.h"
#include "common/strv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kube_gen_failed(kube_ctx *c)
{
	return cerr_set(c->err, ENOMEM, "%s: out of memory", c->file);
}

int kube_fail(kube_ctx *c, unsigned line, const char *path, const char *fmt, ...)
{
	char why[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return cerr_set(c->err, EINVAL, "%s:%u: %s: %s", c->file, line, path, why);
}

const char *kube_path(char *buf, const char *parent, const char *key)
{
	snprintf(buf, KUBE_PATH_MAX, "%s%s%s", parent, *parent ? "." : "", key);
	return buf;
}

const char *kube_path_at(char *buf, const char *parent, const char *key, size_t i)
{
	snprintf(buf, KUBE_PATH_MAX, "%s%s%s[%zu]", parent, *parent ? "." : "", key, i);
	return buf;
}

static const char *type_name(const kube_node *n)
{
	return n->type == KUBE_MAP ? "a mapping" : n->type == KUBE_SEQ ? "a list" : "a scalar";
}

/* What `kubectl ... --dry-run=client -o yaml` writes in every manifest and
 * says nothing with (creationTimestamp: null, status: {}, strategy: {}):
 * taken where it stands, so that such a manifest applies as it is. */
static bool kubectl_placeholder(const char *key, const kube_node *v)
{
	static const char *const keys[] = { "creationTimestamp", "status", "strategy", NULL };
	if (!kube_is_null(v) && !(v->type != KUBE_SCALAR && v->n == 0))
		return false;
	for (size_t i = 0; keys[i]; i++)
		if (strcmp(keys[i], key) == 0)
			return true;
	return false;
}

int kube_check_keys(kube_ctx *c, const kube_node *n, const char *path, const char *const *allowed)
{
	if (n->type != KUBE_MAP)
		return kube_fail(c, n->line, *path ? path : "document", "must be a mapping, not %s", type_name(n));
	for (size_t i = 0; i < n->n; i++) {
		size_t j = 0;
		while (allowed[j] && strcmp(allowed[j], n->keys[i]) != 0)
			j++;
		if (!allowed[j] && !kubectl_placeholder(n->keys[i], n->items[i])) {
			char p[KUBE_PATH_MAX];
			return kube_fail(c, n->key_lines[i], kube_path(p, path, n->keys[i]), "not supported");
		}
	}
	return 0;
}

/* The key's value, NULL when absent or null; required absent ones fail. */
static int map_value(kube_ctx *c, const kube_node *map, const char *path, const char *key, bool required,
		  const kube_node **out)
{
	const kube_node *v = kube_key(map, key, NULL);
	*out = kube_is_null(v) ? NULL : v;
	if (!*out && required) {
		char p[KUBE_PATH_MAX];
		return kube_fail(c, map->line, kube_path(p, path, key), "required");
	}
	return 0;
}

static int want(kube_ctx *c, const kube_node *v, enum kube_node_type t, const char *path, const char *key,
		const char *what)
{
	if (v->type == t)
		return 0;
	char p[KUBE_PATH_MAX];
	return kube_fail(c, v->line, kube_path(p, path, key), "must be %s", what);
}

int kube_get_str(kube_ctx *c, const kube_node *map, const char *path, const char *key, bool required,
		 const char **out)
{
	const kube_node *v;
	int r = map_value(c, map, path, key, required, &v);
	if (r < 0 || !v || (r = want(c, v, KUBE_SCALAR, path, key, "a string")) < 0)
		return r;
	if (strlen(v->value) != v->len) {
		char p[KUBE_PATH_MAX];
		return kube_fail(c, v->line, kube_path(p, path, key), "must not hold a NUL");
	}
	*out = v->value;
	return 0;
}

int kube_get_int(kube_ctx *c, const kube_node *map, const char *path, const char *key, long long min,
		 long long max, long long *out)
{
	const kube_node *v;
	int r = map_value(c, map, path, key, false, &v);
	if (r < 0 || !v)
		return r;
	char *end;
	errno = 0;
	long long x = v->type == KUBE_SCALAR && v->plain && v->len ? strtoll(v->value, &end, 10) : 0;
	char p[KUBE_PATH_MAX];
	if (v->type != KUBE_SCALAR || !v->plain || !v->len || errno || *end || v->value[0] == ' ')
		return kube_fail(c, v->line, kube_path(p, path, key), "must be an integer");
	if (x < min || x > max)
		return kube_fail(c, v->line, kube_path(p, path, key), "must be from %lld to %lld", min, max);
	*out = x;
	return 0;
}

int kube_get_bool(kube_ctx *c, const kube_node *map, const char *path, const char *key, bool *out)
{
	const kube_node *v;
	int r = map_value(c, map, path, key, false, &v);
	if (r < 0 || !v)
		return r;
	static const char *const yes[] = { "true", "True", "TRUE" }, *const no[] = { "false", "False", "FALSE" };
	for (size_t i = 0; v->type == KUBE_SCALAR && v->plain && i < 3; i++)
		if (strcmp(v->value, yes[i]) == 0 || strcmp(v->value, no[i]) == 0) {
			*out = v->value[0] != 'f' && v->value[0] != 'F';
			return 0;
		}
	char p[KUBE_PATH_MAX];
	return kube_fail(c, v->line, kube_path(p, path, key), "must be true or false");
}

int kube_get_seq(kube_ctx *c, const kube_node *map, const char *path, const char *key, const kube_node **out)
{
	int r = map_value(c, map, path, key, false, out);
	return r < 0 || !*out ? r : want(c, *out, KUBE_SEQ, path, key, "a list");
}

int kube_get_map(kube_ctx *c, const kube_node *map, const char *path, const char *key, const kube_node **out)
{
	int r = map_value(c, map, path, key, false, out);
	return r < 0 || !*out ? r : want(c, *out, KUBE_MAP, path, key, "a mapping");
}

int kube_get_strv(kube_ctx *c, const kube_node *map, const char *path, const char *key, char ***out)
{
	const kube_node *s;
	int r = kube_get_seq(c, map, path, key, &s);
	if (r < 0 || !s)
		return r;
	_cleanup_strv_ char **v = calloc(s->n + 1, sizeof(*v));
	if (!v)
		return cerr_set(c->err, ENOMEM, "out of memory");
	for (size_t i = 0; i < s->n; i++) {
		const kube_node *it = s->items[i];
		char p[KUBE_PATH_MAX];
		if (it->type != KUBE_SCALAR || kube_is_null(it) || strlen(it->value) != it->len)
			return kube_fail(c, it->line, kube_path_at(p, path, key, i), "must be a string");
		if (!(v[i] = strdup(it->value)))
			return cerr_set(c->err, ENOMEM, "out of memory");
	}
	*out = v;
	v = NULL;
	return 0;
}

bool kube_name_valid(const char *s, size_t len)
{
	if (len == 0 || len > KUBE_NAME_MAX || strlen(s) != len || s[0] == '-' || s[len - 1] == '-')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == len;
}
