#include "json_get.h"
#include "cleanup.h"
#include "common/strv.h"
#include "json.h"
#include "strv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 4, 0)))
static int fault_va(json_fault *f, int code, const char *field, const char *fmt, va_list ap)
{
	f->code = code > 0 ? code : EINVAL;
	if (field != f->field)
		snprintf(f->field, sizeof(f->field), "%s", field);
	vsnprintf(f->reason, sizeof(f->reason), fmt, ap);
	if (f->chain && f->field[0])
		cerr_set(f->chain, f->code, "%s: %s", f->field, f->reason);
	else if (f->chain)
		cerr_set(f->chain, f->code, "%s", f->reason);
	return -f->code;
}

int json_fault_set(json_fault *f, int code, const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = fault_va(f, code, field, fmt, ap);
	va_end(ap);
	return r;
}

int json_fault_reword(json_fault *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = fault_va(f, f->code, f->field, fmt, ap);
	va_end(ap);
	return r;
}

int json_fault_oom(json_fault *f) { return json_fault_set(f, ENOMEM, "", "out of memory"); }

/* A fault at parent.key: the path is only built when something is wrong. */
__attribute__((format(printf, 5, 6)))
static int fault_at(json_fault *f, int code, const char *parent, const char *key, const char *fmt, ...)
{
	char path[JSON_PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	int r = fault_va(f, code, json_path(path, parent, key), fmt, ap);
	va_end(ap);
	return r;
}

yajl_val json_key(yajl_val obj, const char *key)
{
	yajl_val v = json_get(obj, key);
	return v && YAJL_IS_NULL(v) ? NULL : v;
}

const char *json_path(char buf[JSON_PATH_MAX], const char *parent, const char *key)
{
	snprintf(buf, JSON_PATH_MAX, "%s%s%s", parent, *parent ? "." : "", key);
	return buf;
}

const char *json_path_idx(char buf[JSON_PATH_MAX], const char *parent, size_t i)
{
	snprintf(buf, JSON_PATH_MAX, "%s[%zu]", parent, i);
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

static bool has_type(yajl_val v, yajl_type t)
{
	return v && (v->type == t || (t == yajl_t_true && v->type == yajl_t_false));
}

int json_want(yajl_val v, yajl_type t, const char *path, json_fault *f)
{
	if (has_type(v, t))
		return 0;
	return json_fault_set(f, EINVAL, path, "must be %s, not %s", type_word(t), json_type_name(v));
}

int json_check_keys(yajl_val obj, const char *parent, const char *const *known, const char *reason,
		    json_fault *f)
{
	for (size_t i = 0; YAJL_IS_OBJECT(obj) && i < obj->u.object.len; i++) {
		const char *k = obj->u.object.keys[i];
		bool ok = false;
		for (const char *const *p = known; *p && !ok; p++)
			ok = streq(*p, k);
		if (!ok)
			return fault_at(f, EINVAL, parent, k, "%s", reason);
	}
	return 0;
}

/* The member into *out: NULL when absent, and a fault when it is required.
 * *present (may be NULL) says whether it is there. */
static int find_key(yajl_val obj, const char *parent, const char *key, unsigned flags, yajl_val *out, bool *present,
		  json_fault *f)
{
	*out = json_key(obj, key);
	if (present)
		*present = *out != NULL;
	if (!*out && (flags & JSON_REQUIRED))
		return fault_at(f, EINVAL, parent, key, "is required");
	return 0;
}

/* The member of type t into *out: NULL when absent, a fault when it is
 * required then, or of another type (*out is NULL then too). */
static int typed(yajl_val obj, const char *parent, const char *key, unsigned flags, yajl_type t, yajl_val *out,
		 bool *present, json_fault *f)
{
	int r = find_key(obj, parent, key, flags, out, present, f);
	if (r < 0 || !*out || has_type(*out, t))
		return r;
	r = fault_at(f, EINVAL, parent, key, "must be %s, not %s", type_word(t), json_type_name(*out));
	*out = NULL;
	return r;
}

int json_name_check(const char *s, size_t max, unsigned flags, const char *field, json_fault *f)
{
	const char *what = flags & JSON_KEY ? "a key " : "";
	size_t n = 0;
	for (; s[n]; n++)
		if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f)
			return json_fault_set(f, EINVAL, field, "%sholds a control byte (0x%02x)", what,
					      (unsigned char)s[n]);
	if (n > max)
		return json_fault_set(f, E2BIG, field, "%sis %zu bytes, more than %zu", what, n, max);
	if (flags & JSON_REF) {
		/* NAME[:TAG][@DIGEST]: a tag's ':' is after the name's last '/' */
		size_t end = strcspn(s, "@");
		const char *from = memrchr(s, '/', end);
		from = from ? from : s;
		const char *colon = memchr(from, ':', end - (size_t)(from - s));
		size_t name = colon ? (size_t)(colon - s) : end;
		if (name > JSON_REF_NAME_MAX)
			return json_fault_set(f, E2BIG, field, "%sits name is %zu bytes, more than %d", what, name,
					      JSON_REF_NAME_MAX);
	}
	return 0;
}

/* JSON_NAME or JSON_REF's check of s, at field. */
static int name_flags(const char *s, unsigned flags, const char *field, json_fault *f)
{
	return json_name_check(s, flags & JSON_REF ? JSON_REF_MAX : JSON_NAME_MAX, flags & JSON_REF, field, f);
}

int json_get_str(yajl_val obj, const char *parent, const char *key, unsigned flags, const char **out,
		 json_fault *f)
{
	yajl_val v;
	*out = NULL;
	int r = typed(obj, parent, key, flags, yajl_t_string, &v, NULL, f);
	if (r < 0 || !v)
		return r;
	if ((flags & JSON_NONEMPTY) && !v->u.string[0])
		return fault_at(f, EINVAL, parent, key, "must not be empty");
	if ((flags & JSON_BOUNDED) && strlen(v->u.string) > JSON_STR_MAX)
		return fault_at(f, E2BIG, parent, key, "longer than %d bytes", JSON_STR_MAX);
	char path[JSON_PATH_MAX];
	if ((flags & (JSON_NAME | JSON_REF)) &&
	    (r = name_flags(v->u.string, flags, json_path(path, parent, key), f)) < 0)
		return r;
	*out = v->u.string;
	return 0;
}

int json_dup_str(yajl_val obj, const char *parent, const char *key, unsigned flags, char **out, json_fault *f)
{
	const char *s;
	int r = json_get_str(obj, parent, key, flags, &s, f);
	if (r < 0 || !s)
		return r;
	char *copy = strdup(s);
	if (!copy)
		return json_fault_oom(f);
	free(*out);
	*out = copy;
	return 0;
}

int json_get_bool(yajl_val obj, const char *parent, const char *key, unsigned flags, bool *out, bool *present,
		  json_fault *f)
{
	yajl_val v;
	int r = typed(obj, parent, key, flags, yajl_t_true, &v, present, f);
	if (v)
		*out = YAJL_IS_TRUE(v);
	return r;
}

/* A number that is an integer in [min, max], the range of a C type: 1 and
 * *out when it is given, 0 when absent. */
static int int_of_type(yajl_val obj, const char *parent, const char *key, unsigned flags, long long min,
		       long long max, long long *out, bool *present, json_fault *f)
{
	yajl_val v;
	int r = typed(obj, parent, key, flags, yajl_t_number, &v, present, f);
	if (r < 0 || !v)
		return r;
	if (!json_int_in(v, min, max, out))
		return fault_at(f, ERANGE, parent, key, "%s is not an integer in [%lld, %lld]", v->u.number.r, min, max);
	return 1;
}

int json_get_u32(yajl_val obj, const char *parent, const char *key, unsigned flags, uint32_t *out, bool *present,
		 json_fault *f)
{
	long long x;
	int r = int_of_type(obj, parent, key, flags, 0, UINT32_MAX, &x, present, f);
	if (r > 0)
		*out = (uint32_t)x;
	return r < 0 ? r : 0;
}

int json_get_i64(yajl_val obj, const char *parent, const char *key, unsigned flags, int64_t *out, bool *present,
		 json_fault *f)
{
	long long x;
	/* yajl saturates what overflows to LLONG_MIN or LLONG_MAX */
	int r = int_of_type(obj, parent, key, flags, INT64_MIN + 1, INT64_MAX - 1, &x, present, f);
	if (r > 0)
		*out = x;
	return r < 0 ? r : 0;
}

int json_get_u64(yajl_val obj, const char *parent, const char *key, unsigned flags, uint64_t *out, bool *present,
		 json_fault *f)
{
	yajl_val v;
	int r = typed(obj, parent, key, flags, yajl_t_number, &v, present, f);
	if (v && !json_uint64(v, out))
		return fault_at(f, ERANGE, parent, key, "%s is not an unsigned 64-bit integer", v->u.number.r);
	return r;
}

int json_get_int_in(yajl_val obj, const char *parent, const char *key, unsigned flags, long long min, long long max,
		    long long *out, bool *present, json_fault *f)
{
	yajl_val v;
	int r = find_key(obj, parent, key, flags, &v, present, f);
	if (r < 0 || !v)
		return r;
	if (!YAJL_IS_NUMBER(v) || !YAJL_IS_INTEGER(v))
		return fault_at(f, EINVAL, parent, key, "must be an integer");
	if (!json_int_in(v, min, max, out))
		return fault_at(f, ERANGE, parent, key, "%s is out of range [%lld, %lld]", v->u.number.r, min, max);
	return 0;
}

int json_get_uint_in(yajl_val obj, const char *parent, const char *key, unsigned flags, uint64_t min, uint64_t max,
		     uint64_t *out, bool *present, json_fault *f)
{
	yajl_val v;
	uint64_t x;
	int r = find_key(obj, parent, key, flags, &v, present, f);
	if (r < 0 || !v)
		return r;
	if (!json_uint64(v, &x))
		return fault_at(f, EINVAL, parent, key, "must be a non-negative integer");
	if (x < min || x > max)
		return fault_at(f, ERANGE, parent, key, "%" PRIu64 " is out of range [%" PRIu64 ", %" PRIu64 "]", x,
				min, max);
	*out = x;
	return 0;
}

int json_get_strv(yajl_val obj, const char *parent, const char *key, unsigned flags, char ***out, bool *present,
		  json_fault *f)
{
	yajl_val v;
	int r = typed(obj, parent, key, flags, yajl_t_array, &v, present, f);
	if (r < 0 || !v)
		return r;
	if ((flags & JSON_NONEMPTY) && v->u.array.len == 0)
		return fault_at(f, EINVAL, parent, key, "must not be empty");
	_cleanup_strv_ char **sv = calloc(v->u.array.len + 1, sizeof(char *));
	if (!sv)
		return json_fault_oom(f);
	for (size_t i = 0; i < v->u.array.len; i++) {
		yajl_val e = v->u.array.values[i];
		char p[JSON_PATH_MAX], q[JSON_PATH_MAX];
		if (!YAJL_IS_STRING(e))
			return json_want(e, yajl_t_string, json_path_idx(q, json_path(p, parent, key), i), f);
		if ((flags & (JSON_NAME | JSON_REF)) &&
		    (r = name_flags(e->u.string, flags, json_path_idx(q, json_path(p, parent, key), i), f)) < 0)
			return r;
		if (!(sv[i] = strdup(e->u.string)))
			return json_fault_oom(f);
	}
	strv_free(*out);
	*out = TAKE_PTR(sv);
	return 0;
}

int json_get_object(yajl_val obj, const char *parent, const char *key, unsigned flags, yajl_val *out,
		    json_fault *f)
{
	return typed(obj, parent, key, flags, yajl_t_object, out, NULL, f);
}

int json_get_array(yajl_val obj, const char *parent, const char *key, unsigned flags, size_t max, yajl_val *out,
		   json_fault *f)
{
	int r = typed(obj, parent, key, flags, yajl_t_array, out, NULL, f);
	if (r == 0 && *out && (*out)->u.array.len > max) {
		*out = NULL;
		return fault_at(f, E2BIG, parent, key, "more than %zu entries", max);
	}
	return r;
}
