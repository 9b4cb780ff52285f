/* A Go-template subset over parsed JSON (see template.h). */
#include "supervisor/ctl/template.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

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

yajl_val tmpl_field(yajl_val obj, const char *name, size_t len)
{
	if (!YAJL_IS_OBJECT(obj))
		return NULL;
	for (size_t i = 0; i < obj->u.object.len; i++)
		if (key_matches(obj->u.object.keys[i], name, len))
			return obj->u.object.values[i];
	return NULL;
}

bool tmpl_is_table(const char *fmt, const char **body)
{
	if (strncmp(fmt, "table", 5) || (fmt[5] && !isspace((unsigned char)fmt[5])))
		return false;
	*body = fmt + 5 + strspn(fmt + 5, " \t");
	return true;
}

/* A value as Go's text/template prints it. */
static int print_value(strbuf *out, yajl_val v)
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
			r = print_value(out, obj ? v->u.object.values[i] : v->u.array.values[i]);
	}
	return r ? r : sb_adds(out, "]");
}

static int print_json(strbuf *out, yajl_val v)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return -ENOMEM;
	if (!v)
		return sb_adds(out, "null");
	size_t len;
	const unsigned char *buf;
	if (jg_value(g, v) || yajl_gen_get_buf(g, &buf, &len))
		return -ENOMEM;
	return sb_add(out, buf, len);
}

/* One word of an action: a field path, "quoted", or a function's name. */
typedef struct word {
	const char *s;
	size_t len;
} word;

static size_t split_words(const char *s, size_t len, word *w, size_t max, cerr *err)
{
	size_t n = 0, i = 0;
	while (i < len) {
		if (isspace((unsigned char)s[i])) {
			i++;
			continue;
		}
		if (n == max)
			return cerr_set(err, EINVAL, "too many words in {{%.*s}}", (int)len, s), 0;
		size_t start = i;
		if (s[i] == '"') {
			while (++i < len && s[i] != '"')
				if (s[i] == '\\')
					i++;
			if (i++ >= len)
				return cerr_set(err, EINVAL, "unterminated string in {{%.*s}}", (int)len, s), 0;
		} else {
			while (i < len && !isspace((unsigned char)s[i]))
				i++;
		}
		w[n++] = (word){ s + start, i - start };
	}
	return n;
}

/* .A.B.C from v; err when a step is missing. */
static int resolve(yajl_val v, word path, yajl_val *out, cerr *err)
{
	if (path.len == 0 || path.s[0] != '.')
		return cerr_set(err, EINVAL, "%.*s: expected a field like .Name", (int)path.len, path.s);
	const char *p = path.s + 1, *end = path.s + path.len;
	while (p < end) {
		const char *dot = memchr(p, '.', (size_t)(end - p));
		size_t l = dot ? (size_t)(dot - p) : (size_t)(end - p);
		yajl_val next = l ? tmpl_field(v, p, l) : NULL;
		if (!next)
			return cerr_set(err, EINVAL, "%.*s: no field %.*s", (int)path.len, path.s, (int)l, p);
		v = next;
		p += l + (dot ? 1 : 0);
		if (dot && p == end)
			return cerr_set(err, EINVAL, "%.*s: expected a field after the dot", (int)path.len, path.s);
	}
	*out = v;
	return 0;
}

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

/* The string a "quoted" word holds, its escapes read. */
static int unquote(word w, strbuf *out)
{
	int r = 0;
	for (size_t i = 1; !r && i + 1 < w.len; i++) {
		if (w.s[i] == '\\' && i + 2 < w.len)
			i++;
		r = sb_add(out, w.s + i, 1);
	}
	return r;
}

static bool is(word w, const char *s) { return strlen(s) == w.len && !strncmp(w.s, s, w.len); }

static int case_value(strbuf *out, yajl_val v, bool upper)
{
	size_t from = out->len;
	int r = print_value(out, v);
	for (size_t i = from; !r && i < out->len; i++)
		out->buf[i] = (char)(upper ? toupper((unsigned char)out->buf[i]) : tolower((unsigned char)out->buf[i]));
	return r;
}

