/* Which files of a build context a pattern names: COPY and ADD's wildcard
 * sources, and the .dockerignore. Paths are '/'-separated and relative to
 * the context, with no leading "/" or "./". */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "common/error.h"

#define DF_IGNORE_MAX (1u << 20) /* bytes of a .dockerignore */

/* Go's filepath.Match: '*' any run of chars but '/', '?' one char but '/',
 * [a-z0-9] and [!x] or [^x] one char (never '/'), '\\' takes the next char
 * literally. A malformed pattern ("[a", "[]", "a\\") matches nothing. */
bool df_glob_match(const char *pattern, const char *path);
/* Whether pattern is well formed, as Go's ErrBadPattern has it. */
bool df_glob_valid(const char *pattern);
/* Whether pattern holds a wildcard or an escape ('*', '?', '[', '\\'),
 * so that a COPY source names files by matching rather than one path. */
bool df_glob_has_magic(const char *pattern);

/* A .dockerignore, read as Docker reads it: one pattern a line; a line
 * that starts with '#' (in its first column) is a comment; each pattern
 * trimmed and cleaned as a path ("./a//b/../c" is "a/c"; a leading "/"
 * dropped); "!" before a pattern re-includes what it matches. */
typedef struct df_ignore {
	char **patterns; /* cleaned, without their "!"; NULL-terminated (NULL when n is 0) */
	bool *negate;
	size_t n;
} df_ignore;

/* Whether path is left out of the context: the last pattern that matches
 * it, or a directory above it ("a" matches "a/b/c"), is not a "!" one. */
bool df_ignore_excluded(const df_ignore *ig, const char *path);
/* Whether an excluded directory is searched all the same, as Docker's
 * context walk does it: when an exception's pattern begins with dir and a
 * '/' ("!d/keep" for d). Its files are then each excluded or not. */
bool df_ignore_searched(const df_ignore *ig, const char *dir);
