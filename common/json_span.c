#include "json_span.h"

#include <string.h>

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && is_space(*p))
		p++;
	return p;
}

/* Past the string at p ('"'); NULL at an escape (or a cut text). */
static const char *skip_string(const char *p, const char *end)
{
	p++;
	const char *q = p < end ? memchr(p, '"', (size_t)(end - p)) : NULL;
	if (!q || memchr(p, '\\', (size_t)(q - p)))
		return NULL;
	return q + 1;
}

/* Whether a '/' stands outside the strings of the text: yajl takes
 * comments, whose quotes and brackets are no JSON's, so a text with one is
 * never spanned (a quote in a comment would move the span past the value,
 * into the members after it). */
static bool has_comment(const char *p, const char *end)
{
	if (!memchr(p, '/', (size_t)(end - p))) /* most texts: one fast look */
		return false;
	bool in_string = false;
	for (; p < end; p++) {
		if (in_string && *p == '\\')
			p++;
		else if (*p == '"')
			in_string = !in_string;
		else if (!in_string && *p == '/')
			return true;
	}
	return false;
}

/* Past the value at p; *canonical is cleared by a space inside it. */
static const char *skip_value(const char *p, const char *end, bool *canonical)
{
	if (p >= end)
		return NULL;
	if (*p == '"')
		return skip_string(p, end);
	if (*p != '{' && *p != '[') { /* a number, true, false or null */
		while (p < end && *p != ',' && *p != '}' && *p != ']' && !is_space(*p))
			p++;
		return p;
	}
	int depth = 0;
	while (p < end) {
		char c = *p;
		if (c == '"') {
			if (!(p = skip_string(p, end)))
				return NULL;
			continue;
		}
		if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && --depth == 0)
			return p + 1;
		else if (is_space(c))
			*canonical = false;
		p++;
	}
	return NULL;
}

/* The value of key in the object at p (the last one), or NULL. */
static const char *member(const char *p, const char *end, const char *key, const char **vend, bool *canonical)
{
	const char *found = NULL;
	size_t klen = strlen(key);
	if ((p = skip_space(p, end)) >= end || *p != '{')
		return NULL;
	for (p++;;) {
		p = skip_space(p, end);
		if (p >= end || *p == '}')
			return found;
		const char *k = p;
		if (*p != '"' || !(p = skip_string(p, end)))
			return NULL;
		bool match = (size_t)(p - k) == klen + 2 && !memcmp(k + 1, key, klen);
		if ((p = skip_space(p, end)) >= end || *p != ':')
			return NULL;
		const char *v = skip_space(p + 1, end);
		bool canon = true;
		if (!(p = skip_value(v, end, &canon)))
			return NULL;
		if (match) {
			found = v;
			*vend = p;
			*canonical = canon;
		}
		if ((p = skip_space(p, end)) < end && *p == ',')
			p++;
	}
}

bool json_span(const char *text, size_t len, const char *outer, const char *inner, const char **span,
	       size_t *span_len)
{
	const char *end = text + len, *oend, *iend;
	bool canonical;
	if (has_comment(text, end))
		return false;
	const char *o = member(text, end, outer, &oend, &canonical);
	const char *v = o ? member(o, oend, inner, &iend, &canonical) : NULL;
	if (!v || !canonical)
		return false;
	*span = v;
	*span_len = (size_t)(iend - v);
	return true;
}
