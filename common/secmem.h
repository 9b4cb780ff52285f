/* Memory for clear secret values: kept out of core dumps (MADV_DONTDUMP),
 * locked when the limit allows, and wiped before it is given back. */
#pragma once
#include <stddef.h>

typedef struct secbuf {
	unsigned char *p;
	size_t len, cap;
} secbuf;

/* cap bytes (at least one page), len 0; -errno on failure. */
int secbuf_alloc(secbuf *b, size_t cap);
/* Wipe and unmap; b is empty after. */
void secbuf_release(secbuf *b);
