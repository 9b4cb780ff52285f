/* secret_opt.c: --secret NAME[,target=PATH][,uid=U][,mode=0400][,mask=true]
 * into the spec's secrets: a reference, as docker service --secret takes it. */
#pragma once
#include "supervisor/ctl/ctl_spec.h"

/* "secrets": [...] into g, from --secret (secret_opt.c); 0 or EXIT_CTL
 * after saying what was wrong. */
int ctl_gen_secrets(const ctl_args *a, yajl_gen g);
