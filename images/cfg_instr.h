/* cfg_instr.c: cfg_edit_apply: each instruction's words expanded, its change
 * written into the patch. */
#pragma once
#include "images/cfg_edit.h"

/* Apply one instruction that changes the config and no file (ENV, LABEL,
 * EXPOSE, VOLUME, WORKDIR, USER, STOPSIGNAL, CMD, ENTRYPOINT, SHELL,
 * HEALTHCHECK, ONBUILD, MAINTAINER), its words expanded by df_expand with
 * lookup (ENV's values and ARGs). Another kind: -EINVAL. */
int cfg_edit_apply(cfg_edit *c, const df_instr *in, char escape, df_lookup_fn lookup, void *ctx, cerr *err);
/* The ONBUILD triggers the patch holds (NULL-ended, the caller's, NULL
 * when none): an earlier stage's, for a FROM of it. 0 or -ENOMEM. */
int cfg_edit_triggers(const cfg_edit *c, char ***out);
