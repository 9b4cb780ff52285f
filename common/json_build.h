/* A JSON object written in one call from typed key/value pairs, as
 * systemd's sd_json_buildo, rather than a yajl call a line:
 *	jg_object(g, JG_STR("id", id), JG_INT("code", n), JG_END);
 * Keys go in the order given. */
#pragma once
#include <stdbool.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

enum jg_kind {
	JG_KIND_END,
	JG_KIND_STR, /* NULL is written "", as jg_key_str */
	JG_KIND_STR_SET, /* the key is left out when the string is NULL */
	JG_KIND_INT,
	JG_KIND_BOOL,
	JG_KIND_TRUE_SET, /* "key": true, or nothing when false */
	JG_KIND_STRV, /* a NULL-terminated vector (NULL: []), as jg_key_strv */
	JG_KIND_VALUE, /* a parsed value as it is (NULL: null), as jg_value */
	JG_KIND_OBJECT, /* "key": { the pairs up to JG_CLOSE } */
	JG_KIND_CLOSE,
};

/* Each value goes through a function, so that the compiler checks its type
 * as it would a call's; it is the macro's ... for a compound literal's commas. */
static inline const char *jg_arg_str(const char *s) { return s; }
static inline long long jg_arg_int(long long v) { return v; }
static inline int jg_arg_bool(bool v) { return v; }
static inline char *const *jg_arg_strv(char *const *v) { return v; }
static inline yajl_val jg_arg_value(yajl_val v) { return v; }

#define JG_STR(key, ...) JG_KIND_STR, jg_arg_str(key), jg_arg_str(__VA_ARGS__)
#define JG_STR_SET(key, ...) JG_KIND_STR_SET, jg_arg_str(key), jg_arg_str(__VA_ARGS__)
#define JG_INT(key, ...) JG_KIND_INT, jg_arg_str(key), jg_arg_int(__VA_ARGS__)
#define JG_BOOL(key, ...) JG_KIND_BOOL, jg_arg_str(key), jg_arg_bool(__VA_ARGS__)
#define JG_TRUE_SET(key, ...) JG_KIND_TRUE_SET, jg_arg_str(key), jg_arg_bool(__VA_ARGS__)
#define JG_STRV(key, ...) JG_KIND_STRV, jg_arg_str(key), jg_arg_strv(__VA_ARGS__)
#define JG_VALUE(key, ...) JG_KIND_VALUE, jg_arg_str(key), jg_arg_value(__VA_ARGS__)
#define JG_OBJECT(key) JG_KIND_OBJECT, jg_arg_str(key)
#define JG_CLOSE JG_KIND_CLOSE
#define JG_END JG_KIND_END

/* { pairs }: the pairs up to JG_END in an object of their own. Nonzero on
 * failure, like yajl_gen_status. */
int jg_object(yajl_gen g, ...);
