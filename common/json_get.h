/* Typed members of JSON from outside, one family for every parser of it:
 * config.json (bundle/), linux.resources (cgroups/), varlink parameters and
 * the ContainerSpec (supervisor/). A wrong value is a json_fault: the JSON
 * path of the value and the reason, apart. A parser chains them into its
 * error as "path: reason"; a varlink method sends them as the parameter and
 * reason of InvalidParameter. An explicit null is absent.
 *
 * Every getter takes the object, the path of that object ("" at the top),
 * the member's key and flags, and returns 0 or -errno with *f filled. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>
#include "error.h"

#define JSON_PATH_MAX 256
#define JSON_REASON_MAX 256
#define JSON_STR_MAX 4096 /* the bound of JSON_BOUNDED */
#define JSON_NAME_MAX 256 /* JSON_NAME's bound: the longest name corrald has (a session state's key) */
#define JSON_REF_NAME_MAX 255 /* JSON_REF's bound of a reference's name, as distribution has it */
#define JSON_REF_MAX (JSON_REF_NAME_MAX + 1 + 128 + 1 + 71) /* JSON_REF's: NAME:TAG@sha256:HEX */

typedef struct json_fault {
	int code;                     /* positive errno; 0 while nothing is wrong */
	char field[JSON_PATH_MAX];    /* "process.user.uid", "spec.mounts[1].source" */
	char reason[JSON_REASON_MAX]; /* "must be a string, not number" */
	cerr *chain;                  /* when set, it gets "field: reason" too */
} json_fault;

/* A fault that fills err as well, for parsers whose errors are chains. */
#define JSON_FAULT_CHAIN(err) ((json_fault){ .chain = (err) })

enum {
	JSON_REQUIRED = 1 << 0, /* absent: "is required" */
	JSON_NONEMPTY = 1 << 1, /* "" or []: "must not be empty" */
	JSON_BOUNDED = 1 << 2,  /* a string longer than JSON_STR_MAX: "longer than 4096 bytes" */
	JSON_NAME = 1 << 3,     /* a name: json_name_check, at most JSON_NAME_MAX bytes */
	JSON_REF = 1 << 4,      /* an image's name, reference or id: json_name_check as a reference */
	JSON_KEY = 1 << 5,      /* json_name_check's alone: the name is a key of the object at field */
};

/* The one check of a string from outside that names something (a
 * container, an image, a registry, a secret, a session, a key...): no
 * control byte (U+0001-U+001F, U+007F; json_parse refused a NUL already)
 * and at most max bytes; with JSON_REF in flags, an image reference, whose
 * name (before its tag or digest) is at most JSON_REF_NAME_MAX bytes. 0,
 * or -EINVAL or -E2BIG with f at field: "holds a control byte (0x0a)", "is
 * 300 bytes, more than 255" (with JSON_KEY, "a key holds ...": field is
 * the object's, a key is not shown). A name's own rules (its characters)
 * come after it. */
int json_name_check(const char *s, size_t max, unsigned flags, const char *field, json_fault *f);

/* What is wrong, and where (field is a whole path); returns -code. */
int json_fault_set(json_fault *f, int code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same fault in an interface's own words: a new reason, the same field. */
int json_fault_reword(json_fault *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* ENOMEM, "out of memory", at no field. */
int json_fault_oom(json_fault *f);

/* The member key of obj: NULL when obj is no object, or key is absent or null. */
yajl_val json_key(yajl_val obj, const char *key);
/* "parent.key", or "key" when parent is "", into buf; returns buf. */
const char *json_path(char buf[JSON_PATH_MAX], const char *parent, const char *key);
/* "parent[i]" into buf; returns buf. */
const char *json_path_idx(char buf[JSON_PATH_MAX], const char *parent, size_t i);

/* v must have type t (yajl_t_true for a boolean): "must be a string, not number". */
int json_want(yajl_val v, yajl_type t, const char *path, json_fault *f);
/* Every member of obj is one of known (NULL-terminated); the first that is
 * not is the fault, with the reason given ("unknown field"). */
int json_check_keys(yajl_val obj, const char *parent, const char *const *known, const char *reason,
		    json_fault *f);

/* A string in the tree; *out is NULL when absent. JSON_NAME or JSON_REF:
 * json_name_check'd. */
int json_get_str(yajl_val obj, const char *parent, const char *key, unsigned flags, const char **out,
		 json_fault *f);
/* A copy of it, which replaces *out; absent leaves *out as it was. */
int json_dup_str(yajl_val obj, const char *parent, const char *key, unsigned flags, char **out, json_fault *f);
/* Absent leaves *out as it was; *present (may be NULL) says whether it was given. */
int json_get_bool(yajl_val obj, const char *parent, const char *key, unsigned flags, bool *out, bool *present,
		  json_fault *f);

/* Integers that must fit a C type: "must be a number, not string",
 * "-1 is not an integer in [0, 4294967295]", "-2 is not an unsigned 64-bit
 * integer". Absent leaves *out as it was. */
int json_get_u32(yajl_val obj, const char *parent, const char *key, unsigned flags, uint32_t *out, bool *present,
		 json_fault *f);
int json_get_i64(yajl_val obj, const char *parent, const char *key, unsigned flags, int64_t *out, bool *present,
		 json_fault *f);
int json_get_u64(yajl_val obj, const char *parent, const char *key, unsigned flags, uint64_t *out, bool *present,
		 json_fault *f);
/* Integers within the bounds of what they mean: "must be an integer" (or
 * "must be a non-negative integer"), then "5 is out of range [10, 1000]".
 * Absent leaves *out as it was. */
int json_get_int_in(yajl_val obj, const char *parent, const char *key, unsigned flags, long long min, long long max,
		    long long *out, bool *present, json_fault *f);
int json_get_uint_in(yajl_val obj, const char *parent, const char *key, unsigned flags, uint64_t min, uint64_t max,
		     uint64_t *out, bool *present, json_fault *f);

/* An array of strings, copied; it replaces *out, and absent leaves *out.
 * JSON_NAME or JSON_REF: each json_name_check'd ("names[1]"). */
int json_get_strv(yajl_val obj, const char *parent, const char *key, unsigned flags, char ***out, bool *present,
		  json_fault *f);
/* Members that must be an object, or an array of at most max entries
 * ("more than 64 entries"); *out is NULL when absent. */
int json_get_object(yajl_val obj, const char *parent, const char *key, unsigned flags, yajl_val *out,
		    json_fault *f);
int json_get_array(yajl_val obj, const char *parent, const char *key, unsigned flags, size_t max, yajl_val *out,
		   json_fault *f);
