/* Go's text/template over parsed JSON (see template.h): the text is read
 * into a tree of text, actions and if/range/with blocks, then rendered;
 * each action's pipeline is template_expr.c's. */
#include "supervisor/template/template.h"
#include "common/cleanup.h"
#include "supervisor/template/template_expr.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

bool tmpl_is_table(const char *fmt, const char **body)
{
	if (strncmp(fmt, "table", 5) || (fmt[5] && !isspace((unsigned char)fmt[5])))
		return false;
	*body = fmt + 5 + strspn(fmt + 5, " \t");
	return true;
}

typedef struct word {
	const char *s;
	size_t len;
} word;

static int err_or_oom(cerr *err, int r) { return err->msg ? r : cerr_set(err, -r, "out of memory"); }

/* A column title: the title given for the field, else its name in
 * capitals with its words apart (CreatedAt: CREATED AT). */
static int print_title(strbuf *out, word path, const tmpl_title *titles)
{
	const char *last = path.s + path.len;
	while (last > path.s && last[-1] != '.')
		last--;
	size_t l = (size_t)(path.s + path.len - last);
	for (const tmpl_title *t = titles; t && t->field; t++)
		if (strlen(t->field) == l && !strncasecmp(t->field, last, l))
			return sb_adds(out, t->title);
	int r = 0;
	for (size_t i = 0; !r && i < l; i++) {
		if (i && isupper((unsigned char)last[i]) && islower((unsigned char)last[i - 1]))
			r = sb_adds(out, " ");
		if (!r)
			r = sb_addf(out, "%c", toupper((unsigned char)last[i]));
	}
	return r;
}

typedef enum { N_TEXT, N_ACTION, N_IF, N_RANGE, N_WITH } node_kind;

typedef struct node {
	node_kind kind;
	word w;                 /* the text, or the pipeline */
	word var1, var2;        /* range $i, $e := / $e := (var2 empty) */
	struct node *body, *alt; /* a block's, and its else's */
	struct node *next;
} node;

static void nodes_free(node *n)
{
	while (n) {
		node *next = n->next;
		nodes_free(n->body);
		nodes_free(n->alt);
		free(n);
		n = next;
	}
}

static inline void nodes_freep(node **n) { nodes_free(*n); }

#define MAX_NESTING 64 /* blocks in blocks: bounded, as the stack is */

typedef struct parser {
	int depth;
	const char *p;
	const char *fmt;
	bool trim_next; /* the last action ended with -}} */
	cerr *err;
} parser;

static bool starts(word w, const char *kw)
{
	size_t l = strlen(kw);
	return w.len >= l && !strncmp(w.s, kw, l) && (w.len == l || isspace((unsigned char)w.s[l]));
}

static word after(word w, size_t n)
{
	w.s += n, w.len -= n;
	while (w.len && isspace((unsigned char)*w.s))
		w.s++, w.len--;
	while (w.len && isspace((unsigned char)w.s[w.len - 1]))
		w.len--;
	return w;
}

/* The next piece: text (*is_action false) or an action's inside, trimmed. */
static int next_piece(parser *ps, word *w, bool *is_action)
{
	if (!*ps->p)
		return 0;
	const char *open = strstr(ps->p, "{{");
	if (open != ps->p) {
		const char *end = open ? open : ps->p + strlen(ps->p);
		*w = (word){ ps->p, (size_t)(end - ps->p) };
		if (ps->trim_next)
			while (w->len && isspace((unsigned char)*w->s))
				w->s++, w->len--;
		/* {{- trims the text before it */
		if (open && open[2] == '-' && isspace((unsigned char)open[3]))
			while (w->len && isspace((unsigned char)w->s[w->len - 1]))
				w->len--;
		ps->trim_next = false;
		ps->p = end;
		*is_action = false;
		return 1;
	}
	const char *close = strstr(open + 2, "}}");
	if (!close)
		return cerr_set(ps->err, EINVAL, "%s: {{ without }}", ps->fmt);
	word a = { open + 2, (size_t)(close - open - 2) };
	if (a.len && a.s[0] == '-')
		a.s++, a.len--;
	ps->trim_next = a.len && a.s[a.len - 1] == '-' && (a.len == 1 || isspace((unsigned char)a.s[a.len - 2]));
	if (ps->trim_next)
		a.len--;
	*w = after(a, 0);
	ps->p = close + 2;
	*is_action = true;
	return 1;
}

