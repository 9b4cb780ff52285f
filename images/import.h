/* corral image import: verify an image and unpack it into the store. */
#pragma once
#include <sys/types.h>
#include "common/error.h"
#include "images/digest.h"
#include "images/extract.h"

/* layers staged at once, at most */
#define IMPORT_PARALLEL_MAX 16

typedef struct import_opts {
	const char *name;      /* NAME[:TAG] to give the image, or NULL */
	uid_t owner;           /* whose name and image it is: 0 root, else a member (refs.h) */
	const char *platform;  /* "os/arch[/variant]", or NULL for the host's */
	extract_limits lim;
	bool no_sync;          /* skip syncfs before the image is recorded */
	unsigned parallel;     /* layers staged at once (0: one) */
	/* a pull (registry_pull.h): its registry's source stands in for SPEC
	 * (the caller's to close), and the image records where it came from,
	 * REPO@DIGEST */
	struct image_source *source;
	const char *repo_digest;
	char ***names_out;     /* if set: the source's own names it was given (not name), the caller's to free */
	/* a docker-archive of several images (`docker save a b`): each is
	 * imported (none picked by SPEC's REF), and names_out has each one's
	 * names, or its ID for one without; res is the last one's */
	bool every;
} import_opts;

typedef struct import_result {
	char id[DIGEST_STR_LEN];        /* the config digest */
	char manifest[DIGEST_STR_LEN];
	unsigned layers, layers_reused;
} import_result;

int image_import(const char *store_root, const char *spec, const import_opts *o, import_result *res, cerr *err);


/* corral-images' exit status when an import fails, so that corrald can
 * tell whose fault it was without reading the message: the source's (or
 * the request's), or the store's and the host's (images/cli/import_exit.c
 * picks it). */
enum { IMPORT_EXIT_SOURCE = 1, IMPORT_EXIT_HOST = 2 };
