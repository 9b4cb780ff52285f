/* workloads.c: corralctl's workload verbs, as kubectl names them: apply -f,
 * diff -f, get workloads, describe workload, delete -f | delete workload. */
#pragma once
#include "supervisor/ctl/ctl.h"

/* describe KIND/NAME... (service.c's describe, given workloads) */
int ctl_describe_workloads(ctl_args *a);