/* $a, $b := rest, or $a := rest: the variables, and the pipeline */
static int range_vars(node *n, word w, cerr *err)
{
	const char *decl = memmem(w.s, w.len, ":=", 2);
	if (!decl) {
		n->w = w;
		return 0;
	}
	word left = { w.s, (size_t)(decl - w.s) };
	n->w = after((word){ decl, w.len - (size_t)(decl - w.s) }, 2);
	const char *comma = memchr(left.s, ',', left.len);
	n->var1 = after((word){ left.s, comma ? (size_t)(comma - left.s) : left.len }, 0);
	if (comma)
		n->var2 = after((word){ comma + 1, left.len - (size_t)(comma + 1 - left.s) }, 0);
	if (!n->var1.len || n->var1.s[0] != '$' || (comma && (!n->var2.len || n->var2.s[0] != '$')))
		return cerr_set(err, EINVAL, "{{range %.*s}}: expected $name := or $i, $e :=", (int)w.len, w.s);
	return 0;
}

/* Nodes up to {{end}} or {{else}} (*stop says which; 0 at the end of fmt). */
static int parse_list(parser *ps, node **out, word *stop)
{
	node *head = NULL, **tail = &head;
	*stop = (word){ NULL, 0 };
	for (;;) {
		word w;
		bool act = false;
		int r = next_piece(ps, &w, &act);
		if (r <= 0) {
			*out = head;
			if (r < 0)
				nodes_free(head);
			return r;
		}
		if (act && (starts(w, "end") || starts(w, "else"))) {
			*stop = w;
			*out = head;
			return 1;
		}
		if (act && w.len >= 2 && w.s[0] == '/' && w.s[1] == '*')
			continue; /* a comment */
		if (act && !w.len) {
			nodes_free(head);
			return cerr_set(ps->err, EINVAL, "%s: empty {{}}", ps->fmt);
		}
		node *n = calloc(1, sizeof(*n));
		if (!n) {
			nodes_free(head);
			return cerr_set(ps->err, ENOMEM, "out of memory");
		}
		*tail = n, tail = &n->next;
		n->kind = !act ? N_TEXT : starts(w, "if") ? N_IF : starts(w, "range") ? N_RANGE : starts(w, "with") ? N_WITH
											   : N_ACTION;
		n->w = w;
		if (n->kind == N_TEXT || n->kind == N_ACTION)
			continue;
		const char *kw = n->kind == N_IF ? "if" : n->kind == N_RANGE ? "range" : "with";
		n->w = after(w, strlen(kw));
		r = 0;
		if (!n->w.len)
			r = cerr_set(ps->err, EINVAL, "{{%s}}: expected a pipeline", kw);
		else if (n->kind == N_RANGE)
			r = range_vars(n, n->w, ps->err);
		word st;
		if (r == 0 && ++ps->depth > MAX_NESTING)
			r = cerr_set(ps->err, EINVAL, "%s: blocks more than %d deep", ps->fmt, MAX_NESTING);
		if (r == 0)
			r = parse_list(ps, &n->body, &st);
		/* {{else if x}} is an else holding an if, which ends with this {{end}} */
		node **alt = &n->alt;
		while (r > 0 && starts(st, "else")) {
			word rest = after(st, 4);
			if (starts(rest, "if")) {
				node *e = calloc(1, sizeof(*e));
				if (!e) {
					r = cerr_set(ps->err, ENOMEM, "out of memory");
					break;
				}
				*e = (node){ .kind = N_IF, .w = after(rest, 2) };
				*alt = e;
				r = parse_list(ps, &e->body, &st);
				alt = &e->alt;
			} else {
				r = parse_list(ps, alt, &st);
				if (r > 0 && starts(st, "else"))
					r = cerr_set(ps->err, EINVAL, "%s: {{else}} after {{else}}", ps->fmt);
			}
		}
		ps->depth--;
		if (r == 0)
			r = cerr_set(ps->err, EINVAL, "%s: {{%s}} without {{end}}", ps->fmt, kw);
		if (r < 0) {
			nodes_free(head);
			return r;
		}
	}
}

typedef struct render {
	tctx c;
	bool header;
	const tmpl_title *titles;
	strbuf *out;
	cerr *err;
} render;

static int render_list(render *rd, const node *n);

/* A table header's cell: the title of the action's first field (or of the
 * key an index names). */
static int header_cell(render *rd, word w)
{
	const char *dot = memchr(w.s, '.', w.len);
	word path = { "", 0 };
	if (dot) {
		size_t i = (size_t)(dot - w.s);
		while (i < w.len && !isspace((unsigned char)w.s[i]) && w.s[i] != ')')
			i++;
		path = (word){ dot, (size_t)(w.s + i - dot) };
	}
	if (starts(w, "index")) {
		const char *q = memchr(w.s, '"', w.len);
		const char *q2 = q ? memchr(q + 1, '"', (size_t)(w.s + w.len - q - 1)) : NULL;
		if (q2)
			path = (word){ q + 1, (size_t)(q2 - q - 1) };
	}
	return print_title(rd->out, path, rd->titles);
}

