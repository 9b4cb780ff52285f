/* Pipelines of the --format templates (template_expr.h), as Go's
 * text/template reads them: operands are fields (.A.B), variables ($,
 * $name.A), literals and ( pipelines ); a command is one operand or a
 * function with arguments; "|" hands a result on as the last argument. */
#include "supervisor/ctl/template_expr.h"
#include "supervisor/ctl/template.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 16

typedef struct cursor {
	const char *p, *end;
	const char *all; /* the action, for errors */
	size_t all_len;
	tctx *c;
	bool lenient;
	cerr *err;
} cursor;

__attribute__((format(printf, 2, 3))) static int fail(cursor *k, const char *fmt, ...)
{
	char why[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return cerr_set(k->err, EINVAL, "{{%.*s}}: %s", (int)k->all_len, k->all, why);
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
static int keep(tctx *c, char *s, tval *out)
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

static int keep_sb(tctx *c, strbuf *sb, tval *out)
{
	if (!sb->buf && sb_adds(sb, "") < 0)
		return -ENOMEM;
	return keep(c, sb_detach(sb), out);
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

/* ---- values ---- */

static int print_json_value(strbuf *out, yajl_val v)
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
			r = print_json_value(out, obj ? v->u.object.values[i] : v->u.array.values[i]);
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
	return print_json_value(out, v->json);
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
static tval plain(const tval *v)
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
static int compare(const tval *a0, const tval *b0)
{
	tval a = plain(a0), b = plain(b0);
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
static int quote(strbuf *out, const char *str, size_t len)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	size_t n;
	const unsigned char *buf;
	if (!g || jg_text(g, str, len) || yajl_gen_get_buf(g, &buf, &n))
		return -ENOMEM;
	return sb_add(out, buf, n);
}

/* ---- operands ---- */

static void skip_space(cursor *k)
{
	while (k->p < k->end && isspace((unsigned char)*k->p))
		k->p++;
}

static bool is_name_char(char ch) { return isalnum((unsigned char)ch) || ch == '_'; }

/* .A.B after base, from k->p */
static int follow_fields(cursor *k, tval base, tval *out)
{
	tval v = base;
	while (k->p < k->end && *k->p == '.') {
		const char *name = ++k->p;
		while (k->p < k->end && is_name_char(*k->p))
			k->p++;
		size_t l = (size_t)(k->p - name);
		if (!l)
			return fail(k, "expected a field after the dot");
		yajl_val j = v.kind == TV_JSON ? tmpl_field(v.json, name, l) : NULL;
		if (!j && (!k->lenient || (v.kind == TV_JSON && v.json && !YAJL_IS_OBJECT(v.json))))
			return fail(k, "no field %.*s", (int)(l), name);
		v = (tval){ .kind = TV_JSON, .json = j };
	}
	*out = v;
	return 0;
}

static int string_literal(cursor *k, tval *out)
{
	char q = *k->p++;
	_cleanup_strbuf_ strbuf s = STRBUF_INIT;
	while (k->p < k->end && *k->p != q) {
		char ch = *k->p++;
		if (q == '"' && ch == '\\' && k->p < k->end) {
			ch = *k->p++;
			ch = ch == 'n' ? '\n' : ch == 't' ? '\t' : ch;
		}
		if (sb_add(&s, &ch, 1) < 0)
			return -ENOMEM;
	}
	if (k->p >= k->end)
		return fail(k, "unterminated string");
	k->p++;
	return keep_sb(k->c, &s, out);
}

static int pipeline(cursor *k, tval *out);

/* One operand; *fn set (and nothing evaluated) when it names a function. */
static int operand(cursor *k, tval *out, const char **fn, size_t *fn_len)
{
	*fn = NULL;
	char ch = *k->p;
	if (ch == '"' || ch == '`')
		return string_literal(k, out);
	if (ch == '(') {
		k->p++;
		int r = pipeline(k, out);
		if (r < 0)
			return r;
		skip_space(k);
		if (k->p >= k->end || *k->p != ')')
			return fail(k, "expected )");
		k->p++;
		return follow_fields(k, *out, out);
	}
	if (ch == '.' && (k->p + 1 == k->end || !is_name_char(k->p[1]))) {
		k->p++; /* "." alone: dot itself */
		*out = k->c->dot;
		return 0;
	}
	if (ch == '.')
		return follow_fields(k, k->c->dot, out);
	if (ch == '$') {
		const char *name = k->p++;
		while (k->p < k->end && is_name_char(*k->p))
			k->p++;
		size_t l = (size_t)(k->p - name);
		for (size_t i = k->c->n_vars; i-- > 0;)
			if (strlen(k->c->vars[i].name) == l && !strncmp(k->c->vars[i].name, name, l))
				return follow_fields(k, k->c->vars[i].v, out);
		return fail(k, "undefined variable %.*s", (int)(l), name);
	}
	if (ch == '-' || isdigit((unsigned char)ch)) {
		char *e;
		double n = strtod(k->p, &e);
		if (e == k->p || e > k->end)
			return fail(k, "bad number");
		k->p = e;
		*out = (tval){ .kind = TV_NUM, .num = n };
		return 0;
	}
	const char *name = k->p;
	while (k->p < k->end && is_name_char(*k->p))
		k->p++;
	size_t l = (size_t)(k->p - name);
	if (!l)
		return fail(k, "unexpected %.1s", name);
	if ((l == 4 && !strncmp(name, "true", 4)) || (l == 5 && !strncmp(name, "false", 5))) {
		*out = (tval){ .kind = TV_BOOL, .b = l == 4 };
		return 0;
	}
	if (l == 3 && !strncmp(name, "nil", 3)) {
		*out = (tval){ .kind = TV_JSON, .json = NULL };
		return 0;
	}
	*fn = name, *fn_len = l;
	return 0;
}

/* ---- functions ---- */

static int need(cursor *k, const char *fn, size_t fl, size_t n, size_t lo, size_t hi)
{
	if (n >= lo && n <= hi)
		return 0;
	return fail(k, "%.*s: expected %s%zu argument%s", (int)fl, fn, hi > lo ? "at least " : "", lo, lo == 1 ? "" : "s");
}

/* Go's verbs as C's: each conversion's spec is copied from the format after
 * checking it holds only flags, width and precision, so it is no format
 * an attacker writes. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static int printf_fn(cursor *k, const tval *a, size_t n, tval *out)
{
	_cleanup_strbuf_ strbuf fmt = STRBUF_INIT, s = STRBUF_INIT;
	if (tval_print(&a[0], &fmt) < 0)
		return -ENOMEM;
	size_t next = 1;
	for (const char *p = fmt.buf ? fmt.buf : ""; *p; p++) {
		if (*p != '%' || p[1] == '%') {
			if (sb_add(&s, p, 1) < 0)
				return -ENOMEM;
			p += *p == '%';
			continue;
		}
		const char *spec = p++;
		p += strspn(p, "-+ #0123456789.");
		if (!*p || !strchr("svdqtxfge", *p))
			return fail(k, "printf: unknown verb in %.*s", (int)(fmt.len), fmt.buf);
		char cf[32];
		snprintf(cf, sizeof(cf), "%.*s", (int)(p - spec), spec);
		if (next >= n) {
			if (sb_addf(&s, "%%!%c(MISSING)", *p) < 0)
				return -ENOMEM;
			continue;
		}
		tval v = plain(&a[next++]);
		_cleanup_strbuf_ strbuf one = STRBUF_INIT;
		char c2[40];
		int r;
		if (*p == 'd' || *p == 'x') {
			snprintf(c2, sizeof(c2), "%sll%c", cf, *p);
			r = sb_addf(&s, c2, (long long)(v.kind == TV_NUM ? v.num : 0));
		} else if (strchr("fge", *p)) {
			snprintf(c2, sizeof(c2), "%s%c", cf, *p);
			r = sb_addf(&s, c2, v.kind == TV_NUM ? v.num : 0.0);
		} else if (*p == 'q') {
			r = v.kind == TV_STR ? quote(&one, v.str, v.len) : tval_print(&v, &one);
			if (!r)
				r = sb_add(&s, one.buf, one.len);
		} else {
			r = tval_print(&v, &one);
			snprintf(c2, sizeof(c2), "%ss", cf);
			if (!r)
				r = sb_addf(&s, c2, one.buf ? one.buf : "");
		}
		if (r < 0)
			return -ENOMEM;
	}
	return keep_sb(k->c, &s, out);
}

#pragma GCC diagnostic pop

static int json_fn(cursor *k, const tval *v, tval *out)
{
	_cleanup_strbuf_ strbuf s = STRBUF_INIT;
	int r = 0;
	tval p = plain(v);
	if (v->kind == TV_JSON) {
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		size_t len;
		const unsigned char *buf;
		if (!g || (v->json ? jg_value(g, v->json) : (int)yajl_gen_null(g)) || yajl_gen_get_buf(g, &buf, &len))
			return -ENOMEM;
		r = sb_add(&s, buf, len);
	} else if (p.kind == TV_STR) {
		r = quote(&s, p.str, p.len);
	} else {
		r = tval_print(&p, &s);
	}
	return r < 0 ? r : keep_sb(k->c, &s, out);
}

static int index_fn(cursor *k, const tval *a, size_t n, tval *out)
{
	tval v = a[0];
	for (size_t i = 1; i < n; i++) {
		yajl_val j = v.kind == TV_JSON ? v.json : NULL;
		tval key = plain(&a[i]);
		if (key.kind == TV_STR && YAJL_IS_OBJECT(j)) {
			yajl_val m = NULL;
			for (size_t x = 0; x < j->u.object.len && !m; x++)
				if (strlen(j->u.object.keys[x]) == key.len && !memcmp(j->u.object.keys[x], key.str, key.len))
					m = j->u.object.values[x];
			v = (tval){ .kind = TV_JSON, .json = m };
		} else if (key.kind == TV_NUM && YAJL_IS_ARRAY(j) && key.num >= 0 && key.num < (double)j->u.array.len) {
			v = (tval){ .kind = TV_JSON, .json = j->u.array.values[(size_t)key.num] };
		} else {
			_cleanup_strbuf_ strbuf ks = STRBUF_INIT;
			tval_print(&key, &ks);
			return fail(k, "index %.*s: out of range", (int)(ks.len), ks.buf ? ks.buf : "");
		}
	}
	*out = v;
	return 0;
}

static int case_fn(cursor *k, const tval *v, bool upper, tval *out)
{
	_cleanup_strbuf_ strbuf s = STRBUF_INIT;
	if (tval_print(v, &s) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < s.len; i++)
		s.buf[i] = (char)(upper ? toupper((unsigned char)s.buf[i]) : tolower((unsigned char)s.buf[i]));
	return keep_sb(k->c, &s, out);
}

static int join_fn(cursor *k, const tval *a, tval *out)
{
	_cleanup_strbuf_ strbuf s = STRBUF_INIT, sep = STRBUF_INIT;
	yajl_val j = a[0].kind == TV_JSON ? a[0].json : NULL;
	int r = tval_print(&a[1], &sep);
	for (size_t i = 0; !r && YAJL_IS_ARRAY(j) && i < j->u.array.len; i++) {
		if (i && sep.len)
			r = sb_add(&s, sep.buf, sep.len);
		if (!r)
			r = print_json_value(&s, j->u.array.values[i]);
	}
	if (!r && !YAJL_IS_ARRAY(j))
		r = tval_print(&a[0], &s);
	return r < 0 ? r : keep_sb(k->c, &s, out);
}

static int len_fn(cursor *k, const tval *v, tval *out)
{
	tval p = plain(v);
	yajl_val j = p.kind == TV_JSON ? p.json : NULL;
	double n;
	if (p.kind == TV_STR)
		n = (double)p.len;
	else if (YAJL_IS_ARRAY(j))
		n = (double)j->u.array.len;
	else if (YAJL_IS_OBJECT(j))
		n = (double)j->u.object.len;
	else if (!j && p.kind == TV_JSON)
		n = 0;
	else
		return fail(k, "len of a value that has none");
	*out = (tval){ .kind = TV_NUM, .num = n };
	return 0;
}

static bool named(const char *fn, size_t fl, const char *name) { return strlen(name) == fl && !strncmp(fn, name, fl); }

static int call(cursor *k, const char *fn, size_t fl, const tval *a, size_t n, tval *out)
{
	int r;
	if (named(fn, fl, "json") || named(fn, fl, "upper") || named(fn, fl, "lower") || named(fn, fl, "len") ||
	    named(fn, fl, "not")) {
		if ((r = need(k, fn, fl, n, 1, 1)) < 0)
			return r;
		if (named(fn, fl, "json"))
			return json_fn(k, &a[0], out);
		if (named(fn, fl, "len"))
			return len_fn(k, &a[0], out);
		if (named(fn, fl, "not")) {
			*out = (tval){ .kind = TV_BOOL, .b = !tval_truth(&a[0]) };
			return 0;
		}
		return case_fn(k, &a[0], named(fn, fl, "upper"), out);
	}
	if (named(fn, fl, "index"))
		return (r = need(k, fn, fl, n, 2, MAX_ARGS)) < 0 ? r : index_fn(k, a, n, out);
	if (named(fn, fl, "join"))
		return (r = need(k, fn, fl, n, 2, 2)) < 0 ? r : join_fn(k, a, out);
	if (named(fn, fl, "printf"))
		return (r = need(k, fn, fl, n, 1, MAX_ARGS)) < 0 ? r : printf_fn(k, a, n, out);
	if (named(fn, fl, "print") || named(fn, fl, "println")) {
		_cleanup_strbuf_ strbuf s = STRBUF_INIT;
		for (size_t i = 0; i < n; i++) {
			bool strs = plain(&a[i]).kind == TV_STR && (!i || plain(&a[i - 1]).kind == TV_STR);
			if ((i && (!strs || named(fn, fl, "println")) && sb_adds(&s, " ") < 0) || tval_print(&a[i], &s) < 0)
				return -ENOMEM;
		}
		if (named(fn, fl, "println") && sb_adds(&s, "\n") < 0)
			return -ENOMEM;
		return keep_sb(k->c, &s, out);
	}
	if (named(fn, fl, "and") || named(fn, fl, "or")) {
		if ((r = need(k, fn, fl, n, 1, MAX_ARGS)) < 0)
			return r;
		bool want = named(fn, fl, "or");
		size_t i = 0;
		while (i + 1 < n && tval_truth(&a[i]) != want)
			i++;
		*out = a[i];
		return 0;
	}
	static const char *const cmps[] = { "eq", "ne", "lt", "le", "gt", "ge" };
	for (size_t c = 0; c < sizeof(cmps) / sizeof(*cmps); c++) {
		if (!named(fn, fl, cmps[c]))
			continue;
		if ((r = need(k, fn, fl, n, 2, c == 0 ? MAX_ARGS : 2)) < 0)
			return r;
		bool b = false;
		for (size_t i = 1; i < n && !b; i++) { /* eq a b c: a equals any */
			int x = compare(&a[0], &a[i]);
			if (x == -2 && c > 1)
				return fail(k, "%.*s: values that do not compare", (int)(fl), fn);
			b = c == 0 ? x == 0 : c == 1 ? x != 0 : c == 2 ? x == -1 : c == 3 ? (x == -1 || x == 0)
				: c == 4 ? x == 1 : (x == 1 || x == 0);
		}
		*out = (tval){ .kind = TV_BOOL, .b = b };
		return 0;
	}
	return fail(k, "unknown function %.*s (known: json, index, upper, lower, join, len, printf, print, "
		       "println, eq, ne, lt, le, gt, ge, and, or, not)", (int)fl, fn);
}

