/* tuning_opt.c: run's and create's --ulimit, --shm-size, --sysctl,
 * --group-add, --device, --dns-search and --dns-option into the spec. */
#pragma once
#include "supervisor/ctl/ctl_spec.h"

/* Their keys into g (the spec's open map); 0 or EXIT_CTL after saying
 * what was wrong. */
int ctl_gen_tuning(const ctl_args *a, yajl_gen g);
