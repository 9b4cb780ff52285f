/* Word expansion as BuildKit's shell lexer (ProcessWord) does it, byte by
 * byte: every character it treats specially is ASCII, so UTF-8 passes
 * through untouched. */
#include "images/df_expand.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct lexer {
	const char *p; /* the next char */
	char escape;
	df_lookup_fn lookup;
	void *ctx;
	unsigned depth; /* of ${...} */
	strbuf *out;    /* where the word being built goes */
	cerr *err;
} lexer;

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_name_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int emit(lexer *lx, const char *s, size_t n)
{
	if (lx->out->len + n > DF_EXPAND_MAX)
		return cerr_set(lx->err, E2BIG, "expansion longer than 1 MiB");
	if (sb_add(lx->out, s, n) < 0)
		return cerr_set(lx->err, ENOMEM, "out of memory");
	return 0;
}

static int emit_char(lexer *lx, char c) { return emit(lx, &c, 1); }

static int missing_brace(lexer *lx) { return cerr_set(lx->err, EINVAL, "syntax error: missing '}'"); }

/* A name after '$': digits ($1, $10), one special parameter ($@ $* $# $?
 * $- $$ $!), or letters, digits and '_'. Empty when none is there. */
static size_t name_len(const char *p)
{
	size_t n = 0;
	if (is_digit(p[0])) {
		while (is_digit(p[n]))
			n++;
		return n;
	}
	if (p[0] && strchr("@*#?-$!", p[0]))
		return 1;
	while (is_name_char(p[n]))
		n++;
	return n;
}

static const char *lookup(lexer *lx, const char *name, size_t n)
{
	if (!lx->lookup)
		return NULL;
	char buf[256];
	_cleanup_free_ char *heap = NULL;
	const char *key = buf;
	if (n < sizeof(buf)) {
		memcpy(buf, name, n);
		buf[n] = '\0';
	} else if (!(heap = strndup(name, n))) {
		return NULL;
	} else {
		key = heap;
	}
	return lx->lookup(key, lx->ctx);
}

static int dollar(lexer *lx);

static int single_quoted(lexer *lx)
{
	const char *start = ++lx->p;
	const char *end = strchr(start, '\'');
	if (!end)
		return cerr_set(lx->err, EINVAL, "unexpected end of statement while looking for matching single-quote");
	lx->p = end + 1;
	return emit(lx, start, (size_t)(end - start));
}

/* Inside "...", the escape char escapes only " $ and itself; elsewhere it
 * stays, as a shell's backslash does. */
static int double_quoted(lexer *lx)
{
	lx->p++;
	for (;;) {
		char c = *lx->p;
		int r;
		if (!c)
			return cerr_set(lx->err, EINVAL,
					"unexpected end of statement while looking for matching double-quote");
		if (c == '"') {
			lx->p++;
			return 0;
		}
		if (c == '$') {
			if ((r = dollar(lx)) < 0)
				return r;
			continue;
		}
		lx->p++;
		if (c == lx->escape && (*lx->p == '"' || *lx->p == '$' || *lx->p == lx->escape))
			c = *lx->p++;
		else if (c == lx->escape && !*lx->p)
			continue;
		if ((r = emit_char(lx, c)) < 0)
			return r;
	}
}

/* The characters of a word up to stop ('}' for a modifier's word, '\0' for
 * the whole word): quotes, escapes and $ processed. */
static int word_until(lexer *lx, char stop)
{
	for (;;) {
		char c = *lx->p;
		int r = 0;
		if (!c)
			return stop ? missing_brace(lx) : 0;
		if (c == stop) {
			lx->p++;
			return 0;
		}
		if (c == '\'')
			r = single_quoted(lx);
		else if (c == '"')
			r = double_quoted(lx);
		else if (c == '$')
			r = dollar(lx);
		else {
			lx->p++;
			if (c == lx->escape) {
				if (!*lx->p)
					return stop ? missing_brace(lx) : 0; /* a trailing escape is dropped */
				c = *lx->p++;
			}
			r = emit_char(lx, c);
		}
		if (r < 0)
			return r;
	}
}

/* A modifier's word, expanded into its own buffer: whether it is used
 * depends on the variable, but it is always read (and checked). */
static int modifier_word(lexer *lx, char **word)
{
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	strbuf *outer = lx->out;
	lx->out = &sb;
	int r = word_until(lx, '}');
	lx->out = outer;
	if (r < 0)
		return r;
	*word = sb_detach(&sb);
	return 0;
}

