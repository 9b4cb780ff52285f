/* A new image from a parent image and one more layer: a container's
 * changes (commit, a build's RUN), files (a build's COPY), or a tar
 * stream (import). The layer is written by the layer writer into an OCI
 * layout in staging, with the parent's blobs linked beside it, and the
 * layout is imported as any other: verified, unpacked, its layers shared,
 * its names recorded for its owner. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "common/error.h"
#include "images/import.h"
#include "images/layer_write.h"

typedef struct commit_opts {
	const char *parent;     /* the parent's manifest digest, or NULL: from scratch */
	int upper_fd;           /* the changes: an overlay upper directory, or -1 */
	layer_ids ids;          /* its ids on the host */
	int tar_fd;             /* or a tar stream (gzip or not), or -1 */
	uint64_t tar_max;       /* the stream's bound, decompressed */
	bool empty_layer;       /* no layer at all: only the config changes */
	const char *config;     /* a patch of the "config" object (JSON): each key given
				 * replaces the parent's (ExposedPorts, Volumes and Labels:
				 * adds to its members), a null removes it; NULL: none */
	char *const *empty_steps; /* history: the steps before it that changed no
				   * file, each an empty layer's entry; or NULL */
	const char *created_by; /* history: what made it */
	const char *comment;    /* history: a message, or NULL */
	const char *author;     /* or NULL */
	import_opts imp;        /* name, owner, limits */
} commit_opts;

#define COMMIT_OPTS_INIT { .upper_fd = -1, .tar_fd = -1 }

int image_commit(const char *store_root, const commit_opts *o, import_result *res, cerr *err);
