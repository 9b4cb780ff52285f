#include "json.h"
#include "json_scan.h"
#include "cleanup.h"
#include "fileio.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* A string that holds a NUL: yajl's tree would cut it there. */
static int nul_fault(const char *what, const char *path, cerr *err)
{
	const char *at = *path ? path : "a string";
	return what ? cerr_set(err, EILSEQ, "%s: %s: holds a NUL (\\u0000)", what, at)
		    : cerr_set(err, EILSEQ, "%s: holds a NUL (\\u0000)", at);
}

/* json_parse; with nul_path, a string that holds a NUL leaves the tree
 * built, and names it there (json_parse_nul). */
static int parse(const char *text, const char *what, yajl_val *out, char *nul_path, cerr *err)
{
	char path[JSON_GUARD_PATH_MAX];
	int g = json_guard(text, path);
	if (g == JSON_GUARD_DEEP)
		return what ? cerr_set(err, EINVAL, "%s: nested deeper than %d levels", what, JSON_MAX_DEPTH)
			    : cerr_set(err, EINVAL, "nested deeper than %d levels", JSON_MAX_DEPTH);
	if (g == JSON_GUARD_NUL && !nul_path)
		return nul_fault(what, path, err);
	/* yajl lets overlong forms, surrogates and code points past U+10FFFF
	 * through its strings, and what it parsed may be passed on as it came
	 * (a broker message's data): refused here, as json_scan refuses it */
	if (!json_utf8_valid(text, strlen(text)))
		return what ? cerr_set(err, EINVAL, "%s: invalid JSON: not UTF-8", what)
			    : cerr_set(err, EINVAL, "invalid JSON: not UTF-8");
	char ebuf[256] = "";
	yajl_val v = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	if (!v) {
		/* yajl's message spans lines; keep the first for a one-line error */
		char *nl = strchr(ebuf, '\n');
		if (nl)
			*nl = '\0';
		for (char *p = ebuf; *p; p++)
			if (*p == '\t')
				*p = ' ';
		if (!what)
			return cerr_set(err, EINVAL, "invalid JSON: %s", ebuf[0] ? ebuf : "parse error");
		return cerr_set(err, EINVAL, "%s: invalid JSON: %s", what, ebuf[0] ? ebuf : "parse error");
	}
	*out = v;
	if (g == JSON_GUARD_NUL) {
		memcpy(nul_path, path, JSON_GUARD_PATH_MAX);
		return nul_fault(what, path, err);
	}
	return 0;
}

int json_parse(const char *text, const char *what, yajl_val *out, cerr *err)
{
	return parse(text, what, out, NULL, err);
}

int json_parse_nul(const char *text, const char *what, yajl_val *out, char nul_path[JSON_GUARD_PATH_MAX],
		   cerr *err)
{
	nul_path[0] = '\0';
	return parse(text, what, out, nul_path, err);
}

yajl_val json_parse_line(const char *line, size_t n)
{
	_cleanup_free_ char *text = strndup(line, n);
	_cleanup_cerr_ cerr err = { 0 };
	yajl_val v = NULL;
	if (!text || json_parse(text, "progress", &v, &err) < 0)
		return NULL;
	return v;
}

int json_parse_file_at(int dirfd, const char *path, size_t max, yajl_val *out, cerr *err)
{
	_cleanup_free_ char *text = NULL;
	int r = read_file_at(dirfd, path, max, &text, NULL, err);
	return r < 0 ? r : json_parse(text, path, out, err);
}

yajl_val json_get(yajl_val obj, const char *key)
{
	if (!YAJL_IS_OBJECT(obj))
		return NULL;
	/* the last duplicate wins, as in Go's encoding/json */
	for (size_t i = obj->u.object.len; i-- > 0;)
		if (streq(obj->u.object.keys[i], key))
			return obj->u.object.values[i];
	return NULL;
}

const char *json_str(yajl_val obj, const char *key)
{
	yajl_val v = json_get(obj, key);
	return YAJL_IS_STRING(v) ? v->u.string : NULL;
}

yajl_val json_get_camel(yajl_val obj, const char *key)
{
	yajl_val v = json_get(obj, key);
	if (v)
		return v;
	char snake[64];
	size_t n = 0;
	for (const char *k = key; *k; k++) {
		if (n + 3 > sizeof(snake))
			return NULL;
		if (*k >= 'A' && *k <= 'Z') {
			snake[n++] = '_';
			snake[n++] = (char)(*k - 'A' + 'a');
		} else {
			snake[n++] = *k;
		}
	}
	snake[n] = '\0';
	return json_get(obj, snake);
}

const char *json_type_name(yajl_val v)
{
	if (!v)
		return "missing";
	switch (v->type) {
	case yajl_t_string: return "string";
	case yajl_t_number: return "number";
	case yajl_t_object: return "object";
	case yajl_t_array: return "array";
	case yajl_t_true:
	case yajl_t_false: return "boolean";
	case yajl_t_null: return "null";
	default: return "unknown";
	}
}

bool json_int_in(yajl_val v, long long min, long long max, long long *out)
{
	if (!YAJL_IS_NUMBER(v) || !YAJL_IS_INTEGER(v))
		return false;
	long long x = YAJL_GET_INTEGER(v);
	/* yajl saturates out-of-range integers to LLONG_MIN/MAX and sets errno */
	if (x < min || x > max)
		return false;
	*out = x;
	return true;
}

bool json_uint64(yajl_val v, uint64_t *out)
{
	if (!YAJL_IS_NUMBER(v))
		return false;
	const char *s = v->u.number.r;
	if (!s || *s == '-' || strpbrk(s, ".eE"))
		return false;
	errno = 0;
	char *end;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = x;
	return true;
}

