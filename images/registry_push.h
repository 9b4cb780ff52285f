/* corral image push: an image of the store sent to a registry, as `podman
 * push` sends it: its layers and config (each only when the repository
 * lacks it, mounted from the repository it was pulled from when that is
 * on the same registry), then its manifest, byte for byte as the store
 * holds it, under the destination's tag. */
#pragma once
#include <stdint.h>
#include <stdio.h>
#include "common/error.h"
#include "images/digest.h"
#include "images/registry/conf.h"

typedef struct push_opts {
	const reg_conf *conf;
	const char *auth_json; /* containers-auth.json text, or NULL */
	/* "blob DIGEST DONE TOTAL STATE [FROM]" lines, STATE pushing, pushed,
	 * exists or mounted (FROM: the repository); or NULL */
	FILE *progress;
} push_opts;

typedef struct push_result {
	char ref[600];               /* DOMAIN/PATH:TAG pushed to */
	char digest[DIGEST_STR_LEN]; /* the manifest's */
	uint64_t size;               /* the manifest's bytes */
	unsigned requests;           /* HTTP requests made */
	uint64_t bytes;              /* blob bytes sent */
} push_result;

/* Push image (a name, ID or digest, in root's view of the store at
 * store_root) to dest, DOMAIN/PATH[:TAG] (":latest" when it has no tag). */
int image_push(const char *store_root, const char *image, const char *dest, const push_opts *o, push_result *res,
	       cerr *err);
