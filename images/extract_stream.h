/* A tar that arrives in pieces (a client's stream), unpacked entry by
 * entry with extract.h's safety into a directory: CopyTo's copy into a
 * container, and a build's context. */
#pragma once
#include <stdbool.h>
#include "common/error.h"
#include "images/extract.h"

/* The next piece in *out (valid until the next call): its size, 0 at the
 * end, or -errno with err set. */
typedef long (*extract_next_fn)(void *ctx, const void **out, cerr *err);

/* Unpack the tar (gzip, zstd or none: decompressed) that next brings into
 * rootfd, below under (""), in mode, keep_kinds as extract_ctx has it (what
 * names it in messages), its files' bytes bounded, decompressed, by lim's
 * max_bytes (NULL: the defaults, LIMIT_LAYER_BYTES_DEFAULT); then read what
 * is left of the stream to its end, as a client that waits for our answer
 * only once it has sent everything expects. */
int extract_stream(int rootfd, const char *under, enum extract_mode mode, bool keep_kinds, const extract_limits *lim,
		   const char *what, extract_next_fn next, void *ctx, cerr *err);
