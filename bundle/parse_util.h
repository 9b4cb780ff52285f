/* Typed field readers for the config parser. Each names the JSON path of a
 * wrong value; `path` is the path of the containing object ("" for root). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"

#define JPATH_MAX 256
/* Build "parent.key" or "key" into buf. */
const char *jpath(char buf[JPATH_MAX], const char *parent, const char *key);
/* Build "parent[i]" into buf. */
const char *jpath_idx(char buf[JPATH_MAX], const char *parent, size_t i);

int json_want_type(yajl_val v, yajl_type t, const char *path, cerr *err);
/* Optional members: absent (or null) leaves *out untouched and returns 0. */
int get_string(yajl_val obj, const char *parent, const char *key, bool required, char **out, cerr *err);
int get_bool(yajl_val obj, const char *parent, const char *key, bool *out, bool *present, cerr *err);
int get_u32(yajl_val obj, const char *parent, const char *key, bool required, uint32_t *out, bool *present, cerr *err);
int get_i64(yajl_val obj, const char *parent, const char *key, bool required, int64_t *out, bool *present, cerr *err);
int get_u64(yajl_val obj, const char *parent, const char *key, bool required, uint64_t *out, bool *present, cerr *err);
/* Array of strings; *present tells whether the key was there. */
int get_strv(yajl_val obj, const char *parent, const char *key, char ***out, bool *present, cerr *err);
/* An object member that must be an object if present; NULL if absent. */
int get_object(yajl_val obj, const char *parent, const char *key, yajl_val *out, cerr *err);
int get_array(yajl_val obj, const char *parent, const char *key, yajl_val *out, cerr *err);
