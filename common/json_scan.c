#include "json_scan.h"
#include "json.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

size_t utf8_seq(const unsigned char *s, size_t n)
{
	if (s[0] >= 0x01 && s[0] < 0x80)
		return 1;
	size_t len = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
	if (!len || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* no overlong forms, no surrogates, nothing past U+10FFFF */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) || (s[0] == 0xf0 && s[1] < 0x90) ||
	    (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return len;
}

size_t utf8_prefix(const char *s, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s), at = 0;
	while (at < len) {
		size_t k = utf8_seq(u + at, len - at);
		if (at + (k ? k : 1) > max)
			break;
		at += k ? k : 1;
	}
	return at;
}

int utf8_mend(const char *s, size_t len, char **out, size_t *out_len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t clean = 0, k;
	*out = NULL;
	/* the common case, 16 bytes at a time: every reply corrald sends */
	if (!memchr(s, '\0', len) && json_utf8_valid(s, len))
		return 0;
	while (clean < len && (k = utf8_seq(u + clean, len - clean)))
		clean += k;
	/* rare: U+FFFD is 3 bytes for each 1 replaced */
	unsigned char *m = malloc(3 * len + 1);
	if (!m)
		return -ENOMEM;
	memcpy(m, u, clean);
	size_t o = clean;
	for (size_t i = clean; i < len;) {
		k = utf8_seq(u + i, len - i);
		memcpy(m + o, k ? u + i : (const unsigned char *)"\xef\xbf\xbd", k ? k : 3);
		o += k ? k : 3;
		i += k ? k : 1;
	}
	m[o] = '\0';
	*out = (char *)m;
	*out_len = o;
	return 1;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && is_space(*p))
		p++;
	return p;
}

/* Past the UTF-8 sequence at p, or NULL when there is none. */
static const unsigned char *skip_utf8(const unsigned char *p, const unsigned char *end)
{
	size_t n = utf8_seq(p, (size_t)(end - p));
	return n ? p + n : NULL;
}

static bool is_hex(unsigned char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }

static bool byte_is_plain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

/* skip_plain: the first byte from s on that needs a look (a quote, a
 * backslash, a control character or a byte of a UTF-8 sequence), or e;
 * skip_ascii: the first of 0x80 or more. 16 bytes at a time, each a bit of
 * a mask, where the CPU has SSE2 (every x86-64); else a byte at a time. */
#ifdef __SSE2__
static int block_hits(const unsigned char *s)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
	__m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
	/* signed: a byte of 0x80 or more is below 0x20 too */
	return _mm_movemask_epi8(_mm_or_si128(hit, _mm_cmplt_epi8(v, _mm_set1_epi8(0x20))));
}

static int block_high(const unsigned char *s)
{
	return _mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)s));
}
#endif

static const unsigned char *skip_plain(const unsigned char *s, const unsigned char *e)
{
#ifdef __SSE2__
	for (; e - s >= 16; s += 16) {
		int hits = block_hits(s);
		if (hits)
			return s + __builtin_ctz((unsigned)hits);
	}
#endif
	while (s < e && byte_is_plain(*s))
		s++;
	return s;
}

static const unsigned char *skip_ascii(const unsigned char *s, const unsigned char *e)
{
#ifdef __SSE2__
	for (; e - s >= 16; s += 16) {
		int high = block_high(s);
		if (high)
			return s + __builtin_ctz((unsigned)high);
	}
#endif
	while (s < e && *s < 0x80)
		s++;
	return s;
}

/* A walk over one value: where the text ends, whether it was checked
 * already, and whether what was passed is plain. */
typedef struct scan {
	const char *end;
	bool checked;
	bool plain;
} scan;

/* Past the string at p ('"'), checked as RFC 8259 and RFC 3629 have it. */
static const char *check_string(scan *sc, const char *p)
{
	const unsigned char *s = (const unsigned char *)p + 1, *e = (const unsigned char *)sc->end;
	for (;;) {
		s = skip_plain(s, e);
		if (s >= e)
			return NULL;
		unsigned char c = *s;
		if (c == '"')
			return (const char *)s + 1;
		if (c < 0x20)
			return NULL;
		if (c >= 0x80) {
			if (!(s = skip_utf8(s, e)))
				return NULL;
			continue;
		}
		/* a backslash, the one byte left that skip_plain stops at */
		sc->plain = false;
		if (e - s < 2)
			return NULL;
		c = s[1];
		if (c == 'u') {
			if (e - s < 6 || !is_hex(s[2]) || !is_hex(s[3]) || !is_hex(s[4]) || !is_hex(s[5]))
				return NULL;
			/* a NUL, which json_parse refuses (json_guard.h) */
			if (!memcmp(s + 2, "0000", 4))
				return NULL;
			s += 6;
		} else if (c && strchr("\"\\/bfnrt", c)) {
			s += 2;
		} else {
			return NULL;
		}
	}
}

