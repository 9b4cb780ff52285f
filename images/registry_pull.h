/* corral image pull: an image from a registry, verified and unpacked into
 * the store as import does with files. The registry is a source like an
 * OCI layout (images/registry/reg_source.h): the manifest it sends
 * (verified against the digest asked for, or the one it names) stands in
 * for index.json, and its blobs are fetched as import asks for them. A
 * layer enters the store only once its blob digest and diff_id are
 * verified. */
#pragma once
#include <stdint.h>
#include <stdio.h>
#include "common/error.h"
#include "images/digest.h"
#include "images/import.h"
#include "images/registry/registry_client.h"
#include "images/registry/conf.h"

#define PULL_PARALLEL_DEFAULT 3
#define PULL_PARALLEL_MAX IMPORT_PARALLEL_MAX

typedef struct pull_opts {
	const reg_conf *conf;
	const char *auth_json;  /* containers-auth.json text, or NULL */
	unsigned parallel;      /* layers at once */
	FILE *progress;         /* "layer DIGEST DONE TOTAL" lines, or NULL */
	const char *trusted_keys; /* a cosign signature that a key here verifies is required; NULL: none */
	uint64_t max_ingest;    /* bytes the owner may keep in ingest, this pull's included; 0: no limit */
	import_opts io;         /* owner, platform, limits; io.name is set here */
} pull_opts;

typedef struct pull_result {
	import_result imp;
	char ref[600];                    /* what was pulled: DOMAIN/PATH[:TAG][@DIGEST] */
	char repo_digest[DIGEST_STR_LEN]; /* the registry's digest of it */
	unsigned requests;                /* HTTP requests made */
	uint64_t bytes;                   /* blob bytes received */
} pull_result;

#define INGEST_MAX_AGE (24 * 3600)
/* Remove the ingest files older than max_age seconds that no pull holds,
 * of every owner (what failed pulls left, past any quota); the count. */
unsigned ingest_sweep(const char *store_root, unsigned max_age, cerr *err);

int image_pull(const char *store_root, const char *ref, const pull_opts *o, pull_result *res, cerr *err);

