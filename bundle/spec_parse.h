/* spec_parse.c: config.json: the top level, root, mounts, hooks and
 * annotations. */
#pragma once
#include "bundle/spec.h"

/* Parse and validate a config.json text; errors name the JSON path. */
int spec_parse(const char *text, struct oci_spec **out, cerr *err);
/* The same from a file; parse errors are prefixed with its base name. */
int spec_load(const char *path, struct oci_spec **out, cerr *err);
void spec_free(struct oci_spec *s);
static inline void spec_freep(struct oci_spec **s) { spec_free(*s); }
#define _cleanup_spec_ __attribute__((cleanup(spec_freep)))
/* A process object alone, as `corral exec --process` reads it. */
int spec_process_load(const char *path, struct oci_process *out, cerr *err);
void spec_process_free(struct oci_process *p);
/* The value of an annotation, or NULL. */
const char *spec_annotation(const struct oci_spec *s, const char *key);
/* Set (add, or replace the value of) an annotation; 0 or -ENOMEM. */
int spec_set_annotation(struct oci_spec *s, const char *key, const char *value);