/* Past the string at p. In a text checked already, a string with no
 * backslash ends at the next quote. */
static const char *skip_string(scan *sc, const char *p)
{
	if (sc->checked) {
		const char *q = memchr(p + 1, '"', (size_t)(sc->end - p - 1));
		if (q && !memchr(p + 1, '\\', (size_t)(q - p - 1)))
			return q + 1;
	}
	return check_string(sc, p);
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static const char *skip_digits(const char *p, const char *end)
{
	if (p >= end || !is_digit(*p))
		return NULL;
	while (p < end && is_digit(*p))
		p++;
	return p;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static const char *skip_number(const char *p, const char *end)
{
	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (!(p = skip_digits(p, end)))
		return NULL;
	if (p < end && *p == '.' && !(p = skip_digits(p + 1, end)))
		return NULL;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (!(p = skip_digits(p, end)))
			return NULL;
	}
	return p;
}

static const char *skip_word(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);
	return (size_t)(end - p) >= n && !memcmp(p, word, n) ? p + n : NULL;
}

/* Space inside a value is not what yajl_gen writes. */
static const char *skip_inner_space(scan *sc, const char *p)
{
	const char *q = skip_space(p, sc->end);
	if (q != p)
		sc->plain = false;
	return q;
}

static const char *skip_value(scan *sc, const char *p, int depth);

/* Past the object or array at p, whose items are at depth. */
static const char *skip_container(scan *sc, const char *p, int depth)
{
	const char *end = sc->end;
	char close = *p == '{' ? '}' : ']';
	bool object = close == '}';
	if (depth > JSON_MAX_DEPTH)
		return NULL;
	p = skip_inner_space(sc, p + 1);
	if (p < end && *p == close)
		return p + 1;
	for (;;) {
		if (object) {
			if (p >= end || *p != '"' || !(p = skip_string(sc, p)))
				return NULL;
			p = skip_inner_space(sc, p);
			if (p >= end || *p != ':')
				return NULL;
			p = skip_inner_space(sc, p + 1);
		}
		if (!(p = skip_value(sc, p, depth)))
			return NULL;
		p = skip_inner_space(sc, p);
		if (p < end && *p == close)
			return p + 1;
		if (p >= end || *p != ',')
			return NULL;
		p = skip_inner_space(sc, p + 1);
	}
}

/* Past the value at p, which stands at depth (the containers around it). */
static const char *skip_value(scan *sc, const char *p, int depth)
{
	const char *end = sc->end;
	if (p >= end)
		return NULL;
	switch (*p) {
	case '"':
		return skip_string(sc, p);
	case '{':
	case '[':
		return skip_container(sc, p, depth + 1);
	case 't':
		return skip_word(p, end, "true");
	case 'f':
		return skip_word(p, end, "false");
	case 'n':
		return skip_word(p, end, "null");
	default:
		return skip_number(p, end);
	}
}

bool json_keys_open(json_keys *it, const char *p, const char *end, int depth, bool checked)
{
	p = skip_space(p, end);
	if (p >= end || *p != '{' || depth < 1 || depth > JSON_MAX_DEPTH)
		return false;
	*it = (json_keys){ .p = p + 1, .end = end, .depth = depth, .checked = checked };
	return true;
}

int json_keys_next(json_keys *it, json_text *key, json_text *value)
{
	const char *p = skip_space(it->p, it->end), *end = it->end;
	if (p < end && *p == '}')
		goto close;
	if (it->started) {
		if (p >= end || *p != ',')
			return -1;
		p = skip_space(p + 1, end);
	}
	scan sc = { .end = end, .checked = it->checked, .plain = true };
	const char *k = p;
	if (p >= end || *p != '"' || !(p = skip_string(&sc, p)) || !sc.plain)
		return -1;
	*key = (json_text){ .p = k + 1, .len = (size_t)(p - k) - 2, .plain = true };
	p = skip_space(p, end);
	if (p >= end || *p != ':')
		return -1;
	const char *v = skip_space(p + 1, end);
	if (!(p = skip_value(&sc, v, it->depth)))
		return -1;
	*value = (json_text){ .p = v, .len = (size_t)(p - v), .plain = sc.plain };
	it->p = p;
	it->started = true;
	return 1;
close:
	/* nothing but space after the object */
	it->p = p + 1;
	return skip_space(p + 1, end) == end ? 0 : -1;
}

bool json_utf8_valid(const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	while ((p = skip_ascii(p, end)) < end)
		if (!(p = skip_utf8(p, end)))
			return false;
	return true;
}

bool json_text_is(const json_text *key, const char *name)
{
	return strlen(name) == key->len && !memcmp(key->p, name, key->len);
}
