/* One import's state, shared by the files that carry it out: import.c
 * reads the source and records the image, import_stage.c opens its blobs
 * and stages them and its layers. */
#pragma once
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "images/import.h"
#include "images/layer.h"
#include "images/manifest.h"
#include "images/local_source.h"
#include "images/store.h"

typedef struct imp {
	img_store *s;
	image_source *src;     /* local, or the caller's (o->source) */
	img_source local;      /* SPEC's, when o->source is NULL */
	const import_opts *o;
	int stage_fd, blobs_fd, layers_fd;
	const char *os, *arch, *variant;
	bool explicit_platform;
	char **names;
	pthread_mutex_t mu;    /* layers are staged by several threads */
	char manifest_digest[DIGEST_STR_LEN];
	char config_digest[DIGEST_STR_LEN];
	unsigned layers, reused;
	/* o->every: the docker-archive's image being imported, of count */
	size_t at, count;
	/* layers staged by this import, for images that repeat a layer */
	struct staged {
		char diffid[DIGEST_STR_LEN], digest[DIGEST_STR_LEN];
		uint64_t size;
		enum layer_comp comp;
	} staged[IMG_MAX_LAYERS];
	size_t n_staged;
} imp;

