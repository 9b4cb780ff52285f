/* A member's JSON text as it stands in a message, found without a tree: a
 * value that is passed on (a broker message's data) is copied as it came
 * rather than rebuilt from a parsed tree and generated again. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

/* In text (len bytes), the value at text.outer.inner as json_get finds it
 * (the last duplicate key wins), read with json_scan. Its span only when it
 * is plain: no space outside strings and no escape, so that it is byte for
 * byte what yajl_gen would write from the parsed tree. Returns false when
 * it is absent, not plain, or the scan declines the text (a key with an
 * escape, a comment): the caller then generates it from the tree. */
bool json_span(const char *text, size_t len, const char *outer, const char *inner, const char **span,
	       size_t *span_len);
