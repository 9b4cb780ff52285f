/* Labels under io.corral. are corrald's own: jobs and workloads mark their
 * containers and sessions with them, and find them again by them (after a
 * restart too). A member of the access group may not set one in its own
 * calls; corrald's local calls made on its behalf (a job's, a workload's)
 * may, and root keeps what it had. */
#pragma once
#include "common/json_get.h"
#include "supervisor/api/interface.h"
#include "supervisor/varlink/server.h"

/* The value of key in kv (key, value, ..., NULL; or NULL), or NULL. */
const char *labels_get(char *const *kv, const char *key);
/* kv as above. -EINVAL, with f naming
 * field.KEY, when call is a member's own and kv holds a reserved key. */
int labels_check_reserved(const vl_call *call, char *const *kv, const char *field, json_fault *f);
