/* Sizes as people write them: "4096", "10M", "2KiB", "1G". */
#pragma once
#include <stddef.h>

/* -EINVAL when not a size, -ERANGE when too big. */
int parse_size(const char *s, size_t *out);
