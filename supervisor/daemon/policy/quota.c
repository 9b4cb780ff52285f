/* quota_admit (policy.h): the policy's count of a member's objects. */
#include "supervisor/daemon/policy/policy.h"
#include "supervisor/daemon/policy/policy_check.h"

_Static_assert((int)QUOTA_JOBS == PQ_JOBS && (int)QUOTA_SESSIONS == PQ_SESSIONS && (int)QUOTA_SECRETS == PQ_SECRETS &&
		       (int)QUOTA_WORKLOADS == PQ_WORKLOADS && (int)QUOTA_PULLS == PQ_PULLS && (int)QUOTA_VOLUMES == PQ_VOLUMES,
	       "quota kinds are the policy's");

int quota_admit(struct corrald *d, const peer_cred *peer, enum quota_kind kind, size_t have, size_t adding,
		const char *field, policy_violation *v)
{
	return policy_admit_quota(d, peer, (enum policy_quota)kind, have, adding, field, v);
}
