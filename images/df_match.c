/* Go's filepath.Match, ported chunk by chunk so that what it takes and
 * refuses is Go's, and the .dockerignore's patterns on top of it. */
#include "images/df_match.h"
#include "common/cleanup.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct span {
	const char *p;
	size_t n;
} span;

static void adv(span *s, size_t k)
{
	s->p += k;
	s->n -= k;
}

/* The code point at s (n > 0 bytes) and its length; a byte that starts no
 * valid sequence is one long and U+FFFD, as Go's DecodeRuneInString. */
static size_t rune_at(const char *s, size_t n, uint32_t *r)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = u[0] < 0x80 ? 1 : (u[0] & 0xe0) == 0xc0 ? 2 : (u[0] & 0xf0) == 0xe0 ? 3 : (u[0] & 0xf8) == 0xf0 ? 4 : 0;
	uint32_t v = len == 1 ? u[0] : len == 2 ? u[0] & 0x1f : len == 3 ? u[0] & 0x0f : u[0] & 0x07;
	if (len == 0 || len > n)
		goto invalid;
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			goto invalid;
		v = v << 6 | (u[i] & 0x3f);
	}
	static const uint32_t least[] = { 0, 0, 0x80, 0x800, 0x10000 };
	if (v < least[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		goto invalid;
	*r = v;
	return len;
invalid:
	*r = 0xfffd;
	return 1;
}

/* One char of a class, escaped or not; -1: bad pattern. */
static int class_char(span *chunk, uint32_t *r)
{
	if (!chunk->n || chunk->p[0] == '-' || chunk->p[0] == ']')
		return -1;
	if (chunk->p[0] == '\\') {
		adv(chunk, 1);
		if (!chunk->n)
			return -1;
	}
	size_t k = rune_at(chunk->p, chunk->n, r);
	if (*r == 0xfffd && k == 1)
		return -1;
	adv(chunk, k);
	return chunk->n ? 0 : -1; /* the class must still close */
}

/* The stars at the start of *pattern, and the chunk after them, up to the
 * next star outside a class. */
static span scan_chunk(span *pattern, bool *star)
{
	*star = false;
	while (pattern->n && pattern->p[0] == '*') {
		adv(pattern, 1);
		*star = true;
	}
	bool in_class = false;
	size_t i;
	for (i = 0; i < pattern->n; i++) {
		char c = pattern->p[i];
		if (c == '\\' && i + 1 < pattern->n)
			i++;
		else if (c == '[')
			in_class = true;
		else if (c == ']')
			in_class = false;
		else if (c == '*' && !in_class)
			break;
	}
	span chunk = { pattern->p, i };
	adv(pattern, i);
	return chunk;
}

/* The chunk against the start of *s: 1 and *s past it, 0 no match, -1 bad
 * pattern. Once failed, the rest of the chunk is still read for errors. */
static int match_chunk(span chunk, span *s)
{
	span t = *s;
	bool failed = false;
	while (chunk.n) {
		if (!failed && !t.n)
			failed = true;
		char c = chunk.p[0];
		if (c == '[') {
			uint32_t r = 0;
			if (!failed)
				adv(&t, rune_at(t.p, t.n, &r));
			adv(&chunk, 1);
			bool negated = chunk.n && (chunk.p[0] == '^' || chunk.p[0] == '!');
			if (negated)
				adv(&chunk, 1);
			bool hit = false;
			for (int ranges = 0;; ranges++) {
				if (chunk.n && chunk.p[0] == ']' && ranges > 0) {
					adv(&chunk, 1);
					break;
				}
				uint32_t lo, hi;
				if (class_char(&chunk, &lo) < 0)
					return -1;
				hi = lo;
				if (chunk.p[0] == '-') {
					adv(&chunk, 1);
					if (class_char(&chunk, &hi) < 0)
						return -1;
				}
				if (lo <= r && r <= hi)
					hit = true;
			}
			if (hit == negated || r == '/') /* a path's separator is never in a class */
				failed = true;
			continue;
		}
		if (c == '?') {
			if (!failed) {
				uint32_t r;
				failed = t.p[0] == '/';
				adv(&t, rune_at(t.p, t.n, &r));
			}
			adv(&chunk, 1);
			continue;
		}
		if (c == '\\') {
			adv(&chunk, 1);
			if (!chunk.n)
				return -1;
		}
		if (!failed) {
			failed = chunk.p[0] != t.p[0];
			adv(&t, 1);
		}
		adv(&chunk, 1);
	}
	if (failed)
		return 0;
	*s = t;
	return 1;
}

/* Go's Match: 1, 0, or -1 for a bad pattern. */
static int glob(span pattern, span name)
{
	while (pattern.n) {
		bool star;
		span chunk = scan_chunk(&pattern, &star);
		if (star && !chunk.n) /* a trailing star takes the rest, unless it holds a '/' */
			return !memchr(name.p, '/', name.n);
		span t = name;
		int r = match_chunk(chunk, &t);
		/* the last chunk must take the rest of the name */
		if (r == 1 && (!t.n || pattern.n)) {
			name = t;
			continue;
		}
		if (r < 0)
			return -1;
		bool found = false;
		for (size_t i = 0; star && i < name.n && name.p[i] != '/'; i++) {
			span u = { name.p + i + 1, name.n - i - 1 };
			r = match_chunk(chunk, &u);
			if (r < 0)
				return -1;
			if (r == 1 && (pattern.n || !u.n)) {
				name = u;
				found = true;
				break;
			}
		}
		if (found)
			continue;
		while (pattern.n) { /* no match, but the rest must be well formed */
			span none = { "", 0 };
			if (match_chunk(scan_chunk(&pattern, &star), &none) < 0)
				return -1;
		}
		return 0;
	}
	return !name.n;
}

bool df_glob_match(const char *pattern, const char *path)
{
	return glob((span){ pattern, strlen(pattern) }, (span){ path, strlen(path) }) == 1;
}

bool df_glob_valid(const char *pattern)
{
	span p = { pattern, strlen(pattern) };
	while (p.n) {
		bool star;
		span none = { "", 0 };
		if (match_chunk(scan_chunk(&p, &star), &none) < 0)
			return false;
	}
	return true;
}

bool df_glob_has_magic(const char *pattern) { return strpbrk(pattern, "*?[\\") != NULL; }

/* The first '/'-separated segment of *s; *s goes past it and its '/'. */
static span next_segment(span *s)
{
	const char *slash = memchr(s->p, '/', s->n);
	span seg = { s->p, slash ? (size_t)(slash - s->p) : s->n };
	adv(s, slash ? seg.n + 1 : seg.n);
	return seg;
}

static bool is_double_star(span seg) { return seg.n == 2 && seg.p[0] == '*' && seg.p[1] == '*'; }

/* The pattern's segments against the path's, a "**" segment taking any
 * number of them: wildcard matching over segments, backtracking only to
 * the last "**" (enough, as for '*' over chars), so no pattern is slow. */
static bool segments_match(span pat, span path)
{
	span star_pat = { 0 }, star_path = { 0 };
	bool star = false;
	while (path.n) {
		span pat_rest = pat, path_rest = path;
		span ps = pat.n ? next_segment(&pat_rest) : (span){ "", 0 };
		if (pat.n && is_double_star(ps)) {
			star = true;
			star_pat = pat = pat_rest;
			star_path = path;
			continue;
		}
		span s = next_segment(&path_rest);
		if (pat.n && glob(ps, s) == 1) {
			pat = pat_rest;
			path = path_rest;
			continue;
		}
		if (!star)
			return false;
		next_segment(&star_path); /* the "**" takes one segment more */
		path = star_path;
		pat = star_pat;
	}
	while (pat.n)
		if (!is_double_star(next_segment(&pat)))
			return false;
	return true;
}

/* Whether the pattern matches path or a directory above it. A trailing
 * "**" takes one segment or more: the rest of the pattern must match a
 * directory strictly above path. */
static bool hits(const char *pattern, const char *path)
{
	size_t pn = strlen(pattern), n = strlen(path);
	bool trailing = streq(pattern, "**") || (pn > 3 && streq(pattern + pn - 3, "/**"));
	span pat = { pattern, trailing ? (pn > 2 ? pn - 3 : 0) : pn };
	if (trailing && n && segments_match(pat, (span){ "", 0 }))
		return true;
	for (size_t i = 1; i <= n; i++) {
		if (i < n && path[i] != '/')
			continue;
		if (trailing && i == n)
			break;
		if (segments_match(pat, (span){ path, i }))
			return true;
	}
	return false;
}

bool df_ignore_excluded(const df_ignore *ig, const char *path)
{
	for (size_t i = ig->n; i-- > 0;)
		if (hits(ig->patterns[i], path))
			return !ig->negate[i];
	return false;
}

bool df_ignore_searched(const df_ignore *ig, const char *dir)
{
	size_t n = strlen(dir);
	for (size_t i = 0; i < ig->n; i++)
		if (ig->negate[i] && !strncmp(ig->patterns[i], dir, n) && (!ig->patterns[i][n] || ig->patterns[i][n] == '/'))
			return true;
	return false;
}
