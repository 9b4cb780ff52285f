/* An image's config (image-spec "config.json"): its platform, its layers'
 * diff_ids and the run defaults a bundle is generated from. images/ parses
 * and verifies it (images/manifest.h); bundle/ reads it (from_image.h), so
 * the type lives here, below both. */
#pragma once
#include <stddef.h>

typedef struct img_label {
	char *key, *val;
} img_label;

typedef struct img_config {
	char *os, *arch, *variant;
	char **diff_ids;                /* NULL-terminated */
	size_t n_diff_ids;
	/* from "config" (the run defaults); NULL when absent */
	char **entrypoint, **cmd, **env;
	char *workdir, *user, *stop_signal;
	char *healthcheck;              /* "Healthcheck", as JSON text (supervisor/daemon/health) */
	char **volumes;                 /* "Volumes"' paths: each an anonymous volume, as docker makes */
	img_label *labels;
	size_t n_labels;
} img_config;

/* Frees the members and zeroes c; a zeroed config is a valid argument. */
void img_config_free(img_config *c);
