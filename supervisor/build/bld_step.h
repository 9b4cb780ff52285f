/* bld_step.c: What every step does: the cache key's chain, the cache asked,
 * an image committed and taken, the stages and images a step names, and its
 * words expanded with the stage's ENV and ARGs (ENV first, as Docker has it). */
#pragma once
#include "supervisor/build/bld_instr.h"
#include "supervisor/build/bld_copy.h"
#include "supervisor/build/bld.h"

/* A config instruction applied to s's config, its words expanded with the
 * stage's ENV and ARGs. */
int bld_expand_apply(bld *b, bld_stage *s, const df_instr *in, cerr *err);
/* NAME's value in args ("NAME=VALUE" entries, the last one counts), or NULL. */
const char *bld_args_get(char *const *args, const char *name);
/* The cache key after one more step: sha256 of the last key and what the
 * step did. */
void bld_key_next(bld_stage *s, const char *what, size_t n);
/* An instruction's word expanded with the stage's ENV and ARGs. */
int bld_expand(bld *b, bld_stage *s, const char *word, char **out, cerr *err);
/* Commit the stage's config alone (ImageCommit), its last step's
 * history its own. */
int bld_commit_config(bld *b, bld_stage *s, cerr *err);
/* Take the image a step made; what the commit reply says. */
int bld_take_image(bld_stage *s, const vl_reply *rep, cerr *err);
/* The image that key names in the caller's cache: 1 and s's image set. */
int bld_cached(bld *b, bld_stage *s, cerr *err);
/* A container of the stage's image: argv (NULL: one made and never started,
 * for a copy) with env, the stage's working directory and user, and network
 * (NULL: the build's); its id in id. */
int bld_create(bld *b, bld_stage *s, char *const *argv, char *const *env, const char *network, char *id, size_t n,
	       cerr *err);
int bld_commit_container(bld *b, bld_stage *s, const char *id, const char *created_by, cerr *err);

/* FROM's and --from's image as corrald has it (pulled when it has not). */
int bld_base_image(bld *b, bld_stage *s, const char *ref, cerr *err);

/* A FROM's word, expanded with those ARGs. */
int bld_expand_meta(bld *b, const char *word, char **out, cerr *err);
/* The stage an earlier FROM ... AS NAME (or its number) made, of the first
 * before; NULL when none. */
bld_stage *bld_stage_named(bld *b, size_t before, const char *name);
