/* The layer writer: a container's changes as an image-spec layer, a tar
 * changeset. Its source is an overlay upper directory, where a deleted
 * path is a 0/0 character device and a directory made anew is opaque; the
 * layer says the same with ".wh.NAME" and "DIR/.wh..wh..opq" files. The
 * build, commit and import share it. */
#pragma once
#include <stdint.h>
#include <sys/types.h>
#include "common/error.h"
#include "bundle/spec.h"
#include "images/digest.h"

/* The host ids of a container in a user namespace, as its bundle maps
 * them (bundle/spec.h: root, then the rest): its id container_id+N is host
 * id host_id+N for N < size. n 0: none (ids as they are). */
#define LAYER_MAPS_MAX 2
typedef struct layer_ids {
	struct oci_idmap uid[LAYER_MAPS_MAX], gid[LAYER_MAPS_MAX];
	unsigned n_uid, n_gid;
} layer_ids;

typedef struct layer_written {
	char diffid[DIGEST_STR_LEN]; /* the tar's digest, as written */
	uint64_t size;               /* its bytes */
	uint64_t entries;            /* its entries, whiteouts counted */
} layer_written;

/* Write the tar of the upper directory dirfd to out_fd. Symlinks are
 * never followed: a container owns what its upper directory holds, and
 * may change it while this reads. A host id no map holds becomes 65534.
 * Sockets and device nodes are left out, FIFOs kept. */
int layer_write_upper(int dirfd, const layer_ids *ids, int out_fd, layer_written *w, cerr *err);
/* Copy a tar (compressed or not) from in_fd to out_fd, decompressed,
 * at most max bytes: an import's layer as the store keeps it. */
int layer_write_stream(int in_fd, uint64_t max, int out_fd, layer_written *w, cerr *err);
