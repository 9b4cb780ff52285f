/* A registry source's state, shared by reg_source.c (its blobs),
 * reg_layer.c (its layers) and reg_ingest.c (their ingest files). */
#pragma once
#include <stdbool.h>
#include "images/registry/reference.h"
#include "images/registry/reg_source.h"

typedef struct reg_source {
	image_source iface;
	regsrc_params p;
	/* the layers' ingest files, locked for the whole pull (reg_ingest.c) */
	struct ingest {
		char digest[REF_DIGEST_LEN];
		int fd;
		bool staged; /* whole and verified: the store's blob at commit */
	} *ing;
	size_t n_ing;
} reg_source;

/* The hex of a "sha256:<hex>" digest: an ingest file's name. */
static inline const char *regsrc_hex(const char *digest) { return digest + 7; }
