/* A pull's registry source, shared by pull.c and pull_ingest.c. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "images/digest.h"
#include "images/manifest.h"
#include "images/registry/registry_client.h"
#include "images/registry/reference.h"

struct reg_source {
	reg_client *client;
	char endpoint[REF_NAME_MAX + 1], path[REF_NAME_MAX + 1];
	char *top;
	size_t top_len;
	char top_type[128];
	char top_digest[DIGEST_STR_LEN];
	int ingest_fd;
	uint64_t max_ingest; /* the owner's ingest quota, bytes; 0: none */
	FILE *progress;
	/* the layers' ingest files, locked for the whole pull (pull_ingest.c) */
	struct ingest {
		char digest[DIGEST_STR_LEN];
		int fd;
		bool staged; /* whole and verified: the store's blob at commit */
	} ing[IMG_MAX_LAYERS];
	size_t n_ing;
};

/* The ingest file of digest, locked; NULL when the pull locked none. */
struct ingest *ingest_of(reg_source *rs, const char *digest);
