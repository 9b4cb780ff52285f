/* The fuzzer's bytes as a NUL-terminated text (embedded NULs kept), for
 * the parsers that take one; NULL when out of memory. The caller frees it. */
#pragma once
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *t = malloc(size + 1);
	if (t) {
		memcpy(t, data, size);
		t[size] = '\0';
	}
	return t;
}
