/* The sources on disk: an OCI layout directory, an OCI archive, or a
 * docker-archive (legacy `docker save`, or moby >= 25 with an OCI index).
 * Archives are unpacked, files and directories only, into the import's
 * staging directory, and then read like a directory. Each is an
 * image_source (images/source/image_source.h). */
#pragma once
#include "common/error.h"
#include "images/extract.h"
#include "images/source/image_source.h"

enum src_kind { SRC_AUTO, SRC_OCI, SRC_OCI_ARCHIVE, SRC_DOCKER_ARCHIVE };

typedef struct img_source {
	enum src_kind kind;      /* as asked for */
	bool docker;             /* read through manifest.json */
	char *path;
	char *ref;               /* the optional ":REF", or NULL */
	int dirfd;               /* the layout, or the unpacked archive */
	image_source iface;      /* what the import reads it through */
} img_source;

/* Split "oci:PATH:REF"-style specs and detect the format. stage_fd is the
 * import's private staging directory (for archives). */
int source_open(img_source *src, const char *spec, int stage_fd, const extract_limits *lim, cerr *err);
void source_close(img_source *src);
