/* target.c: Which container `logs` and `exec` mean, as kubectl finds a
 * workload's (`kubectl logs deploy/NAME -c C`): a container's own name or id
 * first; else, or as deploy/NAME, deployment/NAME or pod/NAME, or with -c,
 * the workload NAME's container C (or its template's first) in its first
 * ready replica (its first replica when none is ready, so that a crashing
 * one's log can still be read). */
#pragma once
#include "supervisor/ctl/ctl.h"

/* The container logs and exec mean by target and -c cname (target.c): a
 * container's own name, else a workload's container; *id then malloc'd
 * (NULL: target as it is). 0, or EXIT_CTL after saying why. */
int ctl_target_container(const char *verb, const char *target, const char *cname, char **id);
