/* Parsers for image metadata taken from outside: OCI index, OCI and Docker
 * manifests, image configs, and docker-archive manifest.json. Each parser
 * checks types, bounds and digests; nothing here touches the filesystem. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "bundle/image_config.h"
#include "common/error.h"
#include "images/digest.h"

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"

/* Bounds on metadata from outside. */
#define IMG_MAX_JSON (4u << 20)     /* index, manifest, config blobs */
#define IMG_MAX_INDEX_ENTRIES 1024
#define IMG_MAX_LAYERS 256
#define IMG_MAX_INDEX_DEPTH 4

enum layer_comp { COMP_UNKNOWN = -1, COMP_NONE = 0, COMP_GZIP, COMP_ZSTD };

typedef struct img_desc {
	char *media_type;               /* may be NULL when absent */
	char digest[DIGEST_STR_LEN];
	uint64_t size;
	char *os, *arch, *variant;      /* platform, when given */
	char *ref_name;                 /* org.opencontainers.image.ref.name */
	char *image_name;               /* io.containerd.image.name */
} img_desc;

typedef struct img_index {
	char *media_type;
	img_desc *m;
	size_t n;
} img_index;

typedef struct img_manifest {
	char *media_type;
	img_desc config;
	img_desc *layers;
	size_t n_layers;
} img_manifest;

typedef struct docker_entry {
	char *config;                   /* a path inside the archive */
	char **repo_tags;               /* NULL-terminated, maybe empty */
	char **layers;                  /* paths inside the archive */
	size_t n_layers;
} docker_entry;

typedef struct docker_manifest {
	docker_entry *e;
	size_t n;
} docker_manifest;

/* Parsers take NUL-terminated text; `what` names the input in errors. */
int index_parse(const char *text, const char *what, img_index *out, cerr *err);
int manifest_parse(const char *text, const char *what, img_manifest *out, cerr *err);
/* The image config; its type, and img_config_free, are bundle/image_config.h. */
int img_config_parse(const char *text, const char *what, img_config *out, cerr *err);
int docker_manifest_parse(const char *text, const char *what, docker_manifest *out, cerr *err);
void index_free(img_index *x);
void manifest_free(img_manifest *m);
void docker_manifest_free(docker_manifest *d);

bool mt_is_index(const char *mt);
bool mt_is_manifest(const char *mt);
bool mt_is_config(const char *mt);
/* The compression a layer media type declares, or COMP_UNKNOWN. */
enum layer_comp mt_layer_comp(const char *mt);
const char *comp_name(enum layer_comp c);

/* The host platform in image-spec terms ("linux", "amd64", variant or ""). */
void host_platform(const char **os, const char **arch, const char **variant);
/* Does desc/config (os, arch, variant) satisfy the wanted platform? A NULL
 * wanted variant matches any variant. */
bool platform_match(const char *os, const char *arch, const char *variant,
		    const char *want_os, const char *want_arch, const char *want_variant);