yajl_gen json_gen_new(bool pretty)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	if (g && pretty) {
		yajl_gen_config(g, yajl_gen_beautify, 1);
		yajl_gen_config(g, yajl_gen_indent_string, "\t");
	}
	return g;
}

int jg_str(yajl_gen g, const char *s)
{
	return yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

int jg_text(yajl_gen g, const char *s, size_t len)
{
	_cleanup_free_ char *mended = NULL;
	size_t n;
	int r = utf8_mend(s, len, &mended, &n);
	if (r < 0)
		return yajl_gen_in_error_state;
	return r ? yajl_gen_string(g, (const unsigned char *)mended, n) : yajl_gen_string(g, (const unsigned char *)s, len);
}

int jg_key(yajl_gen g, const char *key) { return jg_str(g, key); }

int jg_key_str(yajl_gen g, const char *key, const char *val)
{
	return jg_str(g, key) || jg_str(g, val ? val : "");
}

int jg_key_int(yajl_gen g, const char *key, long long val)
{
	return jg_str(g, key) || yajl_gen_integer(g, val);
}

int jg_key_bool(yajl_gen g, const char *key, bool val)
{
	return jg_str(g, key) || yajl_gen_bool(g, val);
}

int jg_key_strv(yajl_gen g, const char *key, char *const *v)
{
	int r = jg_key(g, key) || yajl_gen_array_open(g);
	for (; !r && v && *v; v++)
		r = jg_str(g, *v);
	return r || yajl_gen_array_close(g);
}

int jg_value(yajl_gen g, yajl_val v)
{
	if (!v)
		return yajl_gen_null(g);
	switch (v->type) {
	case yajl_t_string: return jg_str(g, v->u.string);
	case yajl_t_number:
		return yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r));
	case yajl_t_true: return yajl_gen_bool(g, 1);
	case yajl_t_false: return yajl_gen_bool(g, 0);
	case yajl_t_null: return yajl_gen_null(g);
	case yajl_t_object: {
		int r = yajl_gen_map_open(g);
		for (size_t i = 0; !r && i < v->u.object.len; i++)
			r = jg_str(g, v->u.object.keys[i]) || jg_value(g, v->u.object.values[i]);
		return r || yajl_gen_map_close(g);
	}
	case yajl_t_array: {
		int r = yajl_gen_array_open(g);
		for (size_t i = 0; !r && i < v->u.array.len; i++)
			r = jg_value(g, v->u.array.values[i]);
		return r || yajl_gen_array_close(g);
	}
	default: return -1;
	}
}

int jg_patched(yajl_gen g, yajl_val old, yajl_val patch)
{
	if (yajl_gen_map_open(g))
		return -1;
	for (size_t i = 0; YAJL_IS_OBJECT(old) && i < old->u.object.len; i++)
		if (!json_get(patch, old->u.object.keys[i]) &&
		    (jg_key(g, old->u.object.keys[i]) || jg_value(g, old->u.object.values[i])))
			return -1;
	for (size_t i = 0; YAJL_IS_OBJECT(patch) && i < patch->u.object.len; i++)
		if (jg_key(g, patch->u.object.keys[i]) || jg_value(g, patch->u.object.values[i]))
			return -1;
	return yajl_gen_map_close(g) ? -1 : 0;
}

int jg_object_with(yajl_gen g, yajl_val obj, const char *key, int (*gen)(yajl_gen g, yajl_val old, void *arg),
		   void *arg)
{
	if (yajl_gen_map_open(g))
		return -1;
	bool done = false;
	for (size_t i = 0; YAJL_IS_OBJECT(obj) && i < obj->u.object.len; i++) {
		const char *k = obj->u.object.keys[i];
		if (jg_key(g, k))
			return -1;
		if (strcmp(k, key) == 0 ? (done = true, gen(g, obj->u.object.values[i], arg)) : jg_value(g, obj->u.object.values[i]))
			return -1;
	}
	if (!done && (jg_key(g, key) || gen(g, NULL, arg)))
		return -1;
	return yajl_gen_map_close(g) ? -1 : 0;
}

char *jg_finish(yajl_gen g, size_t *len)
{
	const unsigned char *buf;
	size_t n;
	if (yajl_gen_get_buf(g, &buf, &n) != yajl_gen_status_ok)
		return NULL;
	char *s = malloc(n + 1);
	if (!s)
		return NULL;
	memcpy(s, buf, n);
	s[n] = '\0';
	if (len)
		*len = n;
	return s;
}

int jg_write_file(yajl_gen g, const char *path, mode_t mode, unsigned flags, cerr *err)
{
	size_t n;
	_cleanup_free_ char *text = jg_finish(g, &n);
	if (!text)
		return cerr_set(err, ENOMEM, "%s: cannot serialise", path);
	return write_file_atomic_ex(path, text, n, mode, flags, err);
}

void json_wipe(yajl_val v)
{
	if (YAJL_IS_STRING(v))
		explicit_bzero(v->u.string, strlen(v->u.string));
	else if (YAJL_IS_NUMBER(v) && v->u.number.r)
		explicit_bzero(v->u.number.r, strlen(v->u.number.r));
	for (size_t i = 0; YAJL_IS_OBJECT(v) && i < v->u.object.len; i++)
		json_wipe(v->u.object.values[i]);
	for (size_t i = 0; YAJL_IS_ARRAY(v) && i < v->u.array.len; i++)
		json_wipe(v->u.array.values[i]);
}
