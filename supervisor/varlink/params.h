/* Typed access to call parameters. On a wrong or missing value these reply
 * io.corral.Supervisor.InvalidParameter naming the field (the call is then
 * over) and return -EINVAL. */
#pragma once
#include <stdbool.h>
#include <yajl/yajl_tree.h>
#include "supervisor/varlink/server.h"

#define SV_ERR(name) "io.corral.Supervisor." name

/* Reply InvalidParameter{parameter, reason}; returns -EINVAL. */
int sp_invalid(vl_call *call, const char *parameter, const char *reason);
/* Every member of params must be one of known (NULL-terminated). */
int sp_known(vl_call *call, yajl_val params, const char *const *known);
/* *out is NULL when absent (or null) and not required. */
int sp_str(vl_call *call, yajl_val params, const char *key, bool required, const char **out);
int sp_bool(vl_call *call, yajl_val params, const char *key, bool dflt, bool *out);
/* *present tells whether it was given (may be NULL when dflt will do). */
int sp_int(vl_call *call, yajl_val params, const char *key, long long min, long long max,
	   long long dflt, long long *out);
