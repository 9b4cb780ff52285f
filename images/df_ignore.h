/* df_ignore.c: Reading a .dockerignore as Docker's ReadAll does: the
 * patterns, cleaned; matching them is df_match.c's. */
#pragma once
#include "images/df_match.h"

/* err: ".dockerignore:LINE: bad pattern \"[a\"", "...: illegal exclusion
 * pattern: \"!\"". A segment that is "**" matches any number of
 * directories, none too; as the last segment, one or more (so that for
 * "a" then "**" the directory a itself is kept). Inside a segment "**" is
 * '*', but a pattern that starts with "**x" is read as "**", then "*x", as
 * Docker has it ("**.go" is every .go file). */
int df_ignore_parse(const char *text, size_t len, df_ignore *ig, cerr *err);
void df_ignore_release(df_ignore *ig);
