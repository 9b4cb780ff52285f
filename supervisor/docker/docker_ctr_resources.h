/* docker_ctr_resources.c: Docker's resources and restart policy in
 * corral's words, as create and update take them. */
#pragma once
#include "supervisor/docker/dk.h"

/* "resources": Resources of obj's Memory, NanoCpus (or CpuQuota and
 * CpuPeriod), PidsLimit, CpuShares, OomScoreAdj, CpusetCpus and CpusetMems,
 * those that ask for something: whether any did (else nothing is made). */
bool dk_gen_resources(yajl_gen g, yajl_val obj);
/* A RestartPolicy as ContainerSpec's restart ("on-failure:3"), into buf;
 * "" when it names none. */
const char *dk_restart_text(yajl_val policy, char *buf, size_t n);
