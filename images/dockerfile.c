/* The Dockerfile's lines into instructions: the parser directives at its
 * top, comments, blank lines, and continuations joined, as BuildKit's
 * parser scans them; each instruction is dockerfile_instr.c's. */
#include "images/dockerfile.h"
#include "images/dockerfile_instr.h"
#include "images/df_expand.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct reader {
	const char *p, *end;
	unsigned lineno; /* of the line last read */
} reader;

/* The next line, without its "\n" or "\r\n"; false at the end. */
static bool next_line(reader *rd, const char **line, size_t *n)
{
	if (rd->p >= rd->end)
		return false;
	const char *nl = memchr(rd->p, '\n', (size_t)(rd->end - rd->p));
	const char *stop = nl ? nl : rd->end;
	*line = rd->p;
	*n = (size_t)(stop - rd->p);
	if (*n && (*line)[*n - 1] == '\r')
		(*n)--;
	rd->p = nl ? nl + 1 : rd->end;
	rd->lineno++;
	return true;
}

static void skip_space(const char **s, size_t *n)
{
	while (*n && df_is_space(**s))
		(*s)++, (*n)--;
}

static bool is_comment(const char *s, size_t n)
{
	skip_space(&s, &n);
	return n && s[0] == '#';
}

static bool is_blank(const char *s, size_t n)
{
	skip_space(&s, &n);
	return !n;
}

/* A line that ends in the escape char (spaces and tabs after it allowed)
 * goes on in the next: the char and what follows it are cut off. */
static bool continues(char escape, const char *s, size_t *n)
{
	size_t k = *n;
	while (k && (s[k - 1] == ' ' || s[k - 1] == '\t'))
		k--;
	if (!k || s[k - 1] != escape)
		return false;
	*n = k - 1;
	return true;
}

/* "# key=value" at the file's top, as BuildKit's regexp has it:
 * ^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$
 * 1: a directive, taken; 0: not one (directives end here); <0: error. */
static int directive(dockerfile *df, const char *s, size_t n, unsigned *seen, cerr *err)
{
	skip_space(&s, &n);
	if (!n || s[0] != '#')
		return 0;
	s++, n--;
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	const char *key = s;
	size_t k = 0;
	while (k < n && ((key[k] >= 'a' && key[k] <= 'z') || (key[k] >= 'A' && key[k] <= 'Z') ||
			 (k && key[k] >= '0' && key[k] <= '9')))
		k++;
	s += k, n -= k;
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	if (!k || !n || s[0] != '=')
		return 0;
	s++, n--;
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (!n)
		return 0;
	unsigned bit = k == 6 && !strncasecmp(key, "syntax", 6) ? 1 : k == 6 && !strncasecmp(key, "escape", 6) ? 2 : 0;
	if (!bit) /* an unknown directive is a comment, and ends them */
		return 0;
	if (*seen & bit)
		return cerr_set(err, EINVAL, "only one %s parser directive can be used", bit == 1 ? "syntax" : "escape");
	*seen |= bit;
	if (bit == 1)
		return (df->syntax = strndup(s, n)) ? 1 : cerr_set(err, ENOMEM, "out of memory");
	if (n != 1 || (s[0] != '\\' && s[0] != '`'))
		return cerr_set(err, EINVAL, "invalid escape token '%.*s' does not match ` or \\", (int)(n > 16 ? 16 : n), s);
	df->escape = s[0];
	return 1;
}

/* The instruction that starts with line (n bytes): its continuation lines
 * appended; a comment line or a blank one inside them is passed over. */
