/* The push side of the distribution protocol (OCI distribution spec,
 * "Pushing"): a blob sent only when the repository lacks it (HEAD first),
 * mounted from another repository of the same registry where the registry
 * offers that, else uploaded whole (POST, then one PUT); and a manifest
 * put under a tag. The client must push (reg_client_pushes). */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "common/error.h"
#include "images/registry/registry_client.h"

enum reg_blob_how { REG_BLOB_EXISTS, REG_BLOB_MOUNTED, REG_BLOB_SENT };

typedef struct reg_blob {
	const char *digest;
	int fd;                 /* size bytes, from the start */
	uint64_t size;
	char *const *from;      /* paths of repositories on the same registry to mount from; or NULL */
	void (*sent)(uint64_t done, void *ctx); /* now and then while it uploads; or NULL */
	void *ctx;
	/* answered */
	enum reg_blob_how how;
	const char *mounted_from; /* one of from, when mounted */
} reg_blob;

/* Make blob b present in repository path of endpoint. */
int reg_push_blob(reg_client *c, const char *endpoint, const char *path, reg_blob *b, cerr *err);
/* PUT /v2/PATH/manifests/TAG: len bytes of body as media type type. The
 * registry's digest of it, when it says one, must be digest. */
int reg_put_manifest(reg_client *c, const char *endpoint, const char *path, const char *tag, const char *type,
		     const char *body, size_t len, const char *digest, cerr *err);
