/* spec_opts.c: The options of create and run into a ContainerSpec, and the
 * environment that run and exec pass (-e, --env-file). */
#pragma once
#include "supervisor/ctl/ctl_spec.h"

/* {"spec": {...}} from a's options and arguments (IMAGE [COMMAND...]);
 * NULL after saying what was wrong. auto_remove: corrald removes it once
 * it has stopped. */
char *ctl_build_spec(const ctl_args *a, bool auto_remove);
/* "env": [...] into g, from -e and --env-file (a's table has both); 0 or
 * EXIT_CTL after saying what was wrong. */
int ctl_gen_env(const ctl_args *a, yajl_gen g);
/* "resources": {...} into g from the limits a's table has and were given
 * (nothing when none was); 0 or EXIT_CTL after saying what was wrong. */
int ctl_gen_resources(const ctl_args *a, yajl_gen g);
