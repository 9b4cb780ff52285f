/* Pipelines of the --format templates (template_expr.h), as Go's
 * text/template reads them: operands are fields (.A.B), variables ($,
 * $name.A), literals and ( pipelines ); a command is one operand or a
 * function with arguments; "|" hands a result on as the last argument. */
#include "supervisor/template/template_expr.h"
#include "supervisor/template/template_funcs.h"
#include "supervisor/template/template.h"
#include "supervisor/template/template_value.h"
#include "common/cleanup.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 16

typedef struct cursor {
	const char *p, *end;
	taction a; /* the whole action, for errors */
	tctx *c;
	bool lenient;
	int depth; /* of ( ): bounded, as the stack is */
} cursor;

#define MAX_DEPTH 64

#define fail(k, ...) tmpl_fail(&(k)->a, __VA_ARGS__)

/* ---- operands ---- */

static void skip_space(cursor *k)
{
	while (k->p < k->end && isspace((unsigned char)*k->p))
		k->p++;
}

static bool is_name_char(char ch) { return isalnum((unsigned char)ch) || ch == '_'; }

#define MAX_FIELDS 32
#define MAX_TRIES 256 /* paths tried where keys differ only in case */

typedef struct fpath {
	const char *name[MAX_FIELDS];
	size_t len[MAX_FIELDS], n;
} fpath;

/* The value at p's names from i on, under v: each key that matches, in
 * tmpl_field_nth's order, until one holds the rest of the path (inspect's
 * .State is Docker's, and .State.Checkpointed is then corral's state's). */
static yajl_val find_path(yajl_val v, const fpath *p, size_t i, unsigned *tries)
{
	if (i == p->n)
		return v;
	yajl_val j, found = NULL;
	for (size_t nth = 0; !found && *tries && (j = tmpl_field_nth(v, p->name[i], p->len[i], nth)); nth++) {
		(*tries)--;
		found = find_path(j, p, i + 1, tries);
	}
	return found;
}

/* .A.B after base, from k->p */
static int follow_fields(cursor *k, tval base, tval *out)
{
	fpath p = { .n = 0 };
	while (k->p < k->end && *k->p == '.') {
		const char *name = ++k->p;
		while (k->p < k->end && is_name_char(*k->p))
			k->p++;
		size_t l = (size_t)(k->p - name);
		if (!l)
			return fail(k, "expected a field after the dot");
		if (p.n == MAX_FIELDS)
			return fail(k, "more than %d fields", MAX_FIELDS);
		p.name[p.n] = name, p.len[p.n++] = l;
	}
	tval v = base;
	for (size_t i = 0; i < p.n; i++) {
		yajl_val j = v.kind == TV_JSON ? tmpl_field(v.json, p.name[i], p.len[i]) : NULL;
		if (j) {
			v = (tval){ .kind = TV_JSON, .json = j };
			continue;
		}
		unsigned tries = MAX_TRIES;
		yajl_val found = base.kind == TV_JSON ? find_path(base.json, &p, 0, &tries) : NULL;
		if (found) {
			*out = (tval){ .kind = TV_JSON, .json = found };
			return 0;
		}
		/* lenient: a missing field is null, but not under a string */
		if (!k->lenient || (v.kind == TV_JSON && v.json && !YAJL_IS_OBJECT(v.json)))
			return fail(k, "no field %.*s", (int)p.len[i], p.name[i]);
		v = (tval){ .kind = TV_JSON, .json = NULL };
		break;
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
	return tctx_keep_sb(k->c, &s, out);
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
		if (++k->depth > MAX_DEPTH)
			return fail(k, "more than %d ( deep", MAX_DEPTH);
		k->p++;
		int r = pipeline(k, out);
		k->depth--;
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
		return tmpl_call(&k->a, k->c, fn, fl, args, n, out);
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
	cursor k = { .p = s, .end = s + len, .a = { s, len, err }, .c = c, .lenient = lenient };
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
