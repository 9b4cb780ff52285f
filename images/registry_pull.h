/* corral image pull: an image from a registry, verified and unpacked into
 * the store as import does with files. The registry is a source like an
 * OCI layout: the manifest it sends (verified against the digest asked
 * for, or the one it names) stands in for index.json, and its blobs are
 * fetched as import asks for them. Layers stream from the registry through
 * hash, decompression and safe extraction, several at once, without a
 * temporary file; each layer is kept in images/ingest/<hex> while it
 * arrives, under a lock, so two pulls fetch a layer once and a pull cut
 * off (or killed) goes on where it stopped. A layer enters the store only
 * once its blob digest and diff_id are verified. */
#pragma once
#include <stdint.h>
#include <stdio.h>
#include "common/error.h"
#include "images/digest.h"
#include "images/import.h"
#include "images/registry/registry_client.h"
#include "images/registry/conf.h"

#define PULL_PARALLEL_DEFAULT 3
#define PULL_PARALLEL_MAX 16

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

/* The registry side of an import (source.c and import.c call these). */
typedef struct reg_source reg_source;
struct imp;
struct img_desc;
struct img_manifest;
/* index.json: one descriptor, of the manifest the registry sent. */
int regsrc_open_path(reg_source *rs, const char *path);
/* A manifest (the top one from memory) or a small blob, as a memfd. */
int regsrc_open_manifest(reg_source *rs, const char *digest);
int regsrc_open_blob(reg_source *rs, const char *digest);
/* Stop the transfers of a pull whose other part failed. */
void regsrc_cancel(reg_source *rs);
/* Lock the ingest files of the image's layers, in the order of their
 * digests (so that pulls sharing layers never wait on each other in a
 * circle), for the whole pull: a second pull of a layer waits, and then
 * finds it in the store. Refused (EDQUOT) when what the owner keeps in
 * ingest and what this pull may still fetch pass max_ingest. */
int regsrc_lock_layers(reg_source *rs, const struct img_manifest *man, cerr *err);
/* After the import's commit: each staged layer's blob, its ingest file,
 * into the store's blobs. */
int regsrc_commit(reg_source *rs, int blobs_fd, cerr *err);
/* Unlock; an empty ingest file goes. */
void regsrc_unlock(reg_source *rs);
/* Fetch, verify and unpack one layer into staging (several threads at once). */
int regsrc_stage_layer(struct imp *m, const struct img_desc *l, const char *diffid, cerr *err);
