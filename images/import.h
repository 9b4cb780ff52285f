/* corral image import: verify an image and unpack it into the store. */
#pragma once
#include <sys/types.h>
#include "common/error.h"
#include "images/digest.h"
#include "images/extract.h"

typedef struct import_opts {
	const char *name;      /* NAME[:TAG] to give the image, or NULL */
	uid_t owner;           /* whose name and image it is: 0 root, else a member (refs.h) */
	const char *platform;  /* "os/arch[/variant]", or NULL for the host's */
	extract_limits lim;
	bool no_sync;          /* skip syncfs before the image is recorded */
} import_opts;

typedef struct import_result {
	char id[DIGEST_STR_LEN];        /* the config digest */
	char manifest[DIGEST_STR_LEN];
	unsigned layers, layers_reused;
} import_result;

int image_import(const char *store_root, const char *spec, const import_opts *o, import_result *res, cerr *err);
