/* quota_check (policy.h): the policy's count of a member's objects, as a refusal. */
#include "supervisor/daemon/policy/policy.h"
#include "supervisor/daemon/policy/policy.h"
#include "supervisor/daemon/policy/policy_check.h"

_Static_assert((int)QUOTA_JOBS == PQ_JOBS && (int)QUOTA_SESSIONS == PQ_SESSIONS && (int)QUOTA_SECRETS == PQ_SECRETS &&
		       (int)QUOTA_WORKLOADS == PQ_WORKLOADS && (int)QUOTA_PULLS == PQ_PULLS,
	       "quota kinds are the policy's");

int quota_check(struct corrald *d, vl_call *call, const char *method, enum quota_kind kind, size_t have,
		size_t adding, const char *field)
{
	policy_violation v;
	if (policy_admit_quota(d, vl_call_peer(call), (enum policy_quota)kind, have, adding, field, &v) == 0)
		return 0;
	policy_refuse(call, d, method, &v);
	return 1;
}
