/* Typed access to a call's parameters, in the words io.corral.Supervisor and
 * io.corral.Monitor use: thin over common/json_get. Each returns 0, or
 * -errno with *f naming the parameter and saying why; the method handler
 * then answers `return sv_invalid_fault(call, &f)` (sv_errors.h). */
#pragma once
#include <stdbool.h>
#include <yajl/yajl_tree.h>
#include "common/json_get.h"

/* The parameters a method takes, for sp_known: KNOWN("id", "force"). */
#define KNOWN(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Every member of params is one of known (NULL-terminated). */
int sp_known(yajl_val params, const char *const *known, json_fault *f);
/* *out is NULL when absent (or null) and not required; a required one must
 * not be empty either. */
int sp_str(yajl_val params, const char *key, bool required, const char **out, json_fault *f);
/* sp_str of a string that names something (a container, a secret, a
 * session, a registry...), checked whole as json_name_check has it: no
 * control byte, at most JSON_NAME_MAX bytes; *out is NULL when it is
 * refused. Free text (a password, a state's value, a manifest) and paths
 * stay sp_str's. */
int sp_name(yajl_val params, const char *key, bool required, const char **out, json_fault *f);
/* The same of an image's name, reference or id (JSON_REF). */
int sp_ref(yajl_val params, const char *key, bool required, const char **out, json_fault *f);
int sp_bool(yajl_val params, const char *key, bool dflt, bool *out, json_fault *f);
int sp_int(yajl_val params, const char *key, long long min, long long max, long long dflt, long long *out,
	   json_fault *f);
