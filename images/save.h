/* corral image save: an image of the store written out as one archive, in
 * the forms `podman save` writes and skopeo, podman and corral load:
 *   docker-archive: manifest.json, the config as <hex>.json and each layer
 *                   uncompressed as <diff_id hex>.tar; several images
 *                   as `docker save a b` writes them (one manifest.json
 *                   entry per image, each layer once);
 *   oci-archive:    an OCI layout (oci-layout, index.json, blobs/sha256/)
 *                   holding the manifest, config and layer blobs as the
 *                   store has them, the name as its ref name; one
 *                   image only.
 * Every blob is checked against its digest again as it is written. */
#pragma once
#include "common/error.h"

#include <stddef.h>

enum save_format { SAVE_DOCKER_ARCHIVE, SAVE_OCI_ARCHIVE };

typedef struct save_opts {
	enum save_format format;
} save_opts;

/* An image to save, and the name to write (docker's RepoTags, OCI's ref
 * name); name NULL: the name ref is, none when ref is an ID. */
typedef struct save_ref {
	const char *ref;
	const char *name;
} save_ref;

/* "docker-archive" or "oci-archive" (also "docker", "oci"); -EINVAL else. */
int save_format_parse(const char *s, enum save_format *out);
/* Write the n images refs name (in root's view) to out_fd, each distinct
 * image once with all its names. */
int image_save(const char *store_root, const save_ref *refs, size_t n, const save_opts *o, int out_fd, cerr *err);
