/* NULL-terminated string vectors. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

void strv_free(char **v);
size_t strv_length(char *const *v);
/* Append s (taking ownership); -ENOMEM on failure (s is not freed). */
int strv_push(char ***v, char *s);
char **strv_copy(char *const *v);
/* The strings of v with sep between them; "" for none; NULL: no memory. */
char *strv_join(char *const *v, const char *sep);
/* Whether v (NULL: empty) holds s. */
bool strv_contains(char *const *v, const char *s);
