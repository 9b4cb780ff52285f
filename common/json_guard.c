#include "json_guard.h"
#include "json.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define KEY_SHOWN 64

/* A container the walk is in: an object, with the key of the member it
 * reads, or an array, with the index of the item it reads. */
typedef struct frame {
	bool object;
	bool want_key;   /* the object's next string is a key */
	const char *key; /* as written, between its quotes */
	size_t key_len;
	size_t index;
} frame;

/* The backslash at s starts "\u0000" (its hex digits have no case). */
static bool nul_escape(const char *s) { return s[1] == 'u' && !strncmp(s + 2, "0000", 4); }

/* The path of frames 1..depth, as json_path and json_path_idx write one;
 * "..." ends one that does not fit. */
static void name_path(const frame *f, int depth, char path[JSON_GUARD_PATH_MAX])
{
	size_t n = 0;
	path[0] = '\0';
	for (int i = 1; i <= depth; i++) {
		char part[KEY_SHOWN + 24];
		size_t k = 0;
		if (!f[i].object) {
			k = (size_t)snprintf(part, sizeof(part), "[%zu]", f[i].index);
		} else if (f[i].key) {
			if (n)
				part[k++] = '.';
			for (size_t j = 0; j < f[i].key_len && j < KEY_SHOWN; j++) {
				unsigned char c = (unsigned char)f[i].key[j];
				part[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
			}
		}
		if (n + k + 4 > JSON_GUARD_PATH_MAX) {
			memcpy(path + n, "...", 4);
			return;
		}
		memcpy(path + n, part, k);
		path[n += k] = '\0';
	}
}

int json_guard(const char *text, char path[JSON_GUARD_PATH_MAX])
{
	frame f[JSON_MAX_DEPTH + 1];
	int depth = 0;
	bool in_str = false, is_key = false, str_nul = false, nul = false;
	const char *s = text;
	path[0] = '\0';
	f[0] = (frame){ 0 };
	/* strcspn skips what cannot matter: most of a message is inside strings */
	for (; *(s += strcspn(s, in_str ? "\\\"" : "\"[]{},/")); s++) {
		if (in_str) {
			if (*s == '\\' && s[1]) {
				str_nul |= nul_escape(s);
				s++; /* the escaped character, a quote or a backslash included */
				continue;
			}
			if (*s != '"')
				continue;
			in_str = false;
			if (is_key)
				f[depth].key_len = (size_t)(s - f[depth].key);
			if (str_nul && !nul)
				name_path(f, depth, path);
			nul |= str_nul;
			continue;
		}
		switch (*s) {
		case '"':
			in_str = true;
			str_nul = false;
			is_key = f[depth].object && f[depth].want_key;
			if (is_key)
				f[depth] = (frame){ .object = true, .key = s + 1 };
			break;
		case '/': {
			/* a comment, which yajl takes, is passed whole: a quote in
			 * one must not hide the brackets after it */
			const char *end = s[1] == '*' ? strstr(s + 2, "*/") : s[1] == '/' ? strchr(s + 2, '\n') : s;
			if (!end)
				return nul ? JSON_GUARD_NUL : 0; /* to the end of the text */
			s = s[1] == '*' ? end + 1 : end;
			break;
		}
		case '[':
		case '{':
			if (++depth > JSON_MAX_DEPTH)
				return JSON_GUARD_DEEP;
			f[depth] = (frame){ .object = *s == '{', .want_key = *s == '{' };
			break;
		case ',':
			f[depth].index++;
			f[depth].want_key = f[depth].object;
			break;
		default: /* ']' or '}'; closers before openers buy no depth */
			if (depth > 0)
				depth--;
		}
	}
	if (in_str && str_nul && !nul) { /* a string the text ends in: yajl refuses it too */
		if (is_key)
			f[depth].key_len = (size_t)(s - f[depth].key);
		name_path(f, depth, path);
		nul = true;
	}
	return nul ? JSON_GUARD_NUL : 0;
}
