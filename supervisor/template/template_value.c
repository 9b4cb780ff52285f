/* Template values and their context (template_value.h). */
#include "supervisor/template/template_value.h"
#include "supervisor/template/template.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tmpl_fail(const taction *a, const char *fmt, ...)
{
	char why[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return cerr_set(a->err, EINVAL, "{{%.*s}}: %s", (int)a->len, a->s, why);
}

/* Keys compare lowercased, "_" skipped: ExitCode, exitCode, exit_code. */
static bool key_matches(const char *key, const char *name, size_t len)
{
	size_t i = 0;
	for (const char *k = key;; k++) {
		while (*k == '_')
			k++;
		while (i < len && name[i] == '_')
			i++;
		if (!*k || i == len)
			return !*k && i == len;
		if (tolower((unsigned char)*k) != tolower((unsigned char)name[i++]))
			return false;
	}
}

static bool key_is(const char *key, const char *name, size_t len)
{
	return strncmp(key, name, len) == 0 && key[len] == '\0';
}

yajl_val tmpl_field_nth(yajl_val obj, const char *name, size_t len, size_t nth)
{
	if (!YAJL_IS_OBJECT(obj))
		return NULL;
	size_t n = obj->u.object.len, exact = n;
	for (size_t i = 0; i < n && exact == n; i++)
		if (key_is(obj->u.object.keys[i], name, len))
			exact = i;
	if (exact < n && nth-- == 0)
		return obj->u.object.values[exact];
	for (size_t i = 0; i < n; i++)
		if (i != exact && key_matches(obj->u.object.keys[i], name, len) && nth-- == 0)
			return obj->u.object.values[i];
	return NULL;
}

yajl_val tmpl_field(yajl_val obj, const char *name, size_t len)
{
	return tmpl_field_nth(obj, name, len, 0);
}

void tctx_release(tctx *c)
{
	for (size_t i = 0; i < c->n_made; i++)
		free(c->made[i]);
	free(c->made);
	c->made = NULL;
	c->n_made = c->cap_made = 0;
}

/* A string the context owns from now on. */
int tctx_keep(tctx *c, char *s, tval *out)
{
	if (!s)
		return -ENOMEM;
	if (c->n_made == c->cap_made) {
		size_t cap = c->cap_made ? c->cap_made * 2 : 16;
		char **m = realloc(c->made, cap * sizeof(*m));
		if (!m) {
			free(s);
			return -ENOMEM;
		}
		c->made = m, c->cap_made = cap;
	}
	c->made[c->n_made++] = s;
	*out = (tval){ .kind = TV_STR, .str = s, .len = strlen(s) };
	return 0;
}

int tctx_keep_sb(tctx *c, strbuf *sb, tval *out)
{
	if (!sb->buf && sb_adds(sb, "") < 0)
		return -ENOMEM;
	return tctx_keep(c, sb_detach(sb), out);
}

int tctx_set_var(tctx *c, const char *name, size_t len, tval v, cerr *err)
{
	for (size_t i = 0; i < c->n_vars; i++)
		if (strlen(c->vars[i].name) == len && !strncmp(c->vars[i].name, name, len)) {
			c->vars[i].v = v;
			return 0;
		}
	if (c->n_vars == TMPL_MAX_VARS || len >= sizeof(c->vars[0].name))
		return cerr_set(err, EINVAL, "%.*s: too many variables, or too long a name", (int)len, name);
	snprintf(c->vars[c->n_vars].name, sizeof(c->vars[0].name), "%.*s", (int)len, name);
	c->vars[c->n_vars++].v = v;
	return 0;
}

int tval_print_json(strbuf *out, yajl_val v)
{
	if (!v || YAJL_IS_NULL(v))
		return sb_adds(out, "<no value>");
	if (YAJL_IS_STRING(v))
		return sb_adds(out, v->u.string);
	if (YAJL_IS_NUMBER(v))
		return sb_adds(out, YAJL_GET_NUMBER(v));
	if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
		return sb_adds(out, YAJL_IS_TRUE(v) ? "true" : "false");
	bool obj = YAJL_IS_OBJECT(v);
	size_t n = obj ? v->u.object.len : v->u.array.len;
	int r = sb_adds(out, obj ? "map[" : "[");
	for (size_t i = 0; !r && i < n; i++) {
		if (i)
			r = sb_adds(out, " ");
		if (!r && obj)
			r = sb_addf(out, "%s:", v->u.object.keys[i]);
		if (!r)
			r = tval_print_json(out, obj ? v->u.object.values[i] : v->u.array.values[i]);
	}
	return r ? r : sb_adds(out, "]");
}

static int print_num(strbuf *out, double n)
{
	if (n == floor(n) && fabs(n) < 1e18)
		return sb_addf(out, "%lld", (long long)n);
	return sb_addf(out, "%g", n);
}

int tval_print(const tval *v, strbuf *out)
{
	switch (v->kind) {
	case TV_STR: return sb_add(out, v->str, v->len);
	case TV_NUM: return print_num(out, v->num);
	case TV_BOOL: return sb_adds(out, v->b ? "true" : "false");
	case TV_JSON: break;
	}
	return tval_print_json(out, v->json);
}

bool tval_truth(const tval *v)
{
	switch (v->kind) {
	case TV_STR: return v->len > 0;
	case TV_NUM: return v->num != 0;
	case TV_BOOL: return v->b;
	case TV_JSON: break;
	}
	yajl_val j = v->json;
	if (!j || YAJL_IS_NULL(j) || YAJL_IS_FALSE(j))
		return false;
	if (YAJL_IS_STRING(j))
		return j->u.string[0] != '\0';
	if (YAJL_IS_NUMBER(j))
		return YAJL_GET_DOUBLE(j) != 0;
	if (YAJL_IS_ARRAY(j))
		return j->u.array.len > 0;
	if (YAJL_IS_OBJECT(j))
		return j->u.object.len > 0;
	return true;
}

/* A JSON string or number seen as what it is, for comparisons. */
tval tval_plain(const tval *v)
{
	if (v->kind != TV_JSON || !v->json)
		return *v;
	yajl_val j = v->json;
	if (YAJL_IS_STRING(j))
		return (tval){ .kind = TV_STR, .str = j->u.string, .len = strlen(j->u.string) };
	if (YAJL_IS_NUMBER(j))
		return (tval){ .kind = TV_NUM, .num = YAJL_GET_DOUBLE(j) };
	if (YAJL_IS_TRUE(j) || YAJL_IS_FALSE(j))
		return (tval){ .kind = TV_BOOL, .b = YAJL_IS_TRUE(j) };
	return *v;
}

/* -1, 0, 1; -2 when the two cannot be compared */
int tval_compare(const tval *a0, const tval *b0)
{
	tval a = tval_plain(a0), b = tval_plain(b0);
	if (a.kind != b.kind)
		return -2;
	switch (a.kind) {
	case TV_STR: {
		size_t n = a.len < b.len ? a.len : b.len;
		int r = memcmp(a.str, b.str, n);
		return r ? (r < 0 ? -1 : 1) : a.len == b.len ? 0 : a.len < b.len ? -1 : 1;
	}
	case TV_NUM: return a.num < b.num ? -1 : a.num > b.num;
	case TV_BOOL: return a.b == b.b ? 0 : -2;
	case TV_JSON: break;
	}
	return (!a.json || YAJL_IS_NULL(a.json)) && (!b.json || YAJL_IS_NULL(b.json)) ? 0 : -2;
}

/* s as a JSON string, quotes and escapes */
int tval_quote(strbuf *out, const char *str, size_t len)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	size_t n;
	const unsigned char *buf;
	if (!g || jg_text(g, str, len) || yajl_gen_get_buf(g, &buf, &n))
		return -ENOMEM;
	return sb_add(out, buf, n);
}

