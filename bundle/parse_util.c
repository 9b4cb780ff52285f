#include "parse_util.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *jpath(char buf[JPATH_MAX], const char *parent, const char *key)
{
	snprintf(buf, JPATH_MAX, "%s%s%s", parent, *parent ? "." : "", key);
	return buf;
}

const char *jpath_idx(char buf[JPATH_MAX], const char *parent, size_t i)
{
	snprintf(buf, JPATH_MAX, "%s[%zu]", parent, i);
	return buf;
}

static const char *type_word(yajl_type t)
{
	switch (t) {
	case yajl_t_string: return "a string";
	case yajl_t_number: return "a number";
	case yajl_t_object: return "an object";
	case yajl_t_array: return "an array";
	case yajl_t_true: return "a boolean";
	default: return "a value";
	}
}

int json_want_type(yajl_val v, yajl_type t, const char *path, cerr *err)
{
	bool ok = v && (v->type == t || (t == yajl_t_true && v->type == yajl_t_false));
	if (ok)
		return 0;
	return cerr_set(err, EINVAL, "%s: must be %s, not %s", path, type_word(t), json_type_name(v));
}

/* The member, with explicit JSON null treated as absent. */
static yajl_val member(yajl_val obj, const char *key)
{
	yajl_val v = json_get(obj, key);
	return v && YAJL_IS_NULL(v) ? NULL : v;
}

int get_string(yajl_val obj, const char *parent, const char *key, bool required, char **out, cerr *err)
{
	char p[JPATH_MAX];
	yajl_val v = member(obj, key);
	if (!v) {
		if (required)
			return cerr_set(err, EINVAL, "%s: is required", jpath(p, parent, key));
		return 0;
	}
	if (!YAJL_IS_STRING(v))
		return json_want_type(v, yajl_t_string, jpath(p, parent, key), err);
	char *s = strdup(v->u.string);
	if (!s)
		return cerr_set(err, ENOMEM, "out of memory");
	free(*out);
	*out = s;
	return 0;
}

int get_bool(yajl_val obj, const char *parent, const char *key, bool *out, bool *present, cerr *err)
{
	char p[JPATH_MAX];
	yajl_val v = member(obj, key);
	if (present)
		*present = v != NULL;
	if (!v)
		return 0;
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
		return json_want_type(v, yajl_t_true, jpath(p, parent, key), err);
	*out = YAJL_IS_TRUE(v);
	return 0;
}

/* The number at obj.key: NULL (and 0) when absent, an error when required
 * or not a number. */
static int number_member(yajl_val obj, const char *parent, const char *key, bool required, bool *present,
			 yajl_val *out, cerr *err)
{
	char p[JPATH_MAX];
	yajl_val v = member(obj, key);
	*out = NULL;
	if (present)
		*present = v != NULL;
	if (!v)
		return required ? cerr_set(err, EINVAL, "%s: is required", jpath(p, parent, key)) : 0;
	if (!YAJL_IS_NUMBER(v))
		return json_want_type(v, yajl_t_number, jpath(p, parent, key), err);
	*out = v;
	return 0;
}

static int get_int_range(yajl_val obj, const char *parent, const char *key, bool required,
			 long long min, long long max, long long *out, bool *present, cerr *err)
{
	char p[JPATH_MAX];
	yajl_val v;
	int r = number_member(obj, parent, key, required, present, &v, err);
	if (r < 0 || !v)
		return r;
	if (!json_int_in(v, min, max, out))
		return cerr_set(err, ERANGE, "%s: %s is not an integer in [%lld, %lld]",
				jpath(p, parent, key), v->u.number.r, min, max);
	return 0;
}

int get_u32(yajl_val obj, const char *parent, const char *key, bool required, uint32_t *out, bool *present, cerr *err)
{
	long long x;
	bool pr = false;
	int r = get_int_range(obj, parent, key, required, 0, UINT32_MAX, &x, &pr, err);
	if (present)
		*present = pr;
	if (r == 0 && pr)
		*out = (uint32_t)x;
	return r;
}

int get_i64(yajl_val obj, const char *parent, const char *key, bool required, int64_t *out, bool *present, cerr *err)
{
	long long x;
	bool pr = false;
	int r = get_int_range(obj, parent, key, required, INT64_MIN + 1, INT64_MAX - 1, &x, &pr, err);
	if (present)
		*present = pr;
	if (r == 0 && pr)
		*out = x;
	return r;
}

int get_u64(yajl_val obj, const char *parent, const char *key, bool required, uint64_t *out, bool *present, cerr *err)
{
	char p[JPATH_MAX];
	yajl_val v;
	int r = number_member(obj, parent, key, required, present, &v, err);
	if (r < 0 || !v)
		return r;
	if (!json_uint64(v, out))
		return cerr_set(err, ERANGE, "%s: %s is not an unsigned 64-bit integer", jpath(p, parent, key),
				v->u.number.r);
	return 0;
}

int get_strv(yajl_val obj, const char *parent, const char *key, char ***out, bool *present, cerr *err)
{
	char p[JPATH_MAX], q[JPATH_MAX];
	yajl_val v = member(obj, key);
	if (present)
		*present = v != NULL;
	if (!v)
		return 0;
	jpath(p, parent, key);
	if (!YAJL_IS_ARRAY(v))
		return json_want_type(v, yajl_t_array, p, err);
	_cleanup_strv_ char **sv = calloc(v->u.array.len + 1, sizeof(char *));
	if (!sv)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < v->u.array.len; i++) {
		yajl_val e = v->u.array.values[i];
		if (!YAJL_IS_STRING(e))
			return json_want_type(e, yajl_t_string, jpath_idx(q, p, i), err);
		sv[i] = strdup(e->u.string);
		if (!sv[i])
			return cerr_set(err, ENOMEM, "out of memory");
	}
	strv_free(*out);
	*out = TAKE_PTR(sv);
	return 0;
}

/* A member that must have type t if present; NULL if absent. */
static int get_typed(yajl_val obj, const char *parent, const char *key, yajl_type t, yajl_val *out, cerr *err)
{
	char p[JPATH_MAX];
	yajl_val v = member(obj, key);
	*out = NULL;
	if (!v)
		return 0;
	if (v->type != t)
		return json_want_type(v, t, jpath(p, parent, key), err);
	*out = v;
	return 0;
}

int get_object(yajl_val obj, const char *parent, const char *key, yajl_val *out, cerr *err)
{
	return get_typed(obj, parent, key, yajl_t_object, out, err);
}

int get_array(yajl_val obj, const char *parent, const char *key, yajl_val *out, cerr *err)
{
	return get_typed(obj, parent, key, yajl_t_array, out, err);
}
