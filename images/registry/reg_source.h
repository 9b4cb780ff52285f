/* A registry as an image source (images/source/image_source.h): the
 * manifest found for the reference stands in for index.json, and the
 * blobs are fetched as the import asks for them. Layers stream from the
 * registry to the importer's unpacker, several at once, without a
 * temporary file; each is kept in the owner's ingest directory while it
 * arrives, under a lock, so two pulls fetch a layer once and a pull cut
 * off (or killed) goes on where it stopped. The source's commit moves each
 * verified layer's ingest file into the store's blobs. */
#pragma once
#include <stdint.h>
#include <stdio.h>
#include "common/error.h"
#include "images/registry/registry_client.h"
#include "images/source/image_source.h"

typedef struct regsrc_params {
	reg_client *client;
	const char *endpoint, *path; /* where the manifest was found: the registry or a mirror */
	/* the manifest asked for, verified, and its media type */
	const char *top, *top_type, *top_digest;
	size_t top_len;
	size_t max_json;        /* the largest manifest or small blob to fetch */
	const char *store_root; /* named in errors */
	int ingest_fd;          /* the owner's ingest directory */
	uint64_t max_ingest;    /* the owner's ingest quota, bytes; 0: none */
	FILE *progress;         /* "layer DIGEST DONE TOTAL" lines, or NULL */
} regsrc_params;

/* The parameters are borrowed until the source is closed (its close
 * member), which unlocks its ingest files. */
int regsrc_open(const regsrc_params *p, image_source **out, cerr *err);

