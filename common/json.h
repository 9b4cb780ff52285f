/* Small helpers over yajl: bounded tree parsing, typed lookups, generation. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "error.h"
#include "json_guard.h"

#define JSON_MAX_DEPTH 64

/* Parse text (NUL-terminated); errors start with `what` (a file name) when
 * it is not NULL. Text nested deeper than JSON_MAX_DEPTH is refused before
 * any of it is built, and a string that holds a NUL ("\u0000", which
 * would cut its C string) with -EILSEQ and its path ("x.json:
 * process.env[2]: holds a NUL (\u0000)"), so every JSON from outside goes
 * through here. */
int json_parse(const char *text, const char *what, yajl_val *out, cerr *err);
/* The same, for a caller that answers a NUL itself (the varlink server,
 * with InvalidParameter): it is refused all the same, with -EILSEQ, but
 * the tree is built and left in *out (free it), and nul_path (json_guard.h,
 * "" when none) names the string, which the tree holds cut at its NUL. */
int json_parse_nul(const char *text, const char *what, yajl_val *out, char nul_path[JSON_GUARD_PATH_MAX],
		   cerr *err);
/* A line of JSON (n bytes, no NUL after them), as a progress stream
 * sends it: its tree, or NULL when it is none (its error unsaid). */
yajl_val json_parse_line(const char *line, size_t n);
/* read_file_at (at most max bytes) and json_parse, errors naming path. */
int json_parse_file_at(int dirfd, const char *path, size_t max, yajl_val *out, cerr *err);
static inline void json_freep(yajl_val *v) { if (*v) yajl_tree_free(*v); }
#define _cleanup_json_ __attribute__((cleanup(json_freep)))

/* The member named key of an object, or NULL. */
yajl_val json_get(yajl_val obj, const char *key);
/* The string member named key of an object, or NULL. */
const char *json_str(yajl_val obj, const char *key);
/* The member named by a camelCase key, or else by its snake_case spelling
 * ("exitCode", else "exit_code"): files written before corral chose one
 * key style are still read. */
yajl_val json_get_camel(yajl_val obj, const char *key);
const char *json_type_name(yajl_val v);
/* Integer value in [min,max]; false if v is not such an integer. */
bool json_int_in(yajl_val v, long long min, long long max, long long *out);
bool json_uint64(yajl_val v, uint64_t *out);

/* Generator helpers: each returns nonzero on failure, like yajl_gen_status. */
static inline void json_gen_freep(yajl_gen *g) { if (*g) yajl_gen_free(*g); }
#define _cleanup_json_gen_ __attribute__((cleanup(json_gen_freep)))
yajl_gen json_gen_new(bool pretty);
/* Zero every string and number text of v (a secret's, before it is freed). */
void json_wipe(yajl_val v);
int jg_str(yajl_gen g, const char *s);
/* Bytes a program wrote, as a JSON string: each byte that is not part of
 * valid UTF-8, and each NUL, becomes U+FFFD, so that the text parses. */
int jg_text(yajl_gen g, const char *s, size_t len);
int jg_key_str(yajl_gen g, const char *key, const char *val);
int jg_key_int(yajl_gen g, const char *key, long long val);
int jg_key_bool(yajl_gen g, const char *key, bool val);
int jg_key(yajl_gen g, const char *key);
/* key, then the strings of a NULL-terminated vector (NULL: []) as an array. */
int jg_key_strv(yajl_gen g, const char *key, char *const *v);
/* Copy a parsed tree value verbatim (for pass-through fields). */
int jg_value(yajl_gen g, yajl_val v);
/* { old's members that patch has not, then patch's } (old may be NULL) */
int jg_patched(yajl_gen g, yajl_val old, yajl_val patch);
/* obj (an object, or NULL: {}) with key's value as gen makes it from the
 * old one (NULL where it had none), arg passed on */
int jg_object_with(yajl_gen g, yajl_val obj, const char *key, int (*gen)(yajl_gen g, yajl_val old, void *arg),
		   void *arg);
/* The generated text, copied to a new string. */
char *jg_finish(yajl_gen g, size_t *len);
/* Write the generated text to path atomically (see write_file_atomic_ex). */
int jg_write_file(yajl_gen g, const char *path, mode_t mode, unsigned flags, cerr *err);