static int logical_line(reader *rd, char escape, const char *line, size_t n, strbuf *sb, cerr *err)
{
	skip_space(&line, &n);
	bool more = continues(escape, line, &n);
	for (;;) {
		if (sb->len + n > DF_MAX_INSTR_LEN)
			return cerr_set(err, EFBIG, "instruction longer than 64 KiB");
		if (sb_add(sb, line, n) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
		do {
			if (!more || !next_line(rd, &line, &n))
				return 0;
		} while (is_comment(line, n) || is_blank(line, n));
		more = continues(escape, line, &n);
	}
}

static int push_instr(dockerfile *df, size_t *cap, df_instr *in)
{
	if (df->n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		df_instr *v = realloc(df->instrs, c * sizeof(*v));
		if (!v)
			return -ENOMEM;
		df->instrs = v;
		*cap = c;
	}
	df->instrs[df->n++] = *in;
	return 0;
}

/* The instructions, from the first line after the directives. */
static int instructions(dockerfile *df, reader *rd, const char *line, size_t n, const char *name, cerr *err)
{
	size_t cap = 0;
	bool from = false;
	do {
		if (is_comment(line, n) || is_blank(line, n))
			continue;
		unsigned start = rd->lineno;
		_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
		int r = logical_line(rd, df->escape, line, n, &sb, err);
		if (r < 0)
			return cerr_wrap(err, "%s:%u", name, start);
		while (sb.len && df_is_space(sb.buf[sb.len - 1]))
			sb.buf[--sb.len] = '\0';
		if (!sb.len) /* a lone escape char, continued into nothing */
			continue;
		if (df->n == DF_MAX_INSTRS)
			return cerr_set(err, EFBIG, "%s:%u: more than %u instructions", name, start, DF_MAX_INSTRS);
		df_instr in;
		if (df_instr_parse(sb.buf, start, df->escape, &in, err) < 0)
			return cerr_wrap(err, "%s:%u", name, start);
		if (!from && in.kind != DF_FROM && in.kind != DF_ARG) {
			r = cerr_set(err, EINVAL, "%s:%u: no FROM before %s", name, start, df_kind_name(in.kind));
			df_instr_release(&in);
			return r;
		}
		from = from || in.kind == DF_FROM;
		if (push_instr(df, &cap, &in) < 0) {
			df_instr_release(&in);
			return cerr_set(err, ENOMEM, "out of memory");
		}
	} while (next_line(rd, &line, &n));
	if (!df->n)
		return cerr_set(err, EINVAL, "the %s has no instructions", name);
	if (!from)
		return cerr_set(err, EINVAL, "the %s has no FROM instruction", name);
	return 0;
}

int dockerfile_parse(const char *text, size_t len, const char *name, dockerfile *df, cerr *err)
{
	*df = (dockerfile){ .escape = '\\' };
	if (!name)
		name = "Dockerfile";
	if (len > DF_MAX_TEXT)
		return cerr_set(err, EFBIG, "the %s is larger than 1 MiB (%zu bytes)", name, len);
	const char *nul = memchr(text, '\0', len);
	if (nul) {
		unsigned line = 1;
		for (const char *p = text; p < nul; p++)
			line += *p == '\n';
		return cerr_set(err, EINVAL, "%s:%u: holds a NUL byte", name, line);
	}
	reader rd = { .p = text, .end = text + len };
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		rd.p += 3;
	const char *line;
	size_t n;
	unsigned seen = 0;
	int r = 0;
	while (next_line(&rd, &line, &n) && (r = directive(df, line, n, &seen, err)) == 1)
		;
	if (r < 0)
		r = cerr_wrap(err, "%s:%u", name, rd.lineno);
	else if (rd.lineno == 0 || r == 1) /* empty, or nothing but directives */
		r = cerr_set(err, EINVAL, "the %s has no instructions", name);
	else
		r = instructions(df, &rd, line, n, name, err);
	if (r < 0)
		dockerfile_release(df);
	return r;
}

void dockerfile_release(dockerfile *df)
{
	for (size_t i = 0; i < df->n; i++)
		df_instr_release(&df->instrs[i]);
	free(df->instrs);
	free(df->syntax);
	*df = (dockerfile){ .escape = '\\' };
}