/* ---- commands and pipelines ---- */

static bool at_end_of_command(cursor *k)
{
	skip_space(k);
	return k->p >= k->end || *k->p == '|' || *k->p == ')';
}

static int command(cursor *k, const tval *piped, tval *out)
{
	tval args[MAX_ARGS];
	size_t n = 0;
	const char *fn = NULL;
	size_t fl = 0;
	if (at_end_of_command(k))
		return fail(k, "empty command");
	while (!at_end_of_command(k)) {
		const char *f;
		size_t l;
		tval v;
		int r = operand(k, &v, &f, &l);
		if (r < 0)
			return r;
		if (f && (n || fn))
			return fail(k, "%.*s: a function where a value belongs", (int)(l), f);
		if (f) {
			fn = f, fl = l;
			continue;
		}
		if (n == MAX_ARGS - 1)
			return fail(k, "too many arguments");
		args[n++] = v;
	}
	if (piped)
		args[n++] = *piped;
	if (fn)
		return call(k, fn, fl, args, n, out);
	if (n != 1)
		return fail(k, "a value cannot take arguments");
	*out = args[0];
	return 0;
}

static int pipeline(cursor *k, tval *out)
{
	tval v;
	int r = command(k, NULL, &v);
	while (r == 0) {
		skip_space(k);
		if (k->p >= k->end || *k->p != '|')
			break;
		k->p++;
		tval prev = v;
		r = command(k, &prev, &v);
	}
	if (r == 0)
		*out = v;
	return r;
}

int tmpl_eval(tctx *c, const char *s, size_t len, bool lenient, tval *out, cerr *err)
{
	cursor k = { .p = s, .end = s + len, .all = s, .all_len = len, .c = c, .lenient = lenient, .err = err };
	int r = pipeline(&k, out);
	if (r == 0) {
		skip_space(&k);
		if (k.p < k.end)
			r = fail(&k, "unexpected %.1s", k.p);
	}
	if (r < 0 && !err->msg)
		return cerr_set(err, -r, "out of memory");
	return r;
}
