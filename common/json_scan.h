/* JSON text read in place, with no tree: for a hot path that takes a few
 * members of a message and passes a value on as it came. It is strict RFC
 * 8259 (UTF-8 checked, no comments, at most JSON_MAX_DEPTH deep, and no
 * string that holds a NUL), so a text it takes is one that json_parse takes
 * too. What it is not sure of it declines, and the caller then goes yajl's
 * way. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

/* A value's text. plain: no space outside its strings and no escape in
 * them, so it is byte for byte what yajl_gen writes from yajl's tree. */
typedef struct json_text {
	const char *p;
	size_t len;
	bool plain;
} json_text;

/* The members of one object, in order. */
typedef struct json_keys {
	const char *p, *end;
	int depth; /* of the object itself: 1 for a whole text */
	bool checked;
	bool started;
} json_keys;

/* The object at p (space around it allowed); end is where the text ends,
 * and only space may stand between the object's close and end. checked:
 * the text is known to be JSON already (json_keys took it), so values
 * are passed over, not checked again. */
bool json_keys_open(json_keys *it, const char *p, const char *end, int depth, bool checked);
/* 1 and the next member: its key (unquoted; a key with an escape is
 * declined) and its value, checked whole. 0 at the object's end, with the
 * rest of the text checked; -1 when the text is not JSON or is declined. */
int json_keys_next(json_keys *it, json_text *key, json_text *value);
/* Length of the valid UTF-8 sequence at s (at most n bytes, n >= 1), as
 * RFC 3629 has it: no overlong form, no surrogate, nothing past U+10FFFF;
 * 0 when there is none, and for a NUL. */
size_t utf8_seq(const unsigned char *s, size_t n);
/* The length of s's longest prefix of at most max bytes that does not end
 * inside a UTF-8 sequence (a byte that starts none is one), for cutting a
 * string short that is to stay UTF-8: printf("%.*s", (int)utf8_prefix(s,
 * 8), s). */
size_t utf8_prefix(const char *s, size_t max);
/* s (len bytes) with each byte that starts no valid UTF-8 sequence, and
 * each NUL, as U+FFFD: 1 with the mended copy in *out (NUL-terminated, its
 * length in *out_len; to free), 0 when s is UTF-8 already (*out NULL), or
 * -ENOMEM. A JSON text stays JSON: only its strings can hold such bytes. */
int utf8_mend(const char *s, size_t len, char **out, size_t *out_len);
/* Whether text is UTF-8 as RFC 3629 has it (JSON's, RFC 8259 8.1): no
 * overlong form, no surrogate, nothing past U+10FFFF. */
bool json_utf8_valid(const char *text, size_t len);
/* Whether key is exactly the NUL-terminated name. */
bool json_text_is(const json_text *key, const char *name);
