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

/* How a stream's entries land: mode, and keep_kinds, chown, uid and gid
 * as extract_ctx has them; lim bounds its files' bytes, decompressed, by
 * its max_bytes (NULL: the defaults, LIMIT_LAYER_BYTES_DEFAULT). */
typedef struct extract_how {
	enum extract_mode mode;
	bool keep_kinds, chown;
	bool unpadded_end; /* extract_ctx's */
	uint32_t uid, gid;
	const extract_limits *lim;
} extract_how;

/* Unpack the tar (gzip, zstd or none: decompressed) that next brings into
 * rootfd, below under (""), as how says (what names it in messages); then
 * read what is left of the stream to its end, as a client that waits for
 * our answer only once it has sent everything expects. */
int extract_stream(int rootfd, const char *under, const extract_how *how, const char *what, extract_next_fn next,
		   void *ctx, cerr *err);
