/* The instructions that change a stage's config and no file (bld_instr.c),
 * and the words they are given, expanded. */
#pragma once
#include "supervisor/build/bld.h"

/* ENV, ARG, LABEL, WORKDIR, USER, CMD, ENTRYPOINT, EXPOSE, VOLUME,
 * HEALTHCHECK, STOPSIGNAL, ONBUILD, SHELL, MAINTAINER: into s's config and
 * its cache key. */
int bld_step_config(bld *b, bld_stage *s, const df_instr *in, cerr *err);
/* An ARG before the first FROM (for FROM lines, and to be declared again
 * in a stage). */
int bld_meta_arg(bld *b, const df_instr *in, cerr *err);
