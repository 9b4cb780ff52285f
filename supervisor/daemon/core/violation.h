/* PolicyViolation: the fault of a call that a ceiling, an allow-list or a
 * quota refuses, whichever part refused it, always audited. */
#pragma once
#include <limits.h>
#include "supervisor/api/sv_fault.h"
#include "supervisor/varlink/server.h"

struct corrald;

#define POLICY_REFUSED 1

typedef struct policy_violation {
	char field[128];  /* of the request: "spec.resources.memory" */
	char limit[1024]; /* of the policy: "memory.max=1073741824" */
	char reason[PATH_MAX + 128];
} policy_violation;

/* Fill v; returns POLICY_REFUSED. */
int policy_violation_set(policy_violation *v, const char *field, const char *limit, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Audit the refusal (peer, field, limit) and set f to the PolicyViolation;
 * returns f, for a method's `return sv_reply_fault(call, policy_fault(...))`. */
sv_fault *policy_fault(struct corrald *d, const peer_cred *peer, const char *method, const policy_violation *v,
		       sv_fault *f);
/* Audit and log the refusal of what corrald asked for as peer, with no
 * call to answer (the workloads' loop pulls as a workload's peer). */
void policy_audit_refusal(struct corrald *d, const peer_cred *peer, const char *method, const policy_violation *v);
