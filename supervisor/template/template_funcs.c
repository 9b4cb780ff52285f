/* Template functions (template_funcs.h), as Go's text/template has them. */
#include "supervisor/template/template_funcs.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 16

static int need(const taction *k, const char *fn, size_t fl, size_t n, size_t lo, size_t hi)
{
	if (n >= lo && n <= hi)
		return 0;
	return tmpl_fail(k, "%.*s: expected %s%zu argument%s", (int)fl, fn, hi > lo ? "at least " : "", lo, lo == 1 ? "" : "s");
}

/* Go's verbs as C's: each conversion's spec is copied from the format after
 * checking it holds only flags, width and precision, so it is no format
 * an attacker writes. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static int printf_fn(const taction *k, tctx *c, const tval *a, size_t n, tval *out)
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
			return tmpl_fail(k, "printf: unknown verb in %.*s", (int)(fmt.len), fmt.buf);
		char cf[32];
		snprintf(cf, sizeof(cf), "%.*s", (int)(p - spec), spec);
		if (next >= n) {
			if (sb_addf(&s, "%%!%c(MISSING)", *p) < 0)
				return -ENOMEM;
			continue;
		}
		tval v = tval_plain(&a[next++]);
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
			r = v.kind == TV_STR ? tval_quote(&one, v.str, v.len) : tval_print(&v, &one);
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
	return tctx_keep_sb(c, &s, out);
}

#pragma GCC diagnostic pop

static int json_fn(const taction *k, tctx *c, const tval *v, tval *out)
{
	_cleanup_strbuf_ strbuf s = STRBUF_INIT;
	int r = 0;
	tval p = tval_plain(v);
	if (v->kind == TV_JSON) {
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		size_t len;
		const unsigned char *buf;
		if (!g || (v->json ? jg_value(g, v->json) : (int)yajl_gen_null(g)) || yajl_gen_get_buf(g, &buf, &len))
			return -ENOMEM;
		r = sb_add(&s, buf, len);
	} else if (p.kind == TV_STR) {
		r = tval_quote(&s, p.str, p.len);
	} else {
		r = tval_print(&p, &s);
	}
	return r < 0 ? r : tctx_keep_sb(c, &s, out);
}

static int index_fn(const taction *k, const tval *a, size_t n, tval *out)
{
	tval v = a[0];
	for (size_t i = 1; i < n; i++) {
		yajl_val j = v.kind == TV_JSON ? v.json : NULL;
		tval key = tval_plain(&a[i]);
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
			return tmpl_fail(k, "index %.*s: out of range", (int)(ks.len), ks.buf ? ks.buf : "");
		}
	}
	*out = v;
	return 0;
}

static int case_fn(const taction *k, tctx *c, const tval *v, bool upper, tval *out)
{
	_cleanup_strbuf_ strbuf s = STRBUF_INIT;
	if (tval_print(v, &s) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < s.len; i++)
		s.buf[i] = (char)(upper ? toupper((unsigned char)s.buf[i]) : tolower((unsigned char)s.buf[i]));
	return tctx_keep_sb(c, &s, out);
}

static int join_fn(const taction *k, tctx *c, const tval *a, tval *out)
{
	_cleanup_strbuf_ strbuf s = STRBUF_INIT, sep = STRBUF_INIT;
	yajl_val j = a[0].kind == TV_JSON ? a[0].json : NULL;
	int r = tval_print(&a[1], &sep);
	for (size_t i = 0; !r && YAJL_IS_ARRAY(j) && i < j->u.array.len; i++) {
		if (i && sep.len)
			r = sb_add(&s, sep.buf, sep.len);
		if (!r)
			r = tval_print_json(&s, j->u.array.values[i]);
	}
	if (!r && !YAJL_IS_ARRAY(j))
		r = tval_print(&a[0], &s);
	return r < 0 ? r : tctx_keep_sb(c, &s, out);
}

static int len_fn(const taction *k, const tval *v, tval *out)
{
	tval p = tval_plain(v);
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
		return tmpl_fail(k, "len of a value that has none");
	*out = (tval){ .kind = TV_NUM, .num = n };
	return 0;
}

static bool named(const char *fn, size_t fl, const char *name) { return strlen(name) == fl && !strncmp(fn, name, fl); }

int tmpl_call(const taction *k, tctx *c, const char *fn, size_t fl, const tval *a, size_t n, tval *out)
{
	int r;
	if (named(fn, fl, "json") || named(fn, fl, "upper") || named(fn, fl, "lower") || named(fn, fl, "len") ||
	    named(fn, fl, "not")) {
		if ((r = need(k, fn, fl, n, 1, 1)) < 0)
			return r;
		if (named(fn, fl, "json"))
			return json_fn(k, c, &a[0], out);
		if (named(fn, fl, "len"))
			return len_fn(k, &a[0], out);
		if (named(fn, fl, "not")) {
			*out = (tval){ .kind = TV_BOOL, .b = !tval_truth(&a[0]) };
			return 0;
		}
		return case_fn(k, c, &a[0], named(fn, fl, "upper"), out);
	}
	if (named(fn, fl, "index"))
		return (r = need(k, fn, fl, n, 2, MAX_ARGS)) < 0 ? r : index_fn(k, a, n, out);
	if (named(fn, fl, "join"))
		return (r = need(k, fn, fl, n, 2, 2)) < 0 ? r : join_fn(k, c, a, out);
	if (named(fn, fl, "printf"))
		return (r = need(k, fn, fl, n, 1, MAX_ARGS)) < 0 ? r : printf_fn(k, c, a, n, out);
	if (named(fn, fl, "print") || named(fn, fl, "println")) {
		_cleanup_strbuf_ strbuf s = STRBUF_INIT;
		for (size_t i = 0; i < n; i++) {
			bool strs = tval_plain(&a[i]).kind == TV_STR && (!i || tval_plain(&a[i - 1]).kind == TV_STR);
			if ((i && (!strs || named(fn, fl, "println")) && sb_adds(&s, " ") < 0) || tval_print(&a[i], &s) < 0)
				return -ENOMEM;
		}
		if (named(fn, fl, "println") && sb_adds(&s, "\n") < 0)
			return -ENOMEM;
		return tctx_keep_sb(c, &s, out);
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
	for (size_t op = 0; op < sizeof(cmps) / sizeof(*cmps); op++) {
		if (!named(fn, fl, cmps[op]))
			continue;
		if ((r = need(k, fn, fl, n, 2, op == 0 ? MAX_ARGS : 2)) < 0)
			return r;
		bool b = false;
		for (size_t i = 1; i < n && !b; i++) { /* eq a b c: a equals any */
			int x = tval_compare(&a[0], &a[i]);
			if (x == -2 && op > 1)
				return tmpl_fail(k, "%.*s: values that do not compare", (int)(fl), fn);
			b = op == 0 ? x == 0 : op == 1 ? x != 0 : op == 2 ? x == -1 : op == 3 ? (x == -1 || x == 0)
				: op == 4 ? x == 1 : (x == 1 || x == 0);
		}
		*out = (tval){ .kind = TV_BOOL, .b = b };
		return 0;
	}
	return tmpl_fail(k, "unknown function %.*s (known: json, index, upper, lower, join, len, printf, print, "
		       "println, eq, ne, lt, le, gt, ge, and, or, not)", (int)fl, fn);
}