static int join_value(strbuf *out, yajl_val v, word sepw)
{
	_cleanup_strbuf_ strbuf sep = STRBUF_INIT;
	int r = unquote(sepw, &sep);
	for (size_t i = 0; !r && YAJL_IS_ARRAY(v) && i < v->u.array.len; i++) {
		if (i && sep.len)
			r = sb_add(out, sep.buf, sep.len);
		if (!r)
			r = print_value(out, v->u.array.values[i]);
	}
	return r ? r : YAJL_IS_ARRAY(v) ? 0 : print_value(out, v);
}

/* index ARG "key" (or a number for an array) */
static int index_value(strbuf *out, yajl_val v, word keyw, cerr *err)
{
	_cleanup_strbuf_ strbuf key = STRBUF_INIT;
	if (keyw.s[0] == '"') {
		if (unquote(keyw, &key) < 0)
			return -ENOMEM;
		yajl_val m = key.len ? json_get(v, key.buf) : NULL;
		return print_value(out, m ? m : tmpl_field(v, key.buf ? key.buf : "", key.len));
	}
	char *end;
	long i = strtol(keyw.s, &end, 10);
	if (end != keyw.s + keyw.len || !YAJL_IS_ARRAY(v) || i < 0 || (size_t)i >= v->u.array.len)
		return cerr_set(err, EINVAL, "index %.*s: out of range", (int)keyw.len, keyw.s);
	return print_value(out, v->u.array.values[i]);
}

static int action(const char *s, size_t len, yajl_val v, bool header, const tmpl_title *titles, strbuf *out,
		  cerr *err)
{
	/* {{- x -}}: the trim markers change only whitespace around; dropped */
	if (len && s[0] == '-')
		s++, len--;
	if (len && s[len - 1] == '-')
		len--;
	word w[4];
	size_t n = split_words(s, len, w, 4, err);
	if (!n)
		return err->msg ? -EINVAL : cerr_set(err, EINVAL, "empty {{}}");
	bool fn = w[0].s[0] != '.';
	word path = fn ? (n > 1 ? w[1] : (word){ "", 0 }) : w[0];
	size_t want = !fn ? 1 : is(w[0], "index") || is(w[0], "join") ? 3 : 2;
	if (fn && !is(w[0], "json") && !is(w[0], "index") && !is(w[0], "upper") && !is(w[0], "lower") &&
	    !is(w[0], "join"))
		return cerr_set(err, EINVAL, "{{%.*s}}: unknown function %.*s (this subset knows json, index, "
				"upper, lower and join)", (int)len, s, (int)w[0].len, w[0].s);
	if (n != want)
		return cerr_set(err, EINVAL, "{{%.*s}}: expected %s", (int)len, s,
				!fn ? "one field" : want == 3 ? "a field and a string" : "one field");
	if (header)
		return print_title(out, is(w[0], "index") ? w[2] : path, titles);
	yajl_val val = v;
	if (!is(path, ".") && resolve(v, path, &val, err) < 0)
		return -EINVAL;
	if (!fn)
		return print_value(out, val);
	if (is(w[0], "json"))
		return print_json(out, val);
	if (is(w[0], "index"))
		return index_value(out, val, w[2], err);
	if (is(w[0], "join"))
		return join_value(out, val, w[2]);
	return case_value(out, val, is(w[0], "upper"));
}

int tmpl_render(const char *fmt, yajl_val v, bool header, const tmpl_title *titles, strbuf *out, cerr *err)
{
	const char *p = fmt;
	while (*p) {
		const char *open = strstr(p, "{{");
		const char *text_end = open ? open : p + strlen(p);
		for (; p < text_end; p++) {
			int r;
			/* \t and \n as podman reads them in a format */
			if (p[0] == '\\' && p + 1 < text_end && (p[1] == 't' || p[1] == 'n'))
				r = sb_adds(out, *++p == 't' ? "\t" : "\n");
			else
				r = sb_add(out, p, 1);
			if (r < 0)
				return cerr_set(err, ENOMEM, "out of memory");
		}
		if (!open)
			break;
		const char *close = strstr(open + 2, "}}");
		if (!close)
			return cerr_set(err, EINVAL, "%s: {{ without }}", fmt);
		int r = action(open + 2, (size_t)(close - open - 2), v, header, titles, out, err);
		if (r < 0)
			return err->msg ? r : cerr_set(err, -r, "out of memory");
		p = close + 2;
	}
	return 0;
}
