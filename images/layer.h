/* Unpack one layer blob in a single streaming pass: the compressed bytes are
 * hashed (the blob digest) and copied to the store, decompressed by
 * libarchive, hashed again (the diff_id), bounded by the limits, and handed
 * to the tar reader whose entries are extracted safely. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "common/error.h"
#include "images/digest.h"
#include "images/extract.h"
#include "images/manifest.h"

typedef struct layer_extraction {
	int src_fd;                 /* the blob as the source holds it */
	int blob_out_fd;            /* its copy in staging, or -1 */
	int root_fd;                /* the empty staging layer directory */
	const char *what;           /* "layer sha256:..", for messages */
	const char *expect_digest;  /* NULL: computed (docker-archive) */
	int64_t expect_size;        /* -1: unknown */
	enum layer_comp expect_comp;/* COMP_UNKNOWN: any */
	const char *expect_diffid;
	extract_limits lim;
	/* results */
	char digest[DIGEST_STR_LEN];
	char diffid[DIGEST_STR_LEN];
	uint64_t size, usize, entries;
	enum layer_comp comp;
} layer_extraction;

int layer_unpack(layer_extraction *j, cerr *err);
