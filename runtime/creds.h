/* The process's identity and limits: rlimits, user, groups, capabilities,
 * no_new_privileges, umask, oom_score_adj, personality. */
#pragma once
#include "bundle/spec.h"

int creds_apply_rlimits(const struct oci_process *p, cerr *err);
/* Switch to process.user, keeping exactly the configured capabilities. */
int creds_apply_user_caps(const struct oci_process *p, cerr *err);
int creds_apply_personality(const struct oci_linux *l, cerr *err);
int creds_set_oom_score_adj(pid_t pid, int adj, cerr *err);
