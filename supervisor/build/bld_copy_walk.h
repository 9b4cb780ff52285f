/* bld_copy_walk.c: A COPY's sources in the context: each named path resolved
 * inside the context (RESOLVE_IN_ROOT: a symlink among its names leads
 * nowhere outside), below it every name opened without following it, and what
 * .dockerignore excludes left out as if it were not there. */
#pragma once
#include "supervisor/build/bld_copy.h"

/* The context's sources of j: hashed into content (out NULL), or written
 * into the tar out under their destination names. */
int copy_walk_context(bld *b, const copy_op *j, struct archive *out, char content[DIGEST_STR_LEN], cerr *err);
