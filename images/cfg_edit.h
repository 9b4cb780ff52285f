/* An image's run defaults as Dockerfile instructions change them (a
 * build's stage, a commit's changes), and the patch of its config that
 * says what they changed (images/commit.h): each key set, in Docker's
 * names, and the members of ExposedPorts, Volumes and Labels, which
 * corral-images merges into the image's. */
#pragma once
#include <stdbool.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "images/df_expand.h"
#include "images/dockerfile.h"

/* What one config may hold (its Env, the patch and the merged members):
 * a commit's changes are applied in corrald's loop, and ENV's expansions
 * could grow it without bound; past either, the change fails with E2BIG */
#define CFG_EDIT_MAX_BYTES (1u << 20)
#define CFG_EDIT_MAX_ENTRIES 4096

typedef struct cfg_edit {
	char **env;     /* KEY=VALUE */
	char *workdir;  /* "" for none */
	char *user;     /* "" for none */
	char **shell;   /* RUN's shell form: ["/bin/sh", "-c"] unless SHELL says */
	char **patch_keys;
	char **patch_values; /* each key's JSON value */
	/* members of object-valued keys, merged into the image's: "KEY\nMEMBER" */
	char **merge_keys;
	char **merge_values;
	bool dirty;          /* set since the last commit */
	size_t bytes, entries; /* of env, the patch and the merges */
} cfg_edit;

void cfg_edit_release(cfg_edit *c);
int cfg_edit_copy(cfg_edit *to, const cfg_edit *from);
/* From an image's config object: Docker's keys (Env, WorkingDir, User),
 * or with inspect ImageInspect's (env, workingDir, user). */
int cfg_edit_from_image(cfg_edit *c, yajl_val config, bool inspect);
/* Each of these: 0, -ENOMEM, or -E2BIG past CFG_EDIT_MAX_*. */
/* key's value in the patch (JSON text), replacing what it had. */
int cfg_edit_set(cfg_edit *c, const char *key, const char *json);
/* A member of an object-valued key (ExposedPorts, Volumes, Labels), which
 * corral-images merges into the image's. */
int cfg_edit_merge(cfg_edit *c, const char *key, const char *subkey, const char *json);
/* The patch as a JSON object, or NULL when out of memory. */
char *cfg_edit_patch(const cfg_edit *c);
const char *cfg_env_get(const cfg_edit *c, const char *name);
int cfg_env_set(cfg_edit *c, const char *name, const char *value);
