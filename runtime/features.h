/* The runtime-spec features document: what this build implements. */
#pragma once
#include <stddef.h>

/* The document as JSON, or NULL when out of memory; the caller frees it. */
char *features_json(void);
/* The controllers a node needs that cgroup v2 lacks here, and why
 * ("" when none is missing). */
void features_missing_controllers(char *out, size_t len);
