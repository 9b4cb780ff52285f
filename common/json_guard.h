/* What json_parse refuses on the text itself, before yajl builds a tree:
 * nesting deeper than JSON_MAX_DEPTH (building and freeing a tree recurse
 * once per level), and a string that holds a NUL ("\u0000"), which yajl
 * decodes into the middle of a C string, so that "t/good\u0000:1" would be
 * read as "t/good". One pass over the text, as yajl takes it (comments
 * too); a NUL is named by the path of its string. */
#pragma once

#define JSON_GUARD_PATH_MAX 256

enum {
	JSON_GUARD_DEEP = 1, /* nested deeper than JSON_MAX_DEPTH, anywhere in the text */
	JSON_GUARD_NUL = 2,  /* a string holds a NUL, and nothing is nested too deep */
};

/* 0 when text (NUL-terminated) may go to yajl; else JSON_GUARD_DEEP, or
 * JSON_GUARD_NUL with path naming the first string that holds a NUL, as
 * json_get's faults name fields: "parameters.spec.env[2]" (a key as it is
 * written, up to 64 bytes of it, each byte that is not printable ASCII a
 * '?'); "" for a text that is one string. */
int json_guard(const char *text, char path[JSON_GUARD_PATH_MAX]);
