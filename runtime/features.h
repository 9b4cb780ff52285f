/* The runtime-spec features document: what this build implements. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

/* The document as JSON, or NULL when out of memory; the caller frees it.
 * rootless: as it is for an unprivileged caller, which cannot idmap a
 * mount or move a host's network device, and has a cgroup only where one
 * is delegated to it. cache_dir: where what criu says is remembered (the
 * state root), or NULL. */
char *features_json(bool rootless, const char *cache_dir);
/* The controllers a node needs that cgroup v2 lacks here, and why
 * ("" when none is missing). */
void features_missing_controllers(char *out, size_t len);
