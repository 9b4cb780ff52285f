/* What an import reads an image from, whatever it is: an OCI layout or an
 * archive on disk (images/local_source.c), or a registry
 * (images/registry/reg_source.c). The import calls only these; whoever
 * opens a source closes it. A NULL member is one the source does without. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/error.h"

/* A layer as the image's manifest names it. */
typedef struct src_layer {
	const char *digest;
	uint64_t size;
} src_layer;

/* The import's unpacker: one layer's bytes, read from fd, into staging. */
typedef int (*src_unpack_fn)(void *ctx, int fd, cerr *err);

typedef struct image_source {
	void *state;
	const char *ref;  /* the image asked for in the source (":REF"), or NULL */
	bool docker;      /* read through manifest.json (a docker-archive) */
	bool keeps_blobs; /* the source keeps its layers' blobs, and gives them to the store at commit */
	/* A manifest or an index, or a blob of the source: fd or -errno. The
	 * digest is well-formed; the import verifies what it reads. */
	int (*open_manifest)(void *state, const char *digest);
	int (*open_blob)(void *state, const char *digest);
	/* A file by its path in the source (index.json, manifest.json...). */
	int (*open_path)(void *state, const char *path);
	/* Before the first layer is staged, with all of the image's. */
	int (*begin_layers)(void *state, const src_layer *layers, size_t n, cerr *err);
	/* Feed one layer to unpack (from several threads at once). NULL: the
	 * import unpacks open_blob's. */
	int (*stage_layer)(void *state, const src_layer *l, src_unpack_fn unpack, void *ctx, cerr *err);
	/* Whether the source would serve this blob, without reading it. */
	bool (*serves_blob)(void *state, const char *digest);
	/* Stop the transfers of an import whose other part failed. */
	void (*cancel)(void *state);
	/* After the import's commit, before the image is recorded: the blobs
	 * the source kept, into the store's blobs_fd. */
	int (*commit)(void *state, int blobs_fd, cerr *err);
	void (*close)(void *state);
} image_source;
