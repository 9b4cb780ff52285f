/* The policy in a container's life: the gate of every Create. */
#include "supervisor/daemon/policy/policy.h"
#include "supervisor/daemon/policy/policy_check.h"

const ctr_feature policy_container_hooks = {
	.name = "policy",
	.create = { .admit = policy_admit, .admit_binds = policy_admit_binds },
};
