/* Which images an archive of several refs holds, as `docker save a b`
 * writes it: each distinct image (by its ID) once, in the order first
 * asked for, with every name it was asked by (each once). */
#pragma once
#include <stddef.h>

typedef struct save_entry {
	size_t first; /* the first ref of this image */
	char **names; /* NULL-ended; NULL when asked for by ID alone */
} save_entry;

/* The n refs' image IDs and names (names[i] NULL: none) into *out, *n_out
 * entries; -ENOMEM. */
int save_plan(const char *const *ids, const char *const *names, size_t n, save_entry **out, size_t *n_out);
void save_plan_free(save_entry *e, size_t n);
