/* A Dockerfile's words as Docker's shell lexer reads them: split on
 * unquoted whitespace, then quotes removed and variables substituted
 * (ENV, ARG, LABEL, COPY, ADD, WORKDIR, USER, EXPOSE, VOLUME, STOPSIGNAL,
 * FROM). RUN, CMD and ENTRYPOINT are never expanded here: their shell does. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "common/error.h"

#define DF_EXPAND_MAX (1u << 20) /* bytes an expanded word may reach */
#define DF_EXPAND_DEPTH 64       /* ${a:-${b:-...}} nested at most this deep */

/* Whitespace as Docker's parser splits on it (ASCII's). */
static inline bool df_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* A variable's value, or NULL when it is not set ("" is set and empty). */
typedef const char *(*df_lookup_fn)(const char *name, void *ctx);

/* One word, processed: '...' literal; "..." with $ substitution and the
 * escape char escaping only " $ and itself; the escape char outside quotes
 * takes the next char literally (and is dropped at the end); $NAME,
 * ${NAME}, ${NAME:-word}, ${NAME:+word}, ${NAME:?word} and their colon-less
 * forms (which test set rather than set and non-empty), the word itself
 * expanded. An unset variable is empty; lookup may be NULL (nothing set).
 * $1, $@, $$ and the like name variables that are never set, as in Docker.
 * Errors are one line: "syntax error: missing '}'", "syntax error: bad
 * substitution", "unsupported modifier (#) in substitution", "a: is not
 * allowed to be unset", "unexpected end of statement while looking for
 * matching double-quote", "expansion longer than 1 MiB". */
int df_expand(const char *word, char escape, df_lookup_fn lookup, void *ctx, char **out, cerr *err);

/* The length of the word at text: up to unquoted, unescaped whitespace,
 * quotes and escapes kept. An unterminated quote runs to the end (df_expand
 * says what is wrong with it). */
size_t df_word_len(const char *text, char escape);

/* text split into such words (NULL-terminated, possibly empty, never NULL
 * on success). Only running out of memory fails. */
int df_split_words(const char *text, char escape, char ***words, cerr *err);
