/* The member quotas of corrald's objects (the policy's max_jobs,
 * max_sessions, max_secrets, max_workloads), for the features that count
 * them: one gate, which answers the refusal itself. */
#pragma once
#include <stddef.h>
#include "supervisor/varlink/server.h"

struct corrald;

enum quota_kind { QUOTA_JOBS, QUOTA_SESSIONS, QUOTA_SECRETS, QUOTA_WORKLOADS };

/* May the call's peer, who has `have` objects of kind, make `adding`
 * more? 0; or 1 with the call answered PolicyViolation (audited), naming
 * the quota and the count: "unprivileged.max_sessions=16" and "sessions:
 * 16 already". field names the request's object. */
int quota_check(struct corrald *d, vl_call *call, const char *method, enum quota_kind kind, size_t have,
		size_t adding, const char *field);
