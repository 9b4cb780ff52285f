/* corral image save: an image of the store written out as one archive, in
 * the forms `podman save` writes and skopeo, podman and corral load:
 *   docker-archive: manifest.json, the config as <hex>.json and each layer
 *                   uncompressed as <diff_id hex>.tar;
 *   oci-archive:    an OCI layout (oci-layout, index.json, blobs/sha256/)
 *                   holding the manifest, config and layer blobs as the
 *                   store has them, the name as its ref name.
 * Every blob is checked against its digest again as it is written. */
#pragma once
#include "common/error.h"

enum save_format { SAVE_DOCKER_ARCHIVE, SAVE_OCI_ARCHIVE };

typedef struct save_opts {
	enum save_format format;
	/* the name to write (docker's RepoTags, OCI's ref name); NULL: the
	 * name ref is, none when ref is an ID */
	const char *name;
} save_opts;

/* "docker-archive" or "oci-archive" (also "docker", "oci"); -EINVAL else. */
int save_format_parse(const char *s, enum save_format *out);
/* Write the image ref names (in root's view) to out_fd. */
int image_save(const char *store_root, const char *ref, const save_opts *o, int out_fd, cerr *err);
