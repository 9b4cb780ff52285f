/* Reading a .dockerignore as Docker's ReadAll does: the patterns, cleaned;
 * matching them is df_match.c's. */
#include "images/df_match.h"
#include "images/df_ignore.h"
#include "images/df_expand.h"
#include "common/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Go's path.Clean: "." and empty segments dropped, ".." taking the segment
 * before it (or kept, at the start of a relative path), "" is ".". */
static char *clean_path(const char *path, size_t n)
{
	char *out = malloc(n + 2);
	if (!out)
		return NULL;
	bool rooted = n && path[0] == '/';
	size_t w = 0, dotdot = 0; /* written; where ".." can no longer go back */
	if (rooted)
		out[w++] = '/', dotdot = 1;
	for (size_t r = 0; r < n;) {
		size_t end = r;
		while (end < n && path[end] != '/')
			end++;
		size_t len = end - r;
		if (len == 0 || (len == 1 && path[r] == '.')) {
			/* nothing */
		} else if (len == 2 && path[r] == '.' && path[r + 1] == '.') {
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if (w != (rooted ? 1u : 0u))
				out[w++] = '/';
			memcpy(out + w, path + r, len);
			w += len;
		}
		r = end + (end < n);
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	return out;
}

/* A pattern as it is matched: cleaned, no leading '/', and a leading "**x"
 * read as "**" then "*x" (Docker's suffix match: "**.go" is every .go file). */
static char *normal_pattern(const char *p, size_t n)
{
	_cleanup_free_ char *clean = clean_path(p, n);
	if (!clean)
		return NULL;
	char *s = clean;
	if (s[0] == '/' && s[1])
		s++;
	if (s[0] == '*' && s[1] == '*' && s[2] && s[2] != '/') {
		while (*s == '*')
			s++;
		char *out = NULL;
		return asprintf(&out, "**/*%s", s) < 0 ? NULL : out;
	}
	return strdup(s);
}

static int push(df_ignore *ig, size_t *cap, char *pattern, bool negate)
{
	if (ig->n + 1 >= *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		char **p = realloc(ig->patterns, c * sizeof(*p));
		if (!p)
			return -ENOMEM;
		ig->patterns = p;
		bool *g = realloc(ig->negate, c * sizeof(*g));
		if (!g)
			return -ENOMEM;
		ig->negate = g;
		*cap = c;
	}
	ig->patterns[ig->n] = pattern;
	ig->negate[ig->n++] = negate;
	ig->patterns[ig->n] = NULL;
	return 0;
}

static int parse_line(const char *line, size_t n, unsigned lineno, df_ignore *ig, size_t *cap, cerr *err)
{
	if (n && line[0] == '#') /* only in the first column, as Docker has it */
		return 0;
	while (n && df_is_space(line[0]))
		line++, n--;
	while (n && df_is_space(line[n - 1]))
		n--;
	if (!n)
		return 0;
	bool negate = line[0] == '!';
	if (negate) {
		line++, n--;
		while (n && df_is_space(line[0]))
			line++, n--;
		if (!n)
			return cerr_set(err, EINVAL, ".dockerignore:%u: illegal exclusion pattern: \"!\"", lineno);
	}
	char *pattern = normal_pattern(line, n);
	if (!pattern)
		return cerr_set(err, ENOMEM, "out of memory");
	if (!df_glob_valid(pattern)) {
		int r = cerr_set(err, EINVAL, ".dockerignore:%u: bad pattern \"%.*s\"", lineno, (int)(n > 256 ? 256 : n), line);
		free(pattern);
		return r;
	}
	if (push(ig, cap, pattern, negate) < 0) {
		free(pattern);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

int df_ignore_parse(const char *text, size_t len, df_ignore *ig, cerr *err)
{
	*ig = (df_ignore){ 0 };
	if (len > DF_IGNORE_MAX)
		return cerr_set(err, EFBIG, ".dockerignore: larger than 1 MiB (%zu bytes)", len);
	if (memchr(text, '\0', len))
		return cerr_set(err, EINVAL, ".dockerignore: holds a NUL byte");
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		text += 3, len -= 3;
	size_t cap = 0;
	unsigned lineno = 0;
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		int r = parse_line(p, n, ++lineno, ig, &cap, err);
		if (r < 0) {
			df_ignore_release(ig);
			return r;
		}
		p += n + 1;
	}
	return 0;
}

void df_ignore_release(df_ignore *ig)
{
	for (size_t i = 0; i < ig->n; i++)
		free(ig->patterns[i]);
	free(ig->patterns);
	free(ig->negate);
	*ig = (df_ignore){ 0 };
}