/* ${name<op>word}: op is '-', '+' or '?', colon says whether an empty
 * value counts as unset. */
static int modified(lexer *lx, const char *name, size_t n, char op, bool colon)
{
	_cleanup_free_ char *word = NULL;
	int r = modifier_word(lx, &word);
	if (r < 0)
		return r;
	const char *value = lookup(lx, name, n);
	bool usable = value && (!colon || *value);
	switch (op) {
	case '-':
		return usable ? emit(lx, value, strlen(value)) : emit(lx, word, strlen(word));
	case '+':
		return usable ? emit(lx, word, strlen(word)) : 0;
	default: /* '?' */
		if (usable)
			return emit(lx, value, strlen(value));
		if (*word)
			return cerr_set(lx->err, EINVAL, "%.*s: %s", (int)n, name, word);
		return cerr_set(lx->err, EINVAL, "%.*s: is not allowed to be %s", (int)n, name,
				value ? "empty" : "unset");
	}
}

static int braced(lexer *lx)
{
	lx->p++; /* '{' */
	char c = *lx->p;
	if (!c)
		return missing_brace(lx);
	if (c == '{' || c == '}' || c == ':')
		return cerr_set(lx->err, EINVAL, "syntax error: bad substitution");
	const char *name = lx->p;
	size_t n = name_len(name);
	lx->p += n;
	c = *lx->p;
	if (!c)
		return missing_brace(lx);
	lx->p++;
	if (c == '}') {
		const char *value = lookup(lx, name, n);
		return value ? emit(lx, value, strlen(value)) : 0;
	}
	bool colon = c == ':';
	if (colon) {
		c = *lx->p;
		if (!c)
			return missing_brace(lx);
		lx->p++;
	}
	if (c != '-' && c != '+' && c != '?')
		return cerr_set(lx->err, EINVAL, "unsupported modifier (%c) in substitution", c);
	if (++lx->depth > DF_EXPAND_DEPTH)
		return cerr_set(lx->err, EINVAL, "syntax error: substitutions nested deeper than %d", DF_EXPAND_DEPTH);
	int r = modified(lx, name, n, c, colon);
	lx->depth--;
	return r;
}

static int dollar(lexer *lx)
{
	lx->p++; /* '$' */
	if (*lx->p == '{')
		return braced(lx);
	const char *name = lx->p;
	size_t n = name_len(name);
	if (!n)
		return emit_char(lx, '$'); /* "$" alone, "$/" ...: literal */
	lx->p += n;
	const char *value = lookup(lx, name, n);
	return value ? emit(lx, value, strlen(value)) : 0;
}

int df_expand(const char *word, char escape, df_lookup_fn lookup_fn, void *ctx, char **out, cerr *err)
{
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	lexer lx = { .p = word, .escape = escape, .lookup = lookup_fn, .ctx = ctx, .out = &sb, .err = err };
	*out = NULL;
	int r = word_until(&lx, '\0');
	if (r < 0)
		return r;
	*out = sb_detach(&sb);
	return 0;
}

size_t df_word_len(const char *text, char escape)
{
	size_t i = 0;
	char quote = 0;
	while (text[i]) {
		char c = text[i];
		if (!quote && df_is_space(c))
			break;
		if (quote && c == quote)
			quote = 0;
		else if (!quote && (c == '\'' || c == '"'))
			quote = c;
		else if (c == escape && quote != '\'' && text[i + 1])
			i++; /* the escaped char belongs to the word, whitespace too */
		i++;
	}
	return i;
}

/* The next word at or after *p, its length in *n; NULL at the end. */
static const char *next_word(const char **p, char escape, size_t *n)
{
	while (df_is_space(**p))
		(*p)++;
	if (!**p)
		return NULL;
	const char *w = *p;
	*n = df_word_len(w, escape);
	*p += *n;
	return w;
}

/* Counted first, so that no push walks the vector again. */
int df_split_words(const char *text, char escape, char ***words, cerr *err)
{
	size_t count = 0, n;
	for (const char *p = text; next_word(&p, escape, &n);)
		count++;
	_cleanup_strv_ char **v = calloc(count + 1, sizeof(char *));
	if (!v)
		return cerr_set(err, ENOMEM, "out of memory");
	const char *p = text, *w;
	for (size_t i = 0; (w = next_word(&p, escape, &n)); i++)
		if (!(v[i] = strndup(w, n)))
			return cerr_set(err, ENOMEM, "out of memory");
	*words = TAKE_PTR(v);
	return 0;
}