static int range_one(render *rd, const node *n, tval key, tval elem)
{
	tval saved = rd->c.dot;
	size_t vars = rd->c.n_vars;
	rd->c.dot = elem;
	int r = 0;
	if (n->var2.len)
		r = tctx_set_var(&rd->c, n->var1.s, n->var1.len, key, rd->err) < 0 ||
		    tctx_set_var(&rd->c, n->var2.s, n->var2.len, elem, rd->err) < 0 ? -EINVAL : 0;
	else if (n->var1.len)
		r = tctx_set_var(&rd->c, n->var1.s, n->var1.len, elem, rd->err);
	if (r == 0)
		r = render_list(rd, n->body);
	rd->c.dot = saved;
	rd->c.n_vars = vars;
	return r;
}

static int cmp_keys(const void *a, const void *b) { return strcmp(**(char *const *const *)a, **(char *const *const *)b); }

static int render_range(render *rd, const node *n, const tval *v)
{
	yajl_val j = v->kind == TV_JSON ? v->json : NULL;
	if (!tval_truth(v))
		return render_list(rd, n->alt);
	if (YAJL_IS_ARRAY(j)) {
		for (size_t i = 0; i < j->u.array.len; i++) {
			int r = range_one(rd, n, (tval){ .kind = TV_NUM, .num = (double)i },
					  (tval){ .kind = TV_JSON, .json = j->u.array.values[i] });
			if (r < 0)
				return r;
		}
		return 0;
	}
	if (!YAJL_IS_OBJECT(j))
		return cerr_set(rd->err, EINVAL, "{{range %.*s}}: not a list or a map", (int)n->w.len, n->w.s);
	/* a map's keys in order, as Go ranges over them */
	size_t len = j->u.object.len;
	_cleanup_free_ const char **keys = calloc(len, sizeof(*keys));
	_cleanup_free_ const char ***order = calloc(len, sizeof(*order));
	if (!keys || !order)
		return cerr_set(rd->err, ENOMEM, "out of memory");
	for (size_t i = 0; i < len; i++)
		keys[i] = j->u.object.keys[i], order[i] = &keys[i];
	qsort(order, len, sizeof(*order), cmp_keys);
	for (size_t x = 0; x < len; x++) {
		size_t i = (size_t)(order[x] - keys);
		tval key = { .kind = TV_STR, .str = keys[i], .len = strlen(keys[i]) };
		int r = range_one(rd, n, key, (tval){ .kind = TV_JSON, .json = j->u.object.values[i] });
		if (r < 0)
			return r;
	}
	return 0;
}

static int render_list(render *rd, const node *n)
{
	for (; n; n = n->next) {
		int r = 0;
		if (n->kind == N_TEXT) {
			/* \t and \n as podman reads them in a format */
			for (size_t i = 0; !r && i < n->w.len; i++) {
				const char *p = n->w.s + i;
				if (p[0] == '\\' && i + 1 < n->w.len && (p[1] == 't' || p[1] == 'n'))
					r = sb_adds(rd->out, p[1] == 't' ? "\t" : "\n"), i++;
				else
					r = sb_add(rd->out, p, 1);
			}
			if (r < 0)
				return cerr_set(rd->err, ENOMEM, "out of memory");
			continue;
		}
		if (rd->header) { /* a table's titles: one per action, blocks once */
			r = n->kind == N_ACTION ? header_cell(rd, n->w) : render_list(rd, n->body);
			if (r < 0)
				return err_or_oom(rd->err, r);
			continue;
		}
		tval v;
		if (tmpl_eval(&rd->c, n->w.s, n->w.len, n->kind != N_ACTION, &v, rd->err) < 0)
			return -EINVAL;
		if (n->kind == N_ACTION)
			r = tval_print(&v, rd->out) < 0 ? cerr_set(rd->err, ENOMEM, "out of memory") : 0;
		else if (n->kind == N_IF)
			r = render_list(rd, tval_truth(&v) ? n->body : n->alt);
		else if (n->kind == N_RANGE)
			r = render_range(rd, n, &v);
		else if (tval_truth(&v)) { /* with: dot is its value inside */
			tval saved = rd->c.dot;
			rd->c.dot = v;
			r = render_list(rd, n->body);
			rd->c.dot = saved;
		} else {
			r = render_list(rd, n->alt);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int tmpl_render(const char *fmt, yajl_val v, bool header, const tmpl_title *titles, strbuf *out, cerr *err)
{
	parser ps = { .p = fmt, .fmt = fmt, .err = err };
	__attribute__((cleanup(nodes_freep))) node *tree = NULL;
	word stop;
	int r = parse_list(&ps, &tree, &stop);
	if (r < 0)
		return r;
	if (r > 0)
		return cerr_set(err, EINVAL, "%s: {{%.*s}} without a block", fmt, (int)stop.len, stop.s);
	render rd = { .c = { .dot = { .kind = TV_JSON, .json = v } }, .header = header, .titles = titles,
		      .out = out, .err = err };
	tctx_set_var(&rd.c, "$", 1, rd.c.dot, err);
	r = render_list(&rd, tree);
	tctx_release(&rd.c);
	return r;
}
