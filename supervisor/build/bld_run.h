/* bld_run.c: RUN: a container of the caller's from the step's image, with the
 * stage's environment, ARGs, working directory, user and the build's network;
 * its output streamed as it comes (Logs, followed); committed with the
 * stage's config when it exits 0, removed either way. */
#pragma once
#include "supervisor/build/bld.h"

/* bld_run.c, bld_copy.c: the steps that make a layer. */
bool bld_client_gone(bld *b);
int bld_step_run(bld *b, bld_stage *s, const df_instr *in, cerr *err);
